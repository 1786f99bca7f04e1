// What `netc train` writes into --out for model M: the output set (M.ts, M.weights.json,
// M.predict.ts, M.loss.svg) plus M.best.weights.json, replaced together when a run ends, and
// M.last.weights.json, the checkpoint of a run in progress (or interrupted). Weights go first:
// they are what a late failure must not lose.
import { join } from "node:path";
import type { ModelIR } from "../compiler/model.js";
import { classCount, modelStructure, structureHash, type SavedState, type TrainingRecord, type WeightsFile, weightsChunks } from "../data/weights.js";
import type { DataColumns } from "../data/columns.js";
import type { Normalization } from "../data/normalize.js";
import type { Model, TrainingState } from "./generated-types.js";
import { GENERATED_MARKER } from "./io.js";
import { checkOutput, writeOutput, type OutputKind, type OutputRules } from "./outputs.js";
import type { Snapshot } from "./train-loop.js";

export interface OutputPaths {
  trainer: string;
  weights: string;
  best: string;
  last: string;
  predictor: string;
  plot: string;
}

export const OUTPUT_KINDS: Record<keyof OutputPaths, OutputKind> = {
  trainer: "trainer",
  weights: "weights",
  best: "weights",
  last: "weights",
  predictor: "predictor",
  plot: "loss plot",
};

export function outputPaths(dir: string, model: string): OutputPaths {
  const at = (suffix: string) => join(dir, `${model}${suffix}`);
  return { trainer: at(".ts"), weights: at(".weights.json"), best: at(".best.weights.json"), last: at(".last.weights.json"), predictor: at(".predict.ts"), plot: at(".loss.svg") };
}

/** Every path is checked before training, so a run never fails at its end on a file it may not replace. */
export function checkOutputs(paths: OutputPaths, rules: OutputRules, weightsRules: OutputRules): void {
  for (const key of Object.keys(paths) as (keyof OutputPaths)[]) {
    checkOutput(paths[key], OUTPUT_KINDS[key], OUTPUT_KINDS[key] === "weights" ? weightsRules : rules);
  }
}

export interface RunRecord {
  ir: ModelIR;
  labels: string[] | null;
  training: TrainingRecord;
  /** Standardization of the inputs (--normalize), saved so predictions apply it too. */
  normalization: Normalization | null;
  /** The data columns the features and target were read from. */
  columns: DataColumns | undefined;
}

/** The weights file for `at`, with `best` recorded in its metrics. */
export function weightsRecord(run: RunRecord, at: Snapshot, best: Snapshot): WeightsFile {
  const { ir } = run;
  const structure = modelStructure(ir);
  const split = (s: Snapshot) => ({ epoch: s.stats.epoch, train: s.stats.train, validation: s.stats.val });
  return {
    format: "netc-weights",
    version: 2,
    generator: `${GENERATED_MARKER} (netc train). Format: README.md, "The weights file".`,
    model: ir.name,
    structureHash: structureHash(structure),
    structure,
    labels: completeLabels(run.labels, classCount(ir)),
    training: run.training,
    ...(run.normalization ? { normalization: run.normalization } : {}),
    ...(run.columns ? { columns: run.columns } : {}),
    metrics: { epochs: at.stats.epoch, train: at.stats.train, validation: at.stats.val, best: split(best) },
    state: at.state && savedState(at.state),
    tensors: Object.entries(at.weights).map(([name, t]) => ({ name, shape: t.shape, data: t.data })),
  };
}

export function writeWeights(path: string, file: WeightsFile, rules: OutputRules): void {
  writeOutput(path, "weights", weightsChunks(file), rules);
}

/**
 * A label for every class: training data that never showed class k leaves it unnamed, and
 * the weights file must name each class the model has (`class 2`).
 */
function completeLabels(labels: string[] | null, classes: number | null): string[] | null {
  if (!labels || classes === null || labels.length >= classes) return labels;
  const out = [...labels];
  for (let k = labels.length; k < classes; k++) {
    let name = `class ${k}`;
    while (out.includes(name)) name += "'";
    out.push(name);
  }
  return out;
}

export function savedState(s: TrainingState): SavedState {
  return { step: s.step, epoch: s.epoch, lr: s.lr, rng: s.rng, buffers: Object.entries(s.buffers).map(([name, v]) => ({ name, data: Float64Array.from(v) })) };
}

export function trainingState(s: SavedState): TrainingState {
  return { step: s.step, epoch: s.epoch, lr: s.lr, rng: s.rng, buffers: Object.fromEntries(s.buffers.map((b) => [b.name, Array.from(b.data)])) };
}

/** Applies a resumed file to a fresh model: weights, then the training state (or fresh optimizer state at the saved epoch). */
export function restoreRun(model: Model, file: WeightsFile, start: number, freshOptimizer: boolean): void {
  model.setWeights(Object.fromEntries(file.tensors.map((t) => [t.name, { shape: t.shape, data: t.data }])));
  const fresh = model.getState();
  if (file.state && !freshOptimizer) {
    model.setState(trainingState(file.state));
    return;
  }
  model.setState({ ...fresh, epoch: start, rng: file.state?.rng ?? fresh.rng });
}
