// Attributions of one row's output to its input features, through a generated module's
// inputGradients: plain saliency (the gradient) and integrated gradients (Sundararajan, Taly &
// Yan 2017) from a zero baseline, whose attributions sum to f(x) − f(baseline) — completeness.
import type { Model } from "./generated-types.js";

export interface Target {
  /** Output index whose value is explained. */
  output: number;
  /** −1 explains 1 − p instead of p (a binary classifier's class 0). */
  sign: 1 | -1;
}

export interface Attribution {
  /** One number per input feature. */
  values: Float64Array;
  /** f at the row and at the baseline (the explained quantity: s·p_output, plus 1 when s = −1). */
  fx: number;
  fBaseline: number;
}

/** The explained quantity at `rows` rows of `x`, row r. */
function valueAt(model: Model, x: Float64Array, rows: number, r: number, t: Target): number {
  const p = model.predict(x, rows)[r * model.info.output.width + t.output]!;
  return t.sign === 1 ? p : 1 - p;
}

/** Saliency: ∂f/∂xᵢ at the row. */
export function gradientAttribution(model: Model, row: Float64Array, t: Target): Attribution {
  const g = model.inputGradients(row, 1, t.output);
  const values = Float64Array.from(g, (v) => t.sign * v);
  return { values, fx: valueAt(model, row, 1, 0, t), fBaseline: valueAt(model, new Float64Array(row.length), 1, 0, t) };
}

/**
 * Integrated gradients from the zero baseline: xᵢ · mean over α of ∂f/∂xᵢ(α·x), α at the
 * midpoints of `steps` equal intervals of [0, 1] (a midpoint Riemann sum), evaluated in batches
 * of up to `maxRows` path points (1 when the model couples the rows of a batch: couplesRows).
 */
export function integratedGradients(model: Model, row: Float64Array, t: Target, steps: number, maxRows = model.info.maxBatch): Attribution {
  const width = row.length;
  const batch = Math.max(1, Math.min(steps, maxRows, model.info.maxBatch));
  const path = new Float64Array(batch * width);
  const sum = new Float64Array(width);
  for (let start = 0; start < steps; start += batch) {
    const n = Math.min(batch, steps - start);
    for (let k = 0; k < n; k++) {
      const alpha = (start + k + 0.5) / steps;
      for (let i = 0; i < width; i++) path[k * width + i] = alpha * row[i]!;
    }
    const g = model.inputGradients(path, n, t.output);
    for (let k = 0; k < n; k++) for (let i = 0; i < width; i++) sum[i]! += g[k * width + i]!;
  }
  const values = Float64Array.from(sum, (s, i) => (t.sign * s * row[i]!) / steps);
  return { values, fx: valueAt(model, row, 1, 0, t), fBaseline: valueAt(model, new Float64Array(width), 1, 0, t) };
}
