// Code generation time: compiling examples/deep.net (emit + format) and generating standalone
// predictors for 100 / 200 / 400-layer nets, each in this one process, best of a few runs.
//   npx tsx bench/codegen.ts            print the figures
//   npx tsx bench/codegen.ts --write    also replace the "Code generation" section of bench/RESULTS.md
// (bench/run.ts keeps that section and the ones after it when it rewrites the file).
import { readFileSync, writeFileSync } from "node:fs";
import { replaceSection } from "./sections.js";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { compile, compileToGraph } from "../compiler/index.js";
import { emitPredictor } from "../compiler/emit/predictor.js";

const RUNS = 3;
const LAYERS = [100, 200, 400];
const HEADING = "## Code generation";

/** A `layers` net of `depth` 16-wide relu layers on a 4-feature input. */
function deepNet(depth: number): string {
  const layers = Array.from({ length: depth }, () => "    dense 16 relu").join("\n");
  return `model deep${depth} {\n  input x[4]\n  target y: class(3)\n  layers {\n${layers}\n    dense 3 softmax\n  }\n  loss cross_entropy\n  train { optimizer adam(lr: 0.01); epochs 1; batch 32 }\n}\n`;
}

async function best(run: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    await run();
    min = Math.min(min, performance.now() - t0);
  }
  return min / 1000;
}

async function predictorSeconds(source: string): Promise<number> {
  const { model, evalGraph } = compileToGraph(source);
  const weights = Object.fromEntries([...model.params, ...model.state].map((p) => [p.name, new Float64Array(p.shape.reduce((a, b) => a * b, 1))]));
  return best(() => emitPredictor({ model, evalGraph, source, file: "bench.net", weights }));
}

const deep = readFileSync(new URL("../examples/deep.net", import.meta.url), "utf8");
// Warm-up: the first run loads the formatter and the TypeScript compiler.
await compile(deep);
const rows: string[] = [];
const deepCode = (await compile(deep, { file: "examples/deep.net" })).code;
rows.push(`| examples/deep.net: compile (emit + format) | ${(await best(() => compile(deep, { file: "examples/deep.net" }))).toFixed(2)} s |`);
rows.push(`| examples/deep.net: compile without formatting | ${(await best(() => compile(deep, { file: "examples/deep.net", format: false }))).toFixed(2)} s |`);
rows.push(`| examples/deep.net: emitted module size | ${(deepCode.length / 1024).toFixed(0)} KiB |`);
rows.push(`| examples/deep.net: predictor generation | ${(await predictorSeconds(deep)).toFixed(2)} s |`);
for (const depth of LAYERS) {
  rows.push(`| ${depth}-layer net (dense 16 relu): predictor generation | ${(await predictorSeconds(deepNet(depth))).toFixed(2)} s |`);
}
for (const depth of LAYERS) {
  rows.push(`| ${depth}-layer net (dense 16 relu): compile (emit + format) | ${(await best(() => compile(deepNet(depth)))).toFixed(2)} s |`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end`;
const section = [
  HEADING,
  "",
  `Best of ${RUNS} runs in one process after a warm-up (\`npx tsx bench/codegen.ts\`); ${machine}.`,
  "",
  "| what | time / size |",
  "| --- | --- |",
  ...rows,
  "",
].join("\n");
process.stdout.write(section);
if (process.argv.includes("--write")) {
  // Replaces this section (a full benchmark run keeps it), or appends it.
  const path = new URL("./RESULTS.md", import.meta.url);
  writeFileSync(path, replaceSection(readFileSync(path, "utf8"), "codegen", section));
}
