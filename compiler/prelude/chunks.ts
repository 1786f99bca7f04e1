// predict and loss on any number of rows: the compiled kernels take at most maxBatch rows, read
// from the start of their arrays, so larger batches (and standardized inputs) go through copies
// into preallocated chunk arrays. Allocation-free, except predict's result array for more than
// maxBatch rows when the caller passes none.
import type { LossChunking } from "./api.js";
import { badLabel } from "./inputs.js";

/** Per-feature standardization applied to every `x` before the kernels see it; `on` is false until a weights file sets it. */
export interface InputScaling {
  on: boolean;
  mean: Float64Array;
  std: Float64Array;
}

/** The chunk arrays and sizes a generated module hands the chunked paths (allocated once, in createModel). */
export interface RowChunks {
  maxBatch: number;
  inputWidth: number;
  targetWidth: number;
  outputWidth: number;
  /** Class count of a class(K) target, whose rows hold one index each; null otherwise. */
  classes: number | null;
  x: Float64Array;
  y: Float64Array;
  scaling: InputScaling;
}

/** Rows start..start+rows of `x`, copied to the chunk array (standardized when scaling is on). */
export function chunkRows(c: RowChunks, x: Float64Array, start: number, rows: number): Float64Array {
  const w = c.inputWidth;
  const from = start * w;
  if (c.scaling.on) {
    const { mean, std } = c.scaling;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < w; k++) c.x[r * w + k] = (x[from + r * w + k]! - mean[k]!) / std[k]!;
    }
  } else {
    for (let i = 0; i < rows * w; i++) c.x[i] = x[from + i]!;
  }
  return c.x;
}

/** Standardizes `rows` rows of `x` in place (fit's own copies of its rows). */
export function scaleInPlace(s: InputScaling, x: Float64Array, rows: number): void {
  const w = s.mean.length;
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < w; k++) x[r * w + k] = (x[r * w + k]! - s.mean[k]!) / s.std[k]!;
}

/**
 * The forward pass on any number of rows through `kernel` (at most maxBatch rows, returning a view of
 * its output): into `out` when given; else, up to maxBatch rows, the kernel's own view, beyond that a new array.
 */
export function predictInChunks(
  c: RowChunks,
  kernel: (x: Float64Array, n: number) => Float64Array,
  x: Float64Array,
  n: number,
  out: Float64Array | undefined,
): Float64Array {
  const outW = c.outputWidth;
  if (out !== undefined && !(out instanceof Float64Array && out.length >= n * outW)) {
    throw new RangeError(
      `predict: out must be a Float64Array of at least ${n * outW} values for ${n} rows, got ${out instanceof Float64Array ? `${out.length} values` : typeof out}`,
    );
  }
  if (out === undefined && n <= c.maxBatch) return kernel(chunkRows(c, x, 0, n), n);
  const result = out ?? newPredictions(n * outW);
  for (let start = 0; start < n; start += c.maxBatch) {
    const rows = Math.min(c.maxBatch, n - start);
    const p = kernel(chunkRows(c, x, start, rows), rows);
    for (let i = 0; i < rows * outW; i++) result[start * outW + i] = p[i]!;
  }
  return result;
}

/** predict's result for more than maxBatch rows without `out`: the one allocation the hot functions make. */
export function newPredictions(length: number): Float64Array {
  return new Float64Array(length);
}

/** The loss of any number of rows from chunks of at most maxBatch rows, combined as `rule` says. */
export function lossInChunks(
  c: RowChunks,
  kernel: (x: Float64Array, y: Float64Array, n: number) => number,
  x: Float64Array,
  y: Float64Array,
  n: number,
  mode: "train" | "eval",
  rule: LossChunking,
): number {
  if (n > c.maxBatch && rule.combine === null) {
    throw new RangeError(
      `loss: ${n} rows are more than the compiled maximum batch (${c.maxBatch}), and this model's ${mode === "train" ? "training-mode " : ""}loss cannot be computed in chunks: ${rule.reason}; pass at most ${c.maxBatch} rows, or compile with --max-batch ${n}`,
    );
  }
  const yW = c.targetWidth;
  if (n <= c.maxBatch) return kernel(chunkRows(c, x, 0, n), y, n);
  // The kernels report a bad class label by its row in the chunk; checked here, it is named by its row in y.
  if (c.classes !== null) {
    for (let r = 0; r < n; r++) {
      const v = y[r]!;
      if (!(v >= 0 && v < c.classes && v === Math.floor(v))) badLabel(r, v, c.classes);
    }
  }
  let total = 0;
  for (let start = 0; start < n; start += c.maxBatch) {
    const rows = Math.min(c.maxBatch, n - start);
    for (let i = 0; i < rows * yW; i++) c.y[i] = y[start * yW + i]!;
    const value = kernel(chunkRows(c, x, start, rows), c.y, rows);
    total += rule.combine === "sum" ? value : value * rows;
  }
  return rule.combine === "sum" ? total : total / n;
}
