// The search loop of netc tune: successive halving over the rungs, each rung's trial segments
// run at once on the runner, every finished segment recorded (and saved by the caller) as it
// comes in. The promotions depend only on the recorded scores, so a search continued from a
// checkpoint makes the same decisions as one that was never stopped.
import { valueText } from "../../compiler/lower/tune.js";
import type { TuneSpec } from "../../compiler/model.js";
import type { SegmentRunner } from "./pool.js";
import { scoreAt, type TrialRecord, type TuneRecord } from "./record.js";
import { compareScores, promote, promotedCount } from "./search.js";
import type { SegmentResult } from "./trial.js";

/** Trial segments a full search trains: every trial once, then the promoted ones at each later rung. */
export function segmentCount(trials: number, rungs: number): number {
  let total = 0;
  for (let k = 0, n = trials; k < rungs; k++, n = promotedCount(n)) total += n;
  return total;
}

/**
 * Successive halving over the rungs. Returns the signal that stopped it, or null when every
 * rung is done. A rung's entrants are recomputed from the scores, so a resumed search makes
 * the same promotions as an uninterrupted one.
 */
export async function runRungs(
  record: TuneRecord,
  rungs: number[],
  spec: TuneSpec,
  runner: SegmentRunner,
  segmentDone: () => void,
  rungDone: (line: string) => void,
  stopSignal: () => string | null,
): Promise<string | null> {
  let entrants = record.trials;
  for (let k = 0; k < rungs.length; k++) {
    const todo = entrants.filter((t) => t.status === "running" && t.rungs.length === k);
    let stop: string | null = null;
    const poll = setInterval(() => (stop ??= stopSignal()), 100);
    try {
      await Promise.all(
        todo.map(async (t) => {
          const result = await runner.run({ trial: t.id, values: t.values, from: t.state, epochs: rungs[k]! });
          if (stop) return; // stopped: this segment is not saved
          apply(t, result);
          segmentDone();
          stop ??= stopSignal();
        }),
      ).catch((err: unknown) => {
        if (!stop) throw err;
      });
    } finally {
      clearInterval(poll);
    }
    stop ??= stopSignal();
    if (stop) return stop;
    const last = k === rungs.length - 1;
    const ranked = entrants.map((t) => ({ id: t.id, score: t.status === "diverged" || t.status === "failed" ? null : scoreAt(t, k), t }));
    const next = last ? ranked.filter((r) => r.score !== null) : promote(spec.metric, ranked);
    for (const r of ranked) {
      if (r.t.status !== "running") continue;
      if (last) r.t.status = "finished";
      else if (!next.includes(r)) {
        r.t.status = "pruned";
        r.t.state = null;
      }
    }
    rungDone(rungLine(k, rungs, ranked.length, next.length, spec, ranked.map((r) => ({ id: r.id, score: r.score })), record));
    entrants = next.map((r) => r.t);
  }
  return null;
}

function apply(t: TrialRecord, result: SegmentResult): void {
  if (result.status === "ok") {
    t.rungs.push(result.stats!);
    t.state = result.state;
    return;
  }
  t.status = result.status;
  t.message = result.message;
  t.state = null;
}

function rungLine(k: number, rungs: number[], entered: number, promoted: number, spec: TuneSpec, scores: { id: number; score: ReturnType<typeof scoreAt> }[], record: TuneRecord): string {
  const best = [...scores].sort((a, b) => compareScores(spec.metric, a, b))[0];
  const trial = best && record.trials.find((t) => t.id === best.id)!;
  const bestText = best?.score ? `best ${metricText(spec, best.score)} (trial ${best.id}: ${valuesText(trial!, spec)})` : "no trial trained";
  const onward = k === rungs.length - 1 ? "" : `; ${promoted} go${promoted === 1 ? "es" : ""} on`;
  return `rung ${k + 1}/${rungs.length}: ${entered} trial${entered === 1 ? "" : "s"} to ${rungs[k]} epoch${rungs[k] === 1 ? "" : "s"}, ${bestText}${onward}`;
}

export function bestSoFar(record: TuneRecord, spec: TuneSpec): string {
  const scored = record.trials.filter((t) => t.rungs.length > 0 && t.status !== "diverged" && t.status !== "failed").map((t) => ({ id: t.id, score: scoreAt(t, t.rungs.length - 1) }));
  const best = scored.sort((a, b) => compareScores(spec.metric, a, b))[0];
  return best?.score ? metricText(spec, best.score) : "-";
}

export function metricText(spec: TuneSpec, s: { loss: number; accuracy: number | null }): string {
  return spec.metric === "val_acc" && s.accuracy !== null ? `acc ${(100 * s.accuracy).toFixed(1)}%` : `loss ${s.loss.toFixed(4)}`;
}

export function valuesText(t: TrialRecord, spec: TuneSpec): string {
  return spec.params.map((p) => `${p.name} = ${valueText(p.distribution, t.values.find(([n]) => n === p.name)![1])}`).join(", ");
}
