// The search netc tune runs, as plain decisions with no I/O: which configurations to try
// (seeded random search over the tune block's space), the epochs each rung trains to, and which
// trials go on to the next rung (successive halving, the synchronous form of ASHA: every trial
// of a rung is scored before any is promoted, so the outcome does not depend on which worker
// finished first, and the same seed gives the same table).
import type { TuneMetric, TunedParam } from "../../compiler/model.js";
import { sample } from "../../compiler/lower/tune.js";
import { makeRng } from "../../data/rng.js";

/** Each rung keeps the best 1/ETA of its trials (ASHA's reduction factor). */
export const ETA = 3;

export interface TrialConfig {
  id: number;
  /** A value for every tuned name, in the tune block's order. */
  values: [string, number][];
}

/** Draws before a configuration already tried is accepted again (a small discrete space runs out). */
const REDRAWS = 100;

/**
 * `count` configurations drawn with the seed, one uniform number per hyperparameter in order;
 * one that repeats an earlier configuration is drawn again, so a small space of choices is
 * covered instead of trained twice.
 */
export function sampleTrials(params: readonly TunedParam[], count: number, seed: number): TrialConfig[] {
  const rng = makeRng(seed);
  const seen = new Set<string>();
  const draw = () => params.map((p): [string, number] => [p.name, sample(p.distribution, rng())]);
  return Array.from({ length: count }, (_, k) => {
    let values = draw();
    for (let tries = 1; tries < REDRAWS && seen.has(JSON.stringify(values)); tries++) values = draw();
    seen.add(JSON.stringify(values));
    return { id: k + 1, values };
  });
}

/**
 * The epochs trials have trained to at the end of each rung: `maxEpochs` at the last, each
 * earlier rung ETA times fewer, with as many rungs as the trials allow halving (a rung of one
 * trial would promote nothing) and at least one epoch per rung.
 */
export function rungEpochs(maxEpochs: number, trials: number): number[] {
  let extra = 0;
  while (ETA ** (extra + 1) <= trials && maxEpochs / ETA ** (extra + 1) >= 1) extra++;
  const rungs: number[] = [];
  for (let k = extra; k >= 0; k--) {
    const epochs = Math.max(1, Math.round(maxEpochs / ETA ** k));
    if (rungs.at(-1) !== epochs) rungs.push(epochs);
  }
  return rungs;
}

/** How many of a rung's `trials` go on to the next rung. */
export function promotedCount(trials: number): number {
  return Math.max(1, Math.floor(trials / ETA));
}

export interface Score {
  loss: number;
  accuracy: number | null;
}

/**
 * Orders trial scores best first: by the metric (lower loss, or higher accuracy then lower
 * loss), a failed or diverged trial (NaN) last, ties by trial number.
 */
export function compareScores(metric: TuneMetric, a: { id: number; score: Score | null }, b: { id: number; score: Score | null }): number {
  const key = (s: Score | null): [number, number] => {
    if (!s || !Number.isFinite(s.loss)) return [Infinity, Infinity];
    return metric === "val_acc" ? [-(s.accuracy ?? -Infinity), s.loss] : [s.loss, 0];
  };
  const [a1, a2] = key(a.score);
  const [b1, b2] = key(b.score);
  // Infinity − Infinity is NaN, which || passes over like a tie.
  return a1 - b1 || a2 - b2 || a.id - b.id;
}

/** The trials of a rung that go on, best first. */
export function promote<T extends { id: number; score: Score | null }>(metric: TuneMetric, results: T[]): T[] {
  const ranked = [...results].sort((a, b) => compareScores(metric, a, b));
  return ranked.slice(0, promotedCount(results.length)).filter((r) => r.score !== null && Number.isFinite(r.score.loss));
}
