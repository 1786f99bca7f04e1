// Training the sequence examples on their bundled generators (as `netc train --data parity` or
// `--data sorting` does: 20 % held out, split by the model's seed) and running their standalone
// predictors alone under plain node; shared by sequences.test.ts (short runs) and
// sequences.long.test.ts (the whole runs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { evaluate, predictedClass, trainModel } from "../../cli/train-loop.js";
import { emitPredictor } from "../../compiler/emit/predictor.js";
import { classPositions, type ModelIR } from "../../compiler/model.js";
import { BUNDLED_DATA } from "../../data/bundled-data.js";
import { encodeTable, splitDataset, type Dataset } from "../../data/dataset.js";
import { compileExample, exampleSource } from "../support/helpers.js";

export interface TrainedExample {
  name: string;
  model: Model;
  ir: ModelIR;
  val: Dataset;
  /** Per-position validation accuracy before and after training. */
  before: number;
  after: number;
}

/** Trains examples/NAME.net on the bundled DATA for `epochs` (on its first `rows` rows when given). */
export async function trainExample(name: string, data: string, epochs: number, rows?: number): Promise<TrainedExample> {
  const { result, module } = await compileExample(name);
  const ir = result.model;
  const model = module.createModel();
  const table = BUNDLED_DATA[data]!.load(ir.train.seed);
  const all = encodeTable(rows === undefined ? table : { ...table, rows: table.rows.slice(0, rows), lines: table.lines.slice(0, rows) }, ir);
  const { train, val } = splitDataset(all, 0.2, ir.train.seed, ir);
  const before = evaluate(model, ir, val!).accuracy!;
  await trainModel(model, ir, train, val, { epochs, batch: ir.train.batch });
  return { name, model, ir, val: val!, before, after: evaluate(model, ir, val!).accuracy! };
}

/**
 * Emits the predictor with the trained weights as JavaScript, copies it alone into an empty
 * directory and classifies every position of the validation rows there with plain node: the
 * classes must be the trainer's own predictions. Returns the predictor's per-position accuracy.
 */
export async function standaloneAccuracy({ name, model, ir, val }: TrainedExample): Promise<number> {
  const weights = Object.fromEntries(Object.entries(model.getWeights()).map(([k, t]) => [k, t.data]));
  const { result } = await compileExample(name);
  const js = await emitPredictor({ model: ir, evalGraph: result.evalGraph, source: exampleSource(name), file: `examples/${name}.net`, weights, labels: null }, { format: false, language: "javascript" });
  const dir = mkdtempSync(join(tmpdir(), `netc-${name}-`));
  try {
    writeFileSync(join(dir, "predict.js"), js);
    expect(readdirSync(dir)).toEqual(["predict.js"]);
    const script = `const m = await import("./predict.js");
const x = Float64Array.from(${JSON.stringify(Array.from(val.x))});
const classes = [];
for (let r = 0; r < ${val.n}; r++) classes.push(...m.classify(x.subarray(r * m.inputWidth, (r + 1) * m.inputWidth)));
console.log(JSON.stringify({ inputWidth: m.inputWidth, classes }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const { inputWidth, classes } = JSON.parse(run.stdout) as { inputWidth: number; classes: number[] };
    expect(inputWidth).toBe(ir.input.width);
    const positions = classPositions(ir);
    const own: number[] = [];
    for (let r = 0; r < val.n; r++) {
      const p = model.predict(val.x.subarray(r * ir.input.width, (r + 1) * ir.input.width), 1);
      for (let t = 0; t < positions; t++) own.push(predictedClass(ir, p, t));
    }
    expect(classes).toEqual(own);
    return classes.filter((c, i) => c === val.classes![i]).length / classes.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
