// The points of the loss plot, in memory bounded by the plot's width rather than the run's
// length: epochs fall into at most `buckets` equal ranges, and each range keeps, per curve,
// only its lowest and its highest point (so spikes survive, unlike with averaging or every
// k-th epoch). The first and the last epoch are always kept. Ten million epochs cost the same
// memory, and draw in the same time, as a few hundred; recording one epoch allocates nothing.
import type { EpochStats } from "../train-loop.js";

export interface PlotPoint {
  epoch: number;
  split: "train" | "validation";
  metric: "loss" | "accuracy";
  value: number;
}

/** Each panel is 380 px wide: 200 ranges, two points each, are about one point per pixel. */
export const PLOT_BUCKETS = 200;

const CURVES = [
  ["train", "loss"],
  ["validation", "loss"],
  ["train", "accuracy"],
  ["validation", "accuracy"],
] as const;

/** One curve: per bucket the epoch and value of its minimum and maximum (NaN epoch: empty). */
class Curve {
  readonly minEpoch: Float64Array;
  readonly minValue: Float64Array;
  readonly maxEpoch: Float64Array;
  readonly maxValue: Float64Array;
  first = { epoch: Infinity, value: NaN };
  last = { epoch: -Infinity, value: NaN };

  constructor(buckets: number) {
    this.minEpoch = new Float64Array(buckets).fill(NaN);
    this.minValue = new Float64Array(buckets);
    this.maxEpoch = new Float64Array(buckets).fill(NaN);
    this.maxValue = new Float64Array(buckets);
  }

  add(bucket: number, epoch: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (epoch < this.first.epoch) this.first = { epoch, value };
    if (epoch >= this.last.epoch) {
      this.last.epoch = epoch;
      this.last.value = value;
    }
    if (Number.isNaN(this.minEpoch[bucket]!)) {
      this.minEpoch[bucket] = this.maxEpoch[bucket] = epoch;
      this.minValue[bucket] = this.maxValue[bucket] = value;
    } else if (value < this.minValue[bucket]!) {
      this.minEpoch[bucket] = epoch;
      this.minValue[bucket] = value;
    } else if (value > this.maxValue[bucket]!) {
      this.maxEpoch[bucket] = epoch;
      this.maxValue[bucket] = value;
    }
  }

  /** The kept points in epoch order, each epoch once. */
  points(): [number, number][] {
    const kept = new Map<number, number>();
    if (Number.isFinite(this.first.epoch)) kept.set(this.first.epoch, this.first.value);
    for (let b = 0; b < this.minEpoch.length; b++) {
      if (Number.isNaN(this.minEpoch[b]!)) continue;
      kept.set(this.minEpoch[b]!, this.minValue[b]!);
      kept.set(this.maxEpoch[b]!, this.maxValue[b]!);
    }
    if (Number.isFinite(this.last.epoch)) kept.set(this.last.epoch, this.last.value);
    return [...kept].sort((a, b) => a[0] - b[0]);
  }
}

export class LossHistory {
  private readonly width: number;
  private readonly curves: Curve[];

  /** `first`..`last`: the epochs the run will cover (it may stop early). */
  constructor(private readonly first: number, last: number, buckets = PLOT_BUCKETS) {
    this.width = Math.max(1, Math.ceil((last - first + 1) / buckets));
    const count = Math.ceil((last - first + 1) / this.width);
    this.curves = CURVES.map(() => new Curve(count + 1));
  }

  add(s: EpochStats): void {
    const bucket = Math.min(this.curves[0]!.minEpoch.length - 1, Math.max(0, Math.floor((s.epoch - this.first) / this.width)));
    this.curves[0]!.add(bucket, s.epoch, s.train.loss);
    if (s.train.accuracy !== null) this.curves[2]!.add(bucket, s.epoch, s.train.accuracy);
    if (s.val) {
      this.curves[1]!.add(bucket, s.epoch, s.val.loss);
      if (s.val.accuracy !== null) this.curves[3]!.add(bucket, s.epoch, s.val.accuracy);
    }
  }

  hasAccuracy(): boolean {
    return Number.isFinite(this.curves[2]!.first.epoch);
  }

  /** Every kept point, each curve in epoch order. */
  points(): PlotPoint[] {
    return CURVES.flatMap(([split, metric], i) => this.curves[i]!.points().map(([epoch, value]) => ({ epoch, split, metric, value })));
  }
}
