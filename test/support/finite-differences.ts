// The one finite-difference check of the test suite: the emitted backward pass (`gradients`)
// against central differences of the emitted forward pass (`loss`), element by element.
import type { Model } from "../../cli/generated-types.js";

/**
 * The step and the tolerance, chosen for float64.
 *
 * A central difference (L(w + h) − L(w − h)) / 2h has two errors: truncation, about
 * h²·|L'''| / 6, and rounding, about ε·|L| / h (ε = 2.2e-16, L the loss, whose value carries a
 * few ε of relative error). h = 1e-5 ≈ ε^(1/3) balances them at about 1e-11 of the scale of the
 * loss and its derivatives. A pair (analytic a, numeric d) agrees when
 *
 *     |a − d| <= REL · max(|a|, |d|) + ABS · max(1, |L|)
 *
 * REL = 1e-6 covers truncation where third derivatives are large relative to the first (steep
 * activations, batch statistics over two rows); ABS = 1e-8 covers rounding, in proportion to the
 * loss (a `reduce: sum` loss is large, and so is its rounding). Both are hundreds of times the
 * expected error, while a wrong derivative rule (a missing term, a factor off) misses by orders
 * of magnitude.
 */
export const FD_STEP = 1e-5;
export const FD_REL = 1e-6;
export const FD_ABS = 1e-8;

export interface GradientMismatch {
  name: string;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradientReport {
  /** Weight elements compared (trainable parameters only: frozen ones have no gradient). */
  checked: number;
  /** Largest |analytic gradient|, so a test can refuse a case whose gradients are all zero. */
  maxGrad: number;
  /** The loss `gradients` returned at the unperturbed weights. */
  loss: number;
  /** `loss(x, y, n, "train")` from the same state: equal to `loss` unless the two disagree. */
  trainLoss: number;
  failures: GradientMismatch[];
}

/** Whether an analytic and a numeric derivative agree under the rule above. */
export function gradientsAgree(analytic: number, numeric: number, loss: number): boolean {
  return Math.abs(analytic - numeric) <= FD_REL * Math.max(Math.abs(analytic), Math.abs(numeric)) + FD_ABS * Math.max(1, Math.abs(loss));
}

/**
 * Checks every trainable weight element of `model` on the batch (x, y, n). Losses are taken in
 * training mode with the training state restored before each evaluation, so dropout draws the
 * same masks and batchnorm uses the same batch statistics as `gradients` did; for a model
 * without such layers training and evaluation mode are the same function. Leaves the model's
 * weights and state as it found them.
 */
export function checkGradients(model: Model, x: Float64Array, y: Float64Array, n: number): GradientReport {
  const saved = model.getState();
  const { grads, loss } = model.gradients(x, y, n);
  model.setState(saved);
  const trainLoss = model.loss(x, y, n, "train");
  const report: GradientReport = { checked: 0, maxGrad: 0, loss, trainLoss, failures: [] };
  const weights = model.getWeights();
  const lossAt = (name: string, data: Float64Array): number => {
    model.setWeights({ [name]: { data } });
    model.setState(saved);
    return model.loss(x, y, n, "train");
  };
  for (const [name, gradient] of Object.entries(grads)) {
    const data = weights[name]!.data.slice();
    for (let i = 0; i < data.length; i++) {
      const original = data[i]!;
      data[i] = original + FD_STEP;
      const up = lossAt(name, data);
      data[i] = original - FD_STEP;
      const down = lossAt(name, data);
      data[i] = original;
      const numeric = (up - down) / (2 * FD_STEP);
      const analytic = gradient.data[i]!;
      report.checked++;
      report.maxGrad = Math.max(report.maxGrad, Math.abs(analytic));
      if (!gradientsAgree(analytic, numeric, loss)) report.failures.push({ name, index: i, analytic, numeric });
    }
    model.setWeights({ [name]: { data } });
  }
  model.setState(saved);
  return report;
}
