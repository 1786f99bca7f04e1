// fit: epochs of seeded, shuffled minibatches through the model's training step, with the
// learning-rate schedule applied at each epoch, and — when asked — the loss monitored after
// every epoch for early stopping and the best epoch (netc train's --patience and --restore-best:
// the same rule, cli/train-loop.ts). It may allocate (once per call or per epoch, not per row).
import type { FitOptions, FitResult } from "./api.js";
import { scaleInPlace } from "./chunks.js";
import { checkFinite, checkIds, checkRows, largestValue } from "./inputs.js";
import { sfc32, seedRng } from "./random.js";
import { scheduledLr } from "./training.js";
import type { ModelCore } from "./core.js";

export function fitEpochs(
  core: ModelCore,
  x: Float64Array,
  y: Float64Array,
  n: number,
  options: FitOptions = {},
): FitResult {
  const { maxBatch, input, target, train } = core.info;
  const inW = input.width;
  const yW = target.width;
  const epochs = options.epochs ?? train.epochs;
  const batch = options.batch ?? Math.min(train.batch, maxBatch);
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batch) || batch < 1 || batch > maxBatch) {
    throw new RangeError(`fit: batch must be an integer from 1 to ${maxBatch}, got ${batch}`);
  }
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`fit: n must be a positive integer, got ${n}`);
  if (x.length < n * inW || y.length < n * yW) {
    throw new RangeError(
      `fit: ${n} rows need ${n * inW} inputs and ${n * yW} targets, got ${x.length} and ${y.length}`,
    );
  }
  // Every row is checked once, here: a bad value stops fit before any update and is named by its
  // row in x or y, and the batches (copies of checked rows) need no check of their own.
  const largest = largestValue(core.info.precision);
  checkFinite("fit", "x", x, inW, n, largest);
  if (input.index) checkIds("fit", "x", x, inW, n, input.index);
  checkFinite("fit", "y", y, yW, n, largest);
  const monitor = monitoredLoss(core, x, y, n, options);
  if (options.seed !== undefined) seedRng(core.shuffleRng, options.seed);
  const order = new Uint32Array(n);
  const bx = new Float64Array(batch * inW);
  const by = new Float64Array(batch * yW);
  const scaling = core.rowChunks.scaling;
  const result: FitResult = { losses: [], monitored: [], best: null, stoppedEarly: false, restored: false };
  const best = monitor && {
    epoch: core.progress.epoch,
    loss: monitor(),
    saved: options.restoreBest ? snapshotTraining(core) : null,
  };
  if (best) result.monitored.push(best.loss);
  let sinceBest = 0;
  for (let e = 0; e < epochs; e++) {
    const epoch = core.progress.epoch + 1;
    core.progress.lr = scheduledLr(core.schedule, epoch);
    // Every epoch shuffles 0..n-1 afresh, so its order depends only on the generator's state:
    // fit(k epochs) = k calls of fit(1 epoch), and an epoch after setState() is the one it replaces.
    for (let i = 0; i < n; i++) order[i] = i;
    if (options.shuffle !== false) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(sfc32(core.shuffleRng) * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    let total = 0;
    for (let start = 0; start < n; start += batch) {
      const rows = Math.min(batch, n - start);
      for (let r = 0; r < rows; r++) {
        const src = order[start + r]!;
        for (let k = 0; k < inW; k++) bx[r * inW + k] = x[src * inW + k]!;
        for (let k = 0; k < yW; k++) by[r * yW + k] = y[src * yW + k]!;
      }
      if (scaling.on) scaleInPlace(scaling, bx, rows);
      core.progress.refused = false;
      const value = core.trainRows(bx, by, rows);
      if (!Number.isFinite(value)) {
        const at = start / batch + 1;
        const why = core.progress.refused ? refusal(core) : "";
        const what = why
          ? `at epoch ${epoch}, batch ${at} ${why}`
          : `the loss became ${value} at epoch ${epoch}, batch ${at}`;
        const error = new Error(
          `fit: ${what}; the weights from before that step are kept. Try a smaller learning rate.`,
        );
        throw Object.assign(error, { name: "NonFiniteLossError", epoch, batch: at, loss: value });
      }
      total += value * rows;
    }
    core.progress.epoch = epoch;
    result.losses.push(total / n);
    if (best) {
      const loss = monitor!();
      result.monitored.push(loss);
      // The rule of netc train: a lower loss, or any loss after a best that is not finite.
      if (loss < best.loss || !Number.isFinite(best.loss)) {
        best.epoch = epoch;
        best.loss = loss;
        if (best.saved) best.saved = snapshotTraining(core, best.saved);
        sinceBest = 0;
      } else {
        sinceBest++;
      }
    }
    if (options.onEpoch && options.onEpoch(epoch, total / n) === false) break;
    if (options.patience !== undefined && sinceBest >= options.patience) {
      result.stoppedEarly = e < epochs - 1;
      break;
    }
  }
  if (best) {
    result.best = { epoch: best.epoch, loss: best.loss };
    if (best.saved && best.epoch !== core.progress.epoch) {
      restoreTraining(core, best.saved);
      result.restored = true;
    }
  }
  return result;
}

/**
 * The loss that decides the best epoch, when the options ask for one: evaluation mode, on the
 * validation rows or else on the training rows (all of them: in chunks when the model's loss
 * allows it, which is checked here, before any training).
 */
function monitoredLoss(
  core: ModelCore,
  x: Float64Array,
  y: Float64Array,
  n: number,
  options: FitOptions,
): (() => number) | null {
  const { patience, restoreBest, validation } = options;
  if (patience !== undefined && !(Number.isInteger(patience) && patience >= 1))
    throw new RangeError(`fit: patience must be a positive integer (epochs), got ${String(patience)}`);
  if (restoreBest !== undefined && typeof restoreBest !== "boolean")
    throw new TypeError(`fit: restoreBest must be true or false, got ${String(restoreBest)}`);
  if (patience === undefined && !restoreBest && validation === undefined) return null;
  const { maxBatch, input, target, lossChunks } = core.info;
  let rows = { x, y, n };
  if (validation !== undefined) {
    if (typeof validation !== "object" || validation === null)
      throw new TypeError(`fit: validation must be { x, y, n }`);
    rows = validation;
    if (!(rows.x instanceof Float64Array && rows.y instanceof Float64Array))
      throw new TypeError(`fit: validation x and y must be Float64Arrays`);
    checkRows(
      "fit: validation",
      rows.n,
      null,
      rows.x,
      input.width,
      rows.y,
      target.width,
      input.index ?? 0,
      largestValue(core.info.precision),
    );
  }
  if (rows.n > maxBatch && lossChunks.eval.combine === null) {
    throw new RangeError(
      `fit: the loss of the ${rows.n} ${validation ? "validation" : "training"} rows (more than the compiled maximum batch, ${maxBatch}) cannot be computed in chunks: ${lossChunks.eval.reason}; compile with --max-batch ${rows.n}`,
    );
  }
  return () => core.loss(rows.x, rows.y, rows.n, "eval");
}

/** Everything training changes: weights, running statistics, optimizer buffers, counters, generators. */
interface SavedTraining {
  tensors: Float64Array[];
  buffers: Float64Array[];
  progress: { step: number; epoch: number; lr: number };
  shuffle: Uint32Array;
  dropout: Uint32Array | null;
}

/** Copies the model's training state, into `into` when given (the arrays of an earlier snapshot). */
function snapshotTraining(core: ModelCore, into?: SavedTraining): SavedTraining {
  const copy = <T extends Float64Array | Uint32Array>(src: T, dst: T | undefined): T => {
    if (!dst) return src.slice() as T;
    dst.set(src);
    return dst;
  };
  const { step, epoch, lr } = core.progress;
  return {
    tensors: core.tensors.map((t, i) => copy(t.data, into?.tensors[i])),
    buffers: core.optimizerBuffers.map((b, i) => copy(b.data, into?.buffers[i])),
    progress: { step, epoch, lr },
    shuffle: copy(core.shuffleRng, into?.shuffle),
    dropout: core.dropoutRng && copy(core.dropoutRng, into?.dropout ?? undefined),
  };
}

function restoreTraining(core: ModelCore, s: SavedTraining): void {
  core.tensors.forEach((t, i) => t.data.set(s.tensors[i]!));
  core.optimizerBuffers.forEach((b, i) => b.data.set(s.buffers[i]!));
  Object.assign(core.progress, s.progress);
  core.shuffleRng.set(s.shuffle);
  if (core.dropoutRng && s.dropout) core.dropoutRng.set(s.dropout);
}

/** Why a step skipped its update, for a message: a gradient that is not finite, by name, or else an overflow. */
function refusal(core: ModelCore): string {
  for (const t of core.tensors) {
    const g = t.grad;
    if (g && !g.subarray(0, t.data.length).every(Number.isFinite))
      return `the gradient of '${t.name}' was not finite`;
  }
  return "the update would have made a weight, running statistic or optimizer state non-finite (an overflow)";
}
