// Where the wasm backend starts to pay: trainStep time of the JavaScript and the wasm (f64)
// modules of the same MLP over a grid of sizes and batches, timed in alternating rounds in one
// process (load on a shared machine hits both alike). Writes bench/AUTO.md; chooseBackend
// (compiler/backend/choose.ts) is checked against it.
//   npx tsx bench/auto-crossover.ts [--quick]
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { chooseBackend, compile } from "../compiler/index.js";
import { importJavaScript, toJavaScript } from "../cli/load.js";
import type { GeneratedModule, Model } from "../cli/generated-types.js";
import { workload, workloadSource } from "./shared.js";

const quick = process.argv.includes("--quick");
const ROUND_MS = quick ? 120 : 300;
const ROUNDS = quick ? 3 : 5;

/** Input and hidden widths: about 100 to 100 k parameters with 4 outputs. */
const SIZES: [number, number][] = [[16, 4], [16, 32], [64, 64], [256, 128], [784, 128]];
const BATCHES = [1, 4, 32, 128];

interface Case {
  name: string;
  source: string;
  batch: number;
  inputs: number;
}

const mlp = (inputs: number, hidden: number, batch: number): Case => ({
  name: `${inputs}→${hidden}→4 relu, mse`,
  inputs,
  batch,
  source: `model m {
  input x[${inputs}]
  target y[4]
  layers { dense ${hidden} relu; dense 4 }
  loss mse
  train { optimizer sgd(lr: 0.001); batch ${batch}; seed 1 }
}`,
});

// The bench's W1–W3 first (sigmoid/softmax heads: JavaScript kernels between the wasm ones).
const CASES: Case[] = [
  ...["W1", "W2", "W3"].map((id): Case => {
    const w = workload(id);
    return { name: `${id} (${w.sizes.join("→")})`, source: workloadSource(id), batch: w.batch, inputs: w.sizes[0]! };
  }),
  ...SIZES.flatMap(([inputs, hidden]) => BATCHES.map((batch) => mlp(inputs, hidden, batch))),
];

async function load(src: string, backend: "js" | "wasm"): Promise<{ model: Model; params: number; auto: string }> {
  const { code, model } = await compile(src, { backend, format: false });
  const mod = await importJavaScript<GeneratedModule>(toJavaScript(code));
  return { model: mod.createModel(), params: model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0), auto: chooseBackend(model) };
}

/** Steps per second of each model, median over alternating rounds. */
function paired(models: Model[], c: Case): number[] {
  const { batch } = c;
  const x = Float64Array.from({ length: batch * c.inputs }, (_, i) => Math.sin(i));
  // Targets any head takes: class indices for softmax, probabilities for sigmoid, reals for mse.
  const classes = models[0]!.info.target.classes;
  const y = Float64Array.from({ length: batch * models[0]!.info.target.width }, (_, i) => (classes ? i % classes : 0.5 + 0.4 * Math.cos(i)));
  const rates = models.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    models.forEach((m, k) => {
      for (let w = 0; w < 50; w++) m.trainStep(x, y, batch);
      let steps = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < ROUND_MS) {
        for (let s = 0; s < 20; s++) m.trainStep(x, y, batch);
        steps += 20;
      }
      rates[k]!.push(steps / ((performance.now() - t0) / 1000));
    });
  }
  return rates.map((r) => [...r].sort((a, b) => a - b)[Math.floor(r.length / 2)]!);
}

const rows: string[] = [];
const load0 = loadavg()[0]!;
for (const c of CASES) {
  const js = await load(c.source, "js");
  const wasm = await load(c.source, "wasm");
  const [a, b] = paired([js.model, wasm.model], c);
  const row = `| ${c.name} | ${js.params} | ${c.batch} | ${js.params * c.batch} | ${(a! * c.batch).toFixed(0)} | ${(b! * c.batch).toFixed(0)} | ${(b! / a!).toFixed(2)}× | ${js.auto} |`;
  console.log(row);
  rows.push(row);
}

const text = `# When the wasm backend pays: JavaScript against wasm (f64) per training step

${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · Node ${process.version} · load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end · ${ROUNDS} alternating rounds of ${ROUND_MS} ms per backend, median. Reproduce: \`npx tsx bench/auto-crossover.ts\`.

The bench's W1–W3, then an MLP \`inputs → hidden relu → 4\`, mse, plain SGD. "wasm ÷ js" above 1 means the wasm module's step is faster. "auto" is what \`--backend auto\` picks (compiler/backend/choose.ts: wasm from 4,096 parameters, whatever the batch).

| model | parameters | batch | parameters × batch | js samples/s | wasm samples/s | wasm ÷ js | auto |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
writeFileSync(new URL("./AUTO.md", import.meta.url), text);
console.log("wrote bench/AUTO.md");
