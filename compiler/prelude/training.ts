// Training progress of a generated model: step and epoch counters, the learning rate and its
// schedule, and getState / setState, which capture all of it with the generator states and
// optimizer buffers so that training resumes exactly.
import type { TrainingState } from "./api.js";
import { describeValue } from "./inputs.js";

/** Counters and the current learning rate, shared by the training step and the API functions. */
export interface Progress {
  step: number;
  /** Epochs completed by fit, counting across calls. */
  epoch: number;
  lr: number;
  /** Set when a training step skipped its update because a value it would write was not finite; fit clears it. */
  refused: boolean;
}

/** One optimizer state tensor, saved as `<param>/<slot>`. */
export interface OptimizerBuffer {
  key: string;
  data: Float64Array;
}

/** The `train` block's learning-rate schedule: a base rate, a decay rule, then linear warm-up over `warmup` epochs (0: none). */
export type Schedule = { lr: number; warmup: number } & (
  | { kind: "constant" }
  | { kind: "step"; every: number; gamma: number }
  | { kind: "exponential"; gamma: number }
  | { kind: "cosine"; min: number; epochs: number }
);

/** The learning rate for an epoch, counting from 1 (warm-up multiplies by at most 1, which is exact). */
export function scheduledLr(s: Schedule, epoch: number): number {
  const warm = s.warmup > 0 ? Math.min(1, epoch / s.warmup) : 1;
  switch (s.kind) {
    case "constant":
      return s.lr * warm;
    case "step":
      return s.lr * Math.pow(s.gamma, Math.floor((epoch - 1) / s.every)) * warm;
    case "exponential":
      return s.lr * Math.pow(s.gamma, epoch - 1) * warm;
    case "cosine": {
      // Clamped at `min` after `epochs`, for fit calls beyond the train block's epochs.
      const angle = (Math.PI * Math.min(epoch - 1, s.epochs)) / s.epochs;
      return (s.min + (s.lr - s.min) * 0.5 * (1 + Math.cos(angle))) * warm;
    }
  }
}

export function setLearningRate(progress: Progress, value: number): void {
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new RangeError(`setLearningRate: expected a positive number, got ${describeValue(value)}`);
  }
  progress.lr = value;
}

export function captureState(
  progress: Progress,
  shuffleRng: Uint32Array,
  dropoutRng: Uint32Array | null,
  optimizerBuffers: readonly OptimizerBuffer[],
): TrainingState {
  const buffers: Record<string, number[]> = {};
  for (const b of optimizerBuffers) buffers[b.key] = Array.from(b.data);
  const rng = { shuffle: Array.from(shuffleRng), dropout: dropoutRng ? Array.from(dropoutRng) : [] };
  return { step: progress.step, epoch: progress.epoch, lr: progress.lr, rng, buffers };
}

/** Validates everything first, then restores; a state with a dropout generator is accepted by a model without dropout. */
export function restoreState(
  state: TrainingState,
  progress: Progress,
  shuffleRng: Uint32Array,
  dropoutRng: Uint32Array | null,
  optimizerBuffers: readonly OptimizerBuffer[],
): void {
  const bad = (what: string): never => {
    throw new Error(`setState: ${what}`);
  };
  if (typeof state !== "object" || state === null) bad("expected a state object from getState()");
  const count = (v: unknown, what: string) =>
    Number.isInteger(v) && (v as number) >= 0 ? (v as number) : bad(`${what} must be a non-negative integer`);
  const nextStep = count(state.step, "step");
  const nextEpoch = count(state.epoch, "epoch");
  if (!(typeof state.lr === "number" && state.lr > 0 && Number.isFinite(state.lr)))
    bad("lr must be a positive number");
  const isWords = (v: unknown): v is number[] =>
    Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w < 4294967296);
  const shuffle = state.rng?.shuffle;
  if (!isWords(shuffle)) return bad("rng.shuffle must be 4 unsigned 32-bit integers");
  const dropout = state.rng?.dropout;
  if (
    dropoutRng ? !isWords(dropout) : !(Array.isArray(dropout) && (dropout.length === 0 || isWords(dropout)))
  ) {
    bad(`rng.dropout must be 4 unsigned 32-bit integers${dropoutRng ? "" : " or empty"}`);
  }
  const given = state.buffers ?? {};
  for (const key of Object.keys(given))
    if (!optimizerBuffers.some((b) => b.key === key)) bad(`unknown optimizer buffer ${JSON.stringify(key)}`);
  for (const b of optimizerBuffers) {
    const src = given[b.key];
    if (!Array.isArray(src) || src.length !== b.data.length)
      bad(`optimizer buffer '${b.key}' needs ${b.data.length} values`);
    if (!src!.every((v) => typeof v === "number" && Number.isFinite(v)))
      bad(`optimizer buffer '${b.key}' holds a non-finite value`);
  }
  for (const b of optimizerBuffers) b.data.set(given[b.key]!);
  progress.step = nextStep;
  progress.epoch = nextEpoch;
  progress.lr = state.lr;
  shuffleRng.set(shuffle);
  if (dropoutRng) dropoutRng.set(dropout!);
}
