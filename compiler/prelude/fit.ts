// fit: epochs of seeded, shuffled minibatches through the model's training step, with the
// learning-rate schedule applied at each epoch. It may allocate (once per call, not per row).
import type { FitOptions } from "./api.js";
import { checkFinite } from "./inputs.js";
import { sfc32, seedRng } from "./random.js";
import { scheduledLr } from "./training.js";
import type { ModelCore } from "./core.js";

export function fitEpochs(
  core: ModelCore,
  x: Float64Array,
  y: Float64Array,
  n: number,
  options: FitOptions = {},
): number[] {
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
  checkFinite("fit", "x", x, inW, n);
  checkFinite("fit", "y", y, yW, n);
  if (options.seed !== undefined) seedRng(core.shuffleRng, options.seed);
  const order = new Uint32Array(n);
  const bx = new Float64Array(batch * inW);
  const by = new Float64Array(batch * yW);
  const history: number[] = [];
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
    history.push(total / n);
    if (options.onEpoch && options.onEpoch(epoch, total / n) === false) break;
  }
  return history;
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
