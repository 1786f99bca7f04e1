// When a running `netc train` saves its checkpoint (M.last.weights.json, M.best.weights.json):
// every N epochs or every so many seconds, from `--checkpoint-every`.
import { UsageError } from "./args.js";
import type { Snapshot } from "./train-loop.js";

/** How often a run saves its checkpoint unless --checkpoint-every says otherwise. */
export const DEFAULT_CHECKPOINT_EVERY = "60s";

export type Cadence = { epochs: number } | { ms: number } | null;

/** `--checkpoint-every`: N epochs, or a time (`90s`, `5m`, `1h`), or `off`. */
export function parseCheckpointEvery(text: string): Cadence {
  if (text === "off" || text === "0") return null;
  const m = /^([1-9]\d{0,8})(s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`--checkpoint-every must be a number of epochs (100), a time (90s, 5m, 1h) or off; got '${text}'`);
  const n = Number(m[1]);
  return m[2] ? { ms: n * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "s" | "m" | "h"] } : { epochs: n };
}

/** Saves at the cadence, counted from the end of the previous save (a slow save never piles up). */
export function checkpointer(cadence: Cadence, save: (last: Snapshot, best: Snapshot) => void): (last: Snapshot, best: Snapshot) => void {
  let epochs = 0;
  let since = Date.now();
  return (last, best) => {
    if (!cadence) return;
    epochs++;
    if ("epochs" in cadence ? epochs < cadence.epochs : Date.now() - since < cadence.ms) return;
    save(last, best);
    epochs = 0;
    since = Date.now();
  };
}

