// Quality of a regression's predictions, accumulated batch by batch so a data set of any size
// is measured in one pass: mean absolute error, root mean squared error, and R² (1 − residual
// sum of squares / total sum of squares, per output column, averaged like scikit-learn's
// r2_score with its default "uniform_average").

export interface RegressionMetrics {
  mae: number;
  rmse: number;
  /** NaN when a target column is constant (R² is undefined there). */
  r2: number;
}

export class RegressionAccumulator {
  private rows = 0;
  private absSum = 0;
  private sqSum = 0;
  private readonly residual: Float64Array;
  private readonly mean: Float64Array;
  /** Σ (y − mean)² per column, by Welford's update. */
  private readonly spread: Float64Array;

  constructor(readonly width: number) {
    this.residual = new Float64Array(width);
    this.mean = new Float64Array(width);
    this.spread = new Float64Array(width);
  }

  /** `rows` rows of predictions `p` against targets `y`, both `width` values per row. */
  add(p: ArrayLike<number>, y: ArrayLike<number>, rows: number): void {
    const w = this.width;
    for (let r = 0; r < rows; r++) {
      this.rows++;
      for (let j = 0; j < w; j++) {
        const t = y[r * w + j]!;
        const d = p[r * w + j]! - t;
        this.absSum += Math.abs(d);
        this.sqSum += d * d;
        this.residual[j]! += d * d;
        const delta = t - this.mean[j]!;
        this.mean[j]! += delta / this.rows;
        this.spread[j]! += delta * (t - this.mean[j]!);
      }
    }
  }

  result(): RegressionMetrics {
    const count = this.rows * this.width;
    let r2 = 0;
    for (let j = 0; j < this.width; j++) r2 += this.spread[j]! > 0 ? 1 - this.residual[j]! / this.spread[j]! : NaN;
    return { mae: this.absSum / count, rmse: Math.sqrt(this.sqSum / count), r2: r2 / this.width };
  }
}

/** `MAE 0.1234  RMSE 0.2345  R² 0.9876`. */
export function regressionText(m: RegressionMetrics, prefix = ""): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
  return `${prefix}mae ${f(m.mae)}  ${prefix}rmse ${f(m.rmse)}  ${prefix}r2 ${f(m.r2)}`;
}
