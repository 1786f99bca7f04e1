// Runs a generated model's own `fit` one epoch at a time (so its shuffle, learning-rate
// schedule, warm-up, clipping and dropout all apply), evaluating loss and accuracy on the
// training and validation sets after every epoch. A non-finite loss stops training and says
// where; the weights measured at the end of the last full epoch are restored.
import type { ModelIR } from "../compiler/model.js";
import type { Dataset } from "../data/dataset.js";
import type { Model, Weights } from "./generated-types.js";
import type { SplitMetrics } from "../data/weights.js";
import { RegressionAccumulator } from "../data/metrics.js";

export interface EpochStats {
  epoch: number;
  train: SplitMetrics;
  val: SplitMetrics | null;
}

export interface TrainFailure {
  epoch: number;
  /** The minibatch within the epoch, as the generated fit reports it. */
  batch: number;
  loss: string;
  /** The first tensor found non-finite: the model's output or a parameter's gradient. */
  culprit: string;
}

export interface TrainLoopOptions {
  epochs: number;
  batch: number;
  onEpoch?: (stats: EpochStats) => void;
}

export interface TrainOutcome {
  history: EpochStats[];
  /** Metrics of the weights the model ends with (epoch 0: before any training). */
  final: EpochStats;
  failure: TrainFailure | null;
}

/** What the generated `fit` throws when the loss stops being finite (see compiler/emit/runtime-api.ts). */
interface NonFiniteLossError extends Error {
  name: "NonFiniteLossError";
  epoch: number;
  batch: number;
  loss: number;
}

function isNonFiniteLoss(err: unknown): err is NonFiniteLossError {
  return err instanceof Error && err.name === "NonFiniteLossError" && typeof (err as NonFiniteLossError).batch === "number";
}

export function trainModel(model: Model, ir: ModelIR, train: Dataset, val: Dataset | null, options: TrainLoopOptions): TrainOutcome {
  const batch = Math.min(options.batch, model.info.maxBatch);
  const history: EpochStats[] = [];
  const measure = (epoch: number): EpochStats => ({ epoch, train: evaluate(model, ir, train), val: val && evaluate(model, ir, val) });
  let lastGood: Weights = model.getWeights();
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    try {
      model.fit(train.x, train.y!, train.n, { epochs: 1, batch });
    } catch (err) {
      if (!isNonFiniteLoss(err)) throw err;
      // fit skipped the failing update, but earlier steps may already have driven the weights
      // somewhere useless; the weights measured at the end of the last epoch are known good.
      const culprit = findCulprit(model, ir, train, batch);
      model.setWeights(lastGood);
      const failure = { epoch, batch: err.batch, loss: String(err.loss), culprit };
      return { history, final: history.at(-1) ?? measure(0), failure };
    }
    const stats = measure(epoch);
    history.push(stats);
    options.onEpoch?.(stats);
    lastGood = model.getWeights();
  }
  return { history, final: history.at(-1) ?? measure(0), failure: null };
}

/** Mean loss (weighted by rows, in chunks of the compiled maximum batch) and accuracy, in evaluation mode. */
export function evaluate(model: Model, ir: ModelIR, data: Dataset): SplitMetrics {
  const chunk = model.info.maxBatch;
  const accuracy = data.classes !== null && isClassifier(ir);
  const regression = !isClassifier(ir) && ir.output.width === ir.target.width ? new RegressionAccumulator(ir.target.width) : null;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.n; start += chunk) {
    const rows = Math.min(chunk, data.n - start);
    const x = data.x.subarray(start * ir.input.width, (start + rows) * ir.input.width);
    const y = data.y!.subarray(start * ir.target.width, (start + rows) * ir.target.width);
    lossSum += model.loss(x, y, rows) * rows;
    if (regression) regression.add(model.predict(x, rows), y, rows);
    if (!accuracy) continue;
    const p = model.predict(x, rows);
    for (let r = 0; r < rows; r++) if (predictedClass(ir, p, r) === data.classes![start + r]) correct++;
  }
  return { loss: lossSum / data.n, accuracy: accuracy ? correct / data.n : null, rows: data.n, ...(regression && { regression: regression.result() }) };
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

/** Which tensor goes non-finite first, on the first minibatch-sized chunk of rows where one does. */
function findCulprit(model: Model, ir: ModelIR, data: Dataset, batch: number): string {
  for (let start = 0; start < data.n; start += batch) {
    const rows = Math.min(batch, data.n - start);
    const x = data.x.subarray(start * ir.input.width, (start + rows) * ir.input.width);
    const { loss, grads } = model.gradients(x, data.y!.subarray(start * ir.target.width, (start + rows) * ir.target.width), rows);
    const bad = Object.keys(grads).find((name) => !grads[name]!.data.every(Number.isFinite));
    if (Number.isFinite(loss) && !bad) continue;
    if (!model.predict(x, rows).every(Number.isFinite)) return `output '${ir.output.name}'`;
    return bad ? `gradient of '${bad}'` : "the loss (a predicted probability of exactly 0 or 1?)";
  }
  return "the loss";
}
