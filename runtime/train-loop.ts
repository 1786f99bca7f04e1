// Drives a generated model through epochs of shuffled minibatches with trainStep, evaluating
// loss and accuracy on the training and validation sets after every epoch. A non-finite loss
// stops training and says where; the weights from the end of the last full epoch are kept.
import type { ModelIR } from "../compiler/model.js";
import type { Dataset } from "./dataset.js";
import type { Model, Weights } from "./generated-types.js";
import { makeRng, shuffle } from "./rng.js";
import type { SplitMetrics } from "./weights.js";

export interface EpochStats {
  epoch: number;
  train: SplitMetrics;
  val: SplitMetrics | null;
}

export interface TrainFailure {
  epoch: number;
  batch: number;
  loss: number;
  /** The first tensor found non-finite: the model's output or a parameter's gradient. */
  culprit: string;
}

export interface TrainLoopOptions {
  epochs: number;
  batch: number;
  seed: number;
  onEpoch?: (stats: EpochStats) => void;
}

export interface TrainOutcome {
  history: EpochStats[];
  /** Metrics of the weights the model ends with (before any epoch when epochs = 0). */
  final: EpochStats;
  failure: TrainFailure | null;
}

export function trainModel(model: Model, ir: ModelIR, train: Dataset, val: Dataset | null, options: TrainLoopOptions): TrainOutcome {
  const inW = ir.input.width;
  const tW = ir.target.width;
  const batch = Math.min(options.batch, model.info.maxBatch, train.n);
  const bx = new Float64Array(batch * inW);
  const by = new Float64Array(batch * tW);
  const order = new Uint32Array(train.n).map((_, i) => i);
  const rng = makeRng(options.seed + 1);
  const history: EpochStats[] = [];
  const measure = (epoch: number): EpochStats => ({ epoch, train: evaluate(model, ir, train), val: val && evaluate(model, ir, val) });
  let lastGood: Weights = model.getWeights();
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffle(order, rng);
    for (let start = 0, b = 1; start < train.n; start += batch, b++) {
      const rows = Math.min(batch, train.n - start);
      for (let r = 0; r < rows; r++) {
        const src = order[start + r]!;
        for (let k = 0; k < inW; k++) bx[r * inW + k] = train.x[src * inW + k]!;
        for (let k = 0; k < tW; k++) by[r * tW + k] = train.y![src * tW + k]!;
      }
      const loss = model.trainStep(bx, by, rows);
      if (!Number.isFinite(loss)) {
        const failure = { epoch, batch: b, loss, culprit: findCulprit(model, ir, bx, by, rows) };
        // trainStep skipped this update, but the steps before it may already have blown the weights
        // up; the weights measured at the end of the last epoch are the last known good ones.
        model.setWeights(lastGood);
        return { history, final: history.at(-1) ?? measure(epoch - 1), failure };
      }
    }
    const stats = measure(epoch);
    history.push(stats);
    options.onEpoch?.(stats);
    lastGood = model.getWeights();
  }
  return { history, final: history.at(-1) ?? measure(0), failure: null };
}

/** Mean loss (weighted by rows, in chunks of the compiled maximum batch) and accuracy. */
export function evaluate(model: Model, ir: ModelIR, data: Dataset): SplitMetrics {
  const chunk = model.info.maxBatch;
  let lossSum = 0;
  let correct = 0;
  const accuracy = data.classes !== null && isClassifier(ir);
  for (let start = 0; start < data.n; start += chunk) {
    const rows = Math.min(chunk, data.n - start);
    const x = data.x.subarray(start * ir.input.width, (start + rows) * ir.input.width);
    lossSum += model.loss(x, data.y!.subarray(start * ir.target.width, (start + rows) * ir.target.width), rows) * rows;
    if (!accuracy) continue;
    const p = model.predict(x, rows);
    for (let r = 0; r < rows; r++) if (predictedClass(ir, p, r) === data.classes![start + r]) correct++;
  }
  return { loss: lossSum / data.n, accuracy: accuracy ? correct / data.n : null, rows: data.n };
}

/** Softmax heads and class(K) targets: argmax; one sigmoid output: threshold 0.5. */
export function isClassifier(ir: ModelIR): boolean {
  return ir.head === "softmax" || ir.target.classes !== undefined || (ir.head === "sigmoid" && ir.output.width === 1);
}

export function predictedClass(ir: ModelIR, p: ArrayLike<number>, row: number): number {
  const w = ir.output.width;
  if (w === 1) return p[row]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < w; j++) if (p[row * w + j]! > p[row * w + best]!) best = j;
  return best;
}

function findCulprit(model: Model, ir: ModelIR, x: Float64Array, y: Float64Array, rows: number): string {
  if (!Array.from(model.predict(x, rows)).every(Number.isFinite)) return `output '${ir.output.name}'`;
  const { grads } = model.gradients(x, y, rows);
  const bad = Object.keys(grads).find((name) => !grads[name]!.data.every(Number.isFinite));
  if (bad) return `gradient of '${bad}'`;
  return "the loss itself (a predicted probability of exactly 0 or 1?)";
}
