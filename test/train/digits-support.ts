// Training examples/digits.net on the bundled digits data (as `netc train --data digits` does:
// 20 % held out, split by the model's seed) and running its standalone predictor alone under
// plain node; shared by digits.test.ts (a short run) and digits.long.test.ts (the whole run).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { evaluate, trainModel } from "../../cli/train-loop.js";
import { emitPredictor } from "../../compiler/emit/predictor.js";
import type { ModelIR } from "../../compiler/model.js";
import { BUNDLED_DATA } from "../../data/bundled-data.js";
import { encodeTable, splitDataset, type Dataset } from "../../data/dataset.js";
import { compileExample, exampleSource } from "../support/helpers.js";

export interface TrainedDigits {
  model: Model;
  ir: ModelIR;
  val: Dataset;
  /** Validation accuracy before and after training. */
  before: number;
  after: number;
}

export async function trainDigits(epochs: number): Promise<TrainedDigits> {
  const { result, module } = await compileExample("digits");
  const ir = result.model;
  const model = module.createModel();
  const data = encodeTable(BUNDLED_DATA.digits!.load(ir.train.seed), ir);
  expect(data.n).toBe(1797);
  const { train, val } = splitDataset(data, 0.2, ir.train.seed, ir);
  const before = evaluate(model, ir, val!).accuracy!;
  await trainModel(model, ir, train, val, { epochs, batch: ir.train.batch });
  return { model, ir, val: val!, before, after: evaluate(model, ir, val!).accuracy! };
}

/**
 * Emits the predictor with the trained weights as JavaScript, copies it alone into an empty
 * directory and classifies the validation rows there with plain node: the classes must be the
 * trainer's own predictions. Returns the predictor's accuracy.
 */
export async function standaloneAccuracy({ model, ir, val }: TrainedDigits): Promise<number> {
  const weights = Object.fromEntries(Object.entries(model.getWeights()).map(([k, t]) => [k, t.data]));
  const { result } = await compileExample("digits");
  const js = await emitPredictor({ model: ir, evalGraph: result.evalGraph, source: exampleSource("digits"), file: "examples/digits.net", weights, labels: null }, { format: false, language: "javascript" });
  const dir = mkdtempSync(join(tmpdir(), "netc-digits-"));
  try {
    writeFileSync(join(dir, "predict.js"), js);
    expect(readdirSync(dir)).toEqual(["predict.js"]);
    const script = `const m = await import("./predict.js");
const x = Float64Array.from(${JSON.stringify(Array.from(val.x))});
const classes = [];
for (let r = 0; r < ${val.n}; r++) classes.push(m.classify(x.subarray(r * m.inputWidth, (r + 1) * m.inputWidth)));
console.log(JSON.stringify({ inputWidth: m.inputWidth, classes }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const { inputWidth, classes } = JSON.parse(run.stdout) as { inputWidth: number; classes: number[] };
    expect(inputWidth).toBe(64);
    const own = Array.from({ length: val.n }, (_, r) => argmaxRow(model.predict(val.x.subarray(r * 64, (r + 1) * 64), 1), 0, 10));
    expect(classes).toEqual(own);
    return classes.filter((c, r) => c === val.classes![r]).length / val.n;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function argmaxRow(p: ArrayLike<number>, row: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (p[row * width + j]! > p[row * width + best]!) best = j;
  return best;
}
