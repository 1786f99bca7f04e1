// Per-feature standardization (`netc train --normalize`): x' = (x − mean) / std with the mean and
// the standard deviation of the training split, saved in the weights file so that prediction
// (netc predict, predictors) sees inputs on the scale the weights were trained on.
import { WeightsError } from "./errors.js";

export interface Normalization {
  /** One entry per input feature, in input order. */
  mean: number[];
  /** Population standard deviation; 1 for a constant feature, so it passes through centered. */
  std: number[];
}

/** Mean and standard deviation of each of the `width` columns of `rows` rows. */
export function fitNormalization(x: Float64Array, rows: number, width: number): Normalization {
  const mean = new Array<number>(width).fill(0);
  const m2 = new Array<number>(width).fill(0);
  // Welford's update: one pass, no cancellation for features with a large offset.
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      const v = x[r * width + j]!;
      const d = v - mean[j]!;
      mean[j]! += d / (r + 1);
      m2[j]! += d * (v - mean[j]!);
    }
  }
  const std = m2.map((s, j) => {
    const sd = Math.sqrt(s / Math.max(rows, 1));
    return Number.isFinite(sd) && sd > 1e-12 * Math.max(1, Math.abs(mean[j]!)) ? sd : 1;
  });
  return { mean, std };
}

/** Standardizes `rows` rows of `x` in place. */
export function applyNormalization(x: Float64Array, rows: number, norm: Normalization): void {
  const width = norm.mean.length;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) x[r * width + j] = (x[r * width + j]! - norm.mean[j]!) / norm.std[j]!;
  }
}

/** Throws unless `value` is absent or a normalization for `width` features. */
export function checkNormalization(value: unknown, width: number, path: string): asserts value is Normalization | null | undefined {
  if (value === undefined || value === null) return;
  const n = value as Partial<Normalization>;
  const ok = (a: unknown, positive: boolean) =>
    Array.isArray(a) && a.length === width && a.every((v) => typeof v === "number" && Number.isFinite(v) && (!positive || v > 0));
  if (typeof n !== "object" || !ok(n.mean, false) || !ok(n.std, true)) {
    throw new WeightsError(`${path}: malformed weights file: "normalization" must hold "mean" and "std", ${width} finite numbers each (std positive)`);
  }
}
