// The points of the loss plot, in memory bounded by the plot's width rather than the run's
// length: epochs fall into at most `buckets` equal ranges, and each range keeps, per curve,
// only its lowest and its highest point (so spikes survive, unlike with averaging or every
// k-th epoch). The first and the last epoch are always kept. Ten million epochs cost the same
// memory, and draw in the same time, as a few hundred.
import type { EpochStats } from "../train-loop.js";

export interface PlotPoint {
  epoch: number;
  split: "train" | "validation";
  metric: "loss" | "accuracy";
  value: number;
}

interface Extremes {
  min: PlotPoint;
  max: PlotPoint;
}

export const PLOT_BUCKETS = 500;

export class LossHistory {
  private readonly width: number;
  private readonly curves = new Map<string, Extremes[]>();
  private readonly ends = new Map<string, { first: PlotPoint; last: PlotPoint }>();
  private epochs = 0;

  /** `first`..`last`: the epochs the run will cover (the run may stop early). */
  constructor(private readonly first: number, last: number, buckets = PLOT_BUCKETS) {
    this.width = Math.max(1, Math.ceil((last - first + 1) / buckets));
  }

  add(s: EpochStats): void {
    this.epochs++;
    const splits = s.val ? ([["train", s.train], ["validation", s.val]] as const) : ([["train", s.train]] as const);
    for (const [split, m] of splits) {
      this.point({ epoch: s.epoch, split, metric: "loss", value: m.loss });
      if (m.accuracy !== null) this.point({ epoch: s.epoch, split, metric: "accuracy", value: m.accuracy });
    }
  }

  /** Epochs recorded (not points kept). */
  get recorded(): number {
    return this.epochs;
  }

  hasAccuracy(): boolean {
    return [...this.curves.keys()].some((k) => k.endsWith("/accuracy"));
  }

  /** Every kept point, each curve in epoch order. */
  points(): PlotPoint[] {
    const out: PlotPoint[] = [];
    for (const [key, buckets] of this.curves) {
      const kept = new Map<number, PlotPoint>();
      const ends = this.ends.get(key)!;
      for (const p of [ends.first, ...buckets.flatMap((b) => (b ? [b.min, b.max] : [])), ends.last]) kept.set(p.epoch, p);
      out.push(...[...kept.values()].sort((a, b) => a.epoch - b.epoch));
    }
    return out;
  }

  private point(p: PlotPoint): void {
    if (!Number.isFinite(p.value)) return;
    const key = `${p.split}/${p.metric}`;
    let buckets = this.curves.get(key);
    if (!buckets) {
      buckets = [];
      this.curves.set(key, buckets);
      this.ends.set(key, { first: p, last: p });
    }
    const ends = this.ends.get(key)!;
    if (p.epoch < ends.first.epoch) ends.first = p;
    if (p.epoch >= ends.last.epoch) ends.last = p;
    const i = Math.max(0, Math.floor((p.epoch - this.first) / this.width));
    const b = buckets[i];
    if (!b) buckets[i] = { min: p, max: p };
    else if (p.value < b.min.value) b.min = p;
    else if (p.value > b.max.value) b.max = p;
  }
}
