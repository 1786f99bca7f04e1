// What netc tune knows about its search, kept in DIR/MODEL.tune.json after every trial segment:
// which search it is (the model's source, the data, the seed, the trial count ...), every
// trial's values and scores per rung, and the training state of each trial still in the race.
// Running the same command again continues from it: finished segments are not trained again.
import { createHash } from "node:crypto";
import type { EpochStats } from "../train-loop.js";
import { CliError, GENERATED_MARKER } from "../io.js";
import type { TrialState } from "./trial.js";
import type { Score } from "./search.js";

export const TUNE_FORMAT = "netc-tune";
export const TUNE_VERSION = 1;

/** Everything that decides the search's outcome: a checkpoint is continued only when all of it matches. */
export interface SearchKey {
  model: string;
  /** SHA-256 of the .net file's text. */
  source: string;
  data: string;
  seed: number;
  trials: number;
  val: number;
  normalize: boolean;
  columns: { target: string[] | null; features: string[] | null; ignore: string[] | null };
  metric: string;
  rungs: number[];
  /** --backend and --precision: another backend or precision rounds differently. */
  compute: { backend: string; precision: string | null };
}

export type TrialStatus = "running" | "pruned" | "finished" | "diverged" | "failed";

export interface TrialRecord {
  id: number;
  values: [string, number][];
  /** The scores at the end of each rung it completed. */
  rungs: EpochStats[];
  status: TrialStatus;
  /** Why it diverged or failed. */
  message: string | null;
  /** While it is still running: where to continue from. */
  state: TrialState | null;
}

export interface TuneRecord {
  search: SearchKey;
  trials: TrialRecord[];
}

export function sourceHash(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/** A trial's score at rung `k`: its validation loss and accuracy (training ones without validation data). */
export function scoreAt(r: TrialRecord, k: number): Score | null {
  const s = r.rungs[k];
  if (!s) return null;
  const m = s.val ?? s.train;
  return { loss: m.loss, accuracy: m.accuracy };
}

/** The checkpoint's text: JSON, with tensors as plain arrays (a JSON number round-trips a double exactly). */
export function serializeRecord(record: TuneRecord): string {
  const trials = record.trials.map((t) => ({
    ...t,
    state: t.state && {
      weights: Object.fromEntries(Object.entries(t.state.weights).map(([k, w]) => [k, { shape: w.shape, data: Array.from(w.data) }])),
      training: t.state.training,
    },
  }));
  const generator = `${GENERATED_MARKER} (netc tune): the search so far; run the same netc tune command to continue it.`;
  return `${JSON.stringify({ format: TUNE_FORMAT, version: TUNE_VERSION, generator, search: record.search, trials })}\n`;
}

/** A checkpoint read back; a file that is not one is an error naming it. */
export function parseRecord(text: string, path: string): TuneRecord {
  let v: { format?: unknown; version?: unknown; search?: SearchKey; trials?: TrialRecord[] };
  try {
    v = JSON.parse(text);
  } catch {
    throw new CliError(`${path}: is not a netc tune checkpoint (not JSON)`);
  }
  if (v.format !== TUNE_FORMAT || v.version !== TUNE_VERSION || !v.search || !Array.isArray(v.trials)) {
    throw new CliError(`${path}: is not a netc tune checkpoint of version ${TUNE_VERSION}`);
  }
  const trials = v.trials.map((t) => ({
    ...t,
    state: t.state && {
      weights: Object.fromEntries(Object.entries(t.state.weights).map(([k, w]) => [k, { shape: w.shape, data: Float64Array.from(w.data as unknown as number[]) }])),
      training: t.state.training,
    },
  }));
  return { search: v.search, trials };
}

/** Where a checkpoint's search differs from this one, as words, or null when it is the same search. */
export function searchDifference(saved: SearchKey, now: SearchKey): string | null {
  const keys = Object.keys(now) as (keyof SearchKey)[];
  const differ = keys.filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
  if (differ.length === 0) return null;
  return differ.map((k) => (k === "source" ? "the .net file changed" : `${k} ${JSON.stringify(saved[k])} then, ${JSON.stringify(now[k])} now`)).join("; ");
}
