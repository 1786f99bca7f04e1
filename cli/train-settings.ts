// The settings of one `netc train` run. A fresh run takes the `.net` train block with the
// command-line flags on top. A resumed run continues the saved one: its base learning rate,
// batch size, seed (which fixes the validation split), validation fraction and planned epoch
// count come from the weights file unless a flag overrides them, and every such choice that
// differs from the `.net` file is said out loud. Epochs count on from the saved epoch.
import type { TrainSpec } from "../compiler/model.js";
import type { WeightsFile } from "../data/weights.js";
import { UsageError } from "./args.js";
import { CliError } from "./io.js";

export interface RunFlags {
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  val?: number;
}

export interface RunPlan {
  /** What the model is compiled with: `epochs` is the planned last epoch (cosine schedules span it). */
  overrides: { epochs: number; batch?: number; lr?: number; seed?: number };
  /** Epochs already trained (0 for a fresh run); this run trains epochs start+1 .. total. */
  start: number;
  total: number;
  /** The validation fraction when a flag or the saved run fixes it. */
  val: number | undefined;
  /** --reset-optimizer: the optimizer's moments and step count start fresh from the saved weights. */
  resetOptimizer: boolean;
  /** What was taken from the saved run or overridden, one sentence each. */
  notes: string[];
}

export function planRun(net: TrainSpec, flags: RunFlags, resumed: { file: WeightsFile; path: string } | null, resetOptimizer: boolean): RunPlan {
  if (!resumed) {
    if (resetOptimizer) throw new UsageError("--reset-optimizer only applies with --resume");
    const total = flags.epochs ?? net.epochs;
    return { overrides: { epochs: total, batch: flags.batch, lr: flags.lr, seed: flags.seed }, start: 0, total, val: flags.val, resetOptimizer: false, notes: [] };
  }
  const { file, path } = resumed;
  const saved = file.training;
  const notes: string[] = [];
  const changedOptimizer = saved !== null && saved.optimizer !== net.optimizer.kind;
  if (changedOptimizer && !resetOptimizer) {
    throw new CliError(
      `${path}: the saved run used optimizer ${saved.optimizer}, but the .net file now says ${net.optimizer.kind}; ` +
        `${saved.optimizer}'s state cannot carry over (pass --reset-optimizer to continue from the weights with a fresh ${net.optimizer.kind})`,
    );
  }
  const pick = <T extends number>(flag: string, given: T | undefined, before: T | undefined, now: T): T => {
    if (given !== undefined) {
      if (before !== undefined && before !== given) notes.push(`--${flag} ${given} replaces the saved run's ${before}`);
      return given;
    }
    if (before === undefined) return now;
    if (before !== now) notes.push(`${flag} ${before} as in the saved run (the .net file says ${now}; --${flag} overrides)`);
    return before;
  };
  // A learning rate belongs to its optimizer: after a change of optimizer the .net's applies.
  const lr = pick("lr", flags.lr, changedOptimizer ? undefined : saved?.lr, net.optimizer.lr);
  const batch = pick("batch", flags.batch, saved?.batch, net.batch);
  const seed = pick("seed", flags.seed, saved?.seed, net.seed);
  const val = flags.val ?? saved?.validation;
  if (flags.val !== undefined && saved && saved.validation !== flags.val) notes.push(`--val ${flags.val} replaces the saved run's ${saved.validation}: the validation rows differ from the saved run's`);
  const start = file.state?.epoch ?? file.metrics?.epochs ?? 0;
  let total: number;
  if (flags.epochs !== undefined) {
    total = start + flags.epochs;
  } else {
    total = saved?.epochs ?? start + net.epochs;
    if (total <= start) throw new CliError(`${path}: the saved run already reached its last epoch (${start}); give --epochs N to train N more`);
    notes.push(`continuing to epoch ${total}, where the saved run was to end (--epochs N trains N more instead)`);
  }
  if (resetOptimizer) notes.push(`--reset-optimizer: ${net.optimizer.kind} starts with fresh state; the saved ${saved?.optimizer ?? "optimizer"} state is dropped`);
  if (saved?.settings) notes.push(...settingChanges(saved.settings, net));
  return { overrides: { epochs: total, batch, lr, seed }, start, total, val, resetOptimizer, notes };
}

/** Train-block settings with no flag of their own: the .net file decides, but a change is reported. */
function settingChanges(before: TrainSpec, now: TrainSpec): string[] {
  const text = (v: unknown) => JSON.stringify(v);
  const hyper = (t: TrainSpec) => Object.fromEntries(Object.entries(t.optimizer).filter(([k]) => k !== "lr" && k !== "kind"));
  const fields: [string, unknown, unknown][] = [
    ["schedule", before.schedule, now.schedule],
    ["warmup", before.warmup, now.warmup],
    ["clip_norm", before.clipNorm, now.clipNorm],
    ["freeze", before.frozen, now.frozen],
    ["param_lr", before.paramLr, now.paramLr],
  ];
  if (before.optimizer?.kind === now.optimizer.kind) fields.push([`${now.optimizer.kind} settings`, hyper(before), hyper(now)]);
  return fields
    .filter(([, a, b]) => a !== undefined && text(a) !== text(b))
    .map(([name, a, b]) => `the .net file's ${name} (${text(b)}) differs from the saved run's (${text(a)}); using the .net file's`);
}
