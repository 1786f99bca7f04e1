// Runs a generated model's own `fit` one epoch at a time (so its shuffle, learning-rate
// schedule, warm-up, clipping and dropout all apply), evaluating loss and accuracy on the
// training and validation sets after every epoch. After each epoch it keeps the weights of the
// last good epoch and of the best one (the training state — optimizer moments, counters,
// generators — is taken only when a caller needs it: getState costs more than a small
// model's whole epoch, and it can always be read while the model still holds that epoch). Divergence — a
// non-finite batch loss inside fit, a non-finite loss in the end-of-epoch evaluation, or a
// non-finite weight — stops the run and puts the last good snapshot back. The loop yields to
// the event loop every few milliseconds, so a signal handler can ask it to stop between epochs.
import { classPositions, type ModelIR } from "../compiler/model.js";
import type { Dataset } from "../data/dataset.js";
import type { Model, TrainingState, Weights } from "./generated-types.js";
import type { SplitMetrics } from "../data/weights.js";
import { RegressionAccumulator } from "../data/metrics.js";

export interface EpochStats {
  epoch: number;
  train: SplitMetrics;
  val: SplitMetrics | null;
}

/** The model as it was at the end of an epoch. */
export interface Snapshot {
  stats: EpochStats;
  weights: Weights;
  /** getState() at that epoch, when it was taken (see captureState); null otherwise. */
  state: TrainingState | null;
}

/** Fills in the snapshot's training state; only valid while the model still holds that epoch. */
export function captureState(model: Model, s: Snapshot): Snapshot {
  s.state ??= model.getState();
  return s;
}

export interface TrainFailure {
  epoch: number;
  /** What diverged, where and when, as a sentence: "the loss became NaN at epoch 3, batch 2 (...)". */
  message: string;
}

export type StopReason =
  /** `beforeTraining`: the starting point itself is not finite, so there are no good weights at all. */
  | { kind: "diverged"; failure: TrainFailure; beforeTraining?: boolean }
  | { kind: "patience"; epochs: number }
  | { kind: "requested" };

export interface TrainLoopOptions {
  /** Epochs to train in this call (they count on from the model's own epoch counter). */
  epochs: number;
  batch: number;
  /** Stop after this many epochs in a row without a new best loss. */
  patience?: number;
  onEpoch?: (stats: EpochStats) => void;
  /** Runs after every completed epoch, between epochs (checkpoints); the model holds `last`. */
  afterEpoch?: (last: Snapshot, best: Snapshot) => void | Promise<void>;
  /** Checked between epochs: true ends the run after the epoch that just completed. */
  stopRequested?: () => boolean;
}

export interface TrainOutcome {
  /** The state before the first epoch of this call (epoch = the model's epoch counter then). */
  initial: Snapshot;
  /** The last good epoch; the model holds its weights when the loop returns (and its state, unless diverged). */
  last: Snapshot;
  /** The epoch with the lowest validation loss (training loss without validation data). */
  best: Snapshot;
  stopped: StopReason | null;
}

/** What the generated `fit` throws when the loss stops being finite (see compiler/prelude/fit.ts). */
interface NonFiniteLossError extends Error {
  name: "NonFiniteLossError";
  epoch: number;
  batch: number;
  loss: number;
}

function isNonFiniteLoss(err: unknown): err is NonFiniteLossError {
  return err instanceof Error && err.name === "NonFiniteLossError" && typeof (err as NonFiniteLossError).batch === "number";
}

/** How long the loop may run without letting signal handlers and timers in. */
const YIELD_MS = 50;

export async function trainModel(model: Model, ir: ModelIR, train: Dataset, val: Dataset | null, options: TrainLoopOptions): Promise<TrainOutcome> {
  const batch = Math.min(options.batch, model.info.maxBatch);
  const snapshot = (stats: EpochStats): Snapshot => ({ stats, weights: model.getWeights(), state: null });
  const measure = (epoch: number): EpochStats => ({ epoch, train: evaluate(model, ir, train), val: val && evaluate(model, ir, val) });
  const start = model.getState().epoch;
  const initial = captureState(model, snapshot(measure(start)));
  let last = initial;
  let best = initial;
  const broken = divergence(ir, initial);
  if (broken) {
    // Nothing trained yet, so nothing is good: the data or the weights the run starts from overflow the model.
    return { initial, last, best, stopped: { kind: "diverged", failure: { epoch: start, message: `${broken.message.replace(/ at the end of epoch \d+/, "").replace(/ in the evaluation/, "")} before training (at epoch ${start}); the data or the starting weights overflow the model` }, beforeTraining: true } };
  }
  let sinceBest = 0;
  let yielded = performance.now();
  // After a failed epoch the weights go back; the training state too when it was taken
  // (otherwise the file written from this snapshot says it has none, and a resume starts the
  // optimizer afresh at that epoch).
  const restore = (s: Snapshot) => {
    model.setWeights(s.weights);
    if (s.state) model.setState(s.state);
  };
  for (let e = 1; e <= options.epochs; e++) {
    const epoch = start + e;
    try {
      model.fit(train.x, train.y!, train.n, { epochs: 1, batch });
    } catch (err) {
      if (!isNonFiniteLoss(err)) throw err;
      // fit skipped the failing update, but earlier steps may already have driven the weights
      // somewhere useless; the snapshot from the end of the last epoch is known good.
      const culprit = `${findCulprit(model, ir, train, batch)} is not finite`;
      restore(last);
      const failure = { epoch, message: `the loss became ${err.loss} at epoch ${epoch}, batch ${err.batch} (${culprit})` };
      return { initial, last, best, stopped: { kind: "diverged", failure } };
    }
    const current = snapshot(measure(epoch));
    const failure = divergence(ir, current);
    if (failure) {
      restore(last);
      return { initial, last, best, stopped: { kind: "diverged", failure } };
    }
    last = current;
    const stats = current.stats;
    options.onEpoch?.(stats);
    if (monitored(stats) < monitored(best.stats) || !Number.isFinite(monitored(best.stats))) {
      best = last;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    await options.afterEpoch?.(last, best);
    if (options.patience !== undefined && sinceBest >= options.patience) return { initial, last, best, stopped: { kind: "patience", epochs: sinceBest } };
    if (performance.now() - yielded > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      yielded = performance.now();
    }
    if (options.stopRequested?.()) return { initial, last, best, stopped: { kind: "requested" } };
  }
  return { initial, last, best, stopped: null };
}

/** The loss that decides the best epoch: validation when there is validation data. */
export function monitored(stats: EpochStats): number {
  return stats.val ? stats.val.loss : stats.train.loss;
}

/**
 * The loss of all rows (evaluation mode), and accuracy or regression metrics from predictions in
 * chunks of the compiled maximum batch. The loss is the module's own on all rows: it combines
 * chunks as the model's loss allows (info.lossChunks: a mean stays a mean, a sum a sum); netc
 * train compiles a loss that allows neither for the largest split (see trainerBatch).
 */
export function evaluate(model: Model, ir: ModelIR, data: Dataset): SplitMetrics {
  const chunk = model.info.maxBatch;
  const accuracy = data.classes !== null && isClassifier(ir);
  const positions = classPositions(ir);
  const regression = !isClassifier(ir) && ir.output.width === ir.target.width ? new RegressionAccumulator(ir.target.width) : null;
  let correct = 0;
  for (let start = 0; start < data.n && (regression || accuracy); start += chunk) {
    const rows = Math.min(chunk, data.n - start);
    const p = model.predict(data.x.subarray(start * ir.input.width, (start + rows) * ir.input.width), rows);
    if (regression) regression.add(p, data.y!.subarray(start * ir.target.width, (start + rows) * ir.target.width), rows);
    // A class per position counts every position: per-token accuracy.
    if (accuracy) for (let i = 0; i < rows * positions; i++) if (predictedClass(ir, p, i) === data.classes![start * positions + i]) correct++;
  }
  const loss = model.loss(data.x, data.y!, data.n);
  return { loss, accuracy: accuracy ? correct / (data.n * positions) : null, rows: data.n, ...(regression && { regression: regression.result() }) };
}

/**
 * The maximum batch netc train compiles for: the training batch, and enough rows to evaluate a
 * split in few calls — or in one call, whatever its size, when the model's loss cannot be
 * computed in chunks (a sum over rows plus a penalty, ...).
 */
export function trainerBatch(ir: ModelIR, batch: number, splitRows: number, evalRows: number): number {
  return Math.max(batch, ir.lossChunks.eval.combine === null ? splitRows : Math.min(evalRows, splitRows));
}

/** Softmax heads and class(K) targets: argmax; one sigmoid output: threshold 0.5. */
export function isClassifier(ir: ModelIR): boolean {
  return ir.head === "softmax" || ir.target.classes !== undefined || (ir.head === "sigmoid" && ir.output.width === 1);
}

/** The class of decision `i`: row i, or for a class per position, position i of the rows laid end to end. */
export function predictedClass(ir: ModelIR, p: ArrayLike<number>, i: number): number {
  const w = ir.output.width / classPositions(ir);
  if (w === 1) return p[i]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < w; j++) if (p[i * w + j]! > p[i * w + best]!) best = j;
  return best;
}

/** Past this a weight's square overflows (Adam's second moment, an l2 penalty, the next gradient). */
export const WEIGHT_LIMIT = Math.sqrt(Number.MAX_VALUE);

/**
 * A diverged end-of-epoch state: a non-finite or overflowing weight (running statistics
 * included), or a non-finite evaluated loss. fit checks each batch's loss only *before* its
 * update, so the last updates of an epoch can ruin the weights unseen (`--lr 1e308`).
 */
function divergence(ir: ModelIR, { stats, weights }: Snapshot): TrainFailure | null {
  const epoch = stats.epoch;
  for (const [name, t] of Object.entries(weights)) {
    const bad = t.data.find((v) => !(Math.abs(v) <= WEIGHT_LIMIT));
    if (bad === undefined) continue;
    const what = Number.isFinite(bad) ? `reached ${bad.toPrecision(3)} at the end of epoch ${epoch}, beyond ±${WEIGHT_LIMIT.toPrecision(3)} where its square overflows` : `holds ${bad} at the end of epoch ${epoch}`;
    return { epoch, message: `parameter '${name}' ${what} (training loss ${stats.train.loss})` };
  }
  const split = !Number.isFinite(stats.train.loss) ? "training" : stats.val && !Number.isFinite(stats.val.loss) ? "validation" : null;
  if (!split) return null;
  const loss = split === "validation" ? stats.val!.loss : stats.train.loss;
  return { epoch, message: `the ${split} loss became ${loss} in the evaluation at the end of epoch ${epoch} (output '${ir.output.name}' or the loss overflowed; the largest weight is ${largestWeight(weights)})` };
}

function largestWeight(weights: Weights): string {
  let name = "";
  let max = -1;
  for (const [k, t] of Object.entries(weights)) {
    for (const v of t.data) {
      if (Math.abs(v) > max) {
        max = Math.abs(v);
        name = k;
      }
    }
  }
  return `'${name}' at ${max.toPrecision(3)}`;
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
