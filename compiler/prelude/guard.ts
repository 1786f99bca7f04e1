// Keeps every trained value finite across an optimizer step: what the update writes is copied
// first and checked after; if anything came out NaN or infinite (a gradient that was not
// finite, or an overflow from a huge learning rate), the copy is put back. Two passes over the
// written values per step, no allocation.
import type { OptimizerBuffer, Progress } from "./training.js";
import type { TensorSlot } from "./weights.js";

export interface UpdateGuard {
  /** The arrays a step writes: trained parameters, running statistics, optimizer state. */
  written: Float64Array[];
  /** Copies of `written` from before the current step. */
  saved: Float64Array[];
  /** The step counter, which the update advances (Adam's bias correction reads it). */
  progress: Progress;
  savedStep: number;
  /** Per tensor and per optimizer buffer, to name what a refused step would have broken. */
  tensors: readonly TensorSlot[];
  optimizerBuffers: readonly OptimizerBuffer[];
  /** Index in `tensors`, else in `optimizerBuffers` (offset by the tensor count), of the first value the last refused step made non-finite; -1 when the last step went through. */
  refused: number;
}

export function updateGuard(
  written: Float64Array[],
  tensors: readonly TensorSlot[],
  optimizerBuffers: readonly OptimizerBuffer[],
  progress: Progress,
): UpdateGuard {
  const saved = written.map((a) => new Float64Array(a.length));
  return { written, saved, progress, savedStep: 0, tensors, optimizerBuffers, refused: -1 };
}

/** Whether every value of `a` is finite: v - v is 0 for a finite v and NaN otherwise. */
export function allFinite(a: Float64Array): boolean {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! - a[i]!;
  return sum === 0;
}

/** Copies `from` into `to`, array by array (a plain loop beats TypedArray#set on the few values of a small model). */
function copyArrays(from: readonly Float64Array[], to: readonly Float64Array[]): void {
  for (let k = 0; k < from.length; k++) {
    const src = from[k]!;
    const dst = to[k]!;
    if (src.length > 64) dst.set(src);
    else for (let i = 0; i < src.length; i++) dst[i] = src[i]!;
  }
}

/** Before an update: saves what it will write. */
export function beginUpdate(guard: UpdateGuard): void {
  copyArrays(guard.written, guard.saved);
  guard.savedStep = guard.progress.step;
}

/** After an update: true when everything it wrote is finite; otherwise puts the saved values back and returns false. */
export function endUpdate(guard: UpdateGuard): boolean {
  let ok = true;
  for (let k = 0; k < guard.written.length; k++) ok = allFinite(guard.written[k]!) && ok;
  guard.refused = -1;
  if (ok) return true;
  // Which tensor broke, while the broken values are still there; then undo.
  const { tensors, optimizerBuffers } = guard;
  for (let k = tensors.length - 1; k >= 0; k--) if (!allFinite(tensors[k]!.data)) guard.refused = k;
  if (guard.refused < 0) {
    for (let k = optimizerBuffers.length - 1; k >= 0; k--) {
      if (!allFinite(optimizerBuffers[k]!.data)) guard.refused = tensors.length + k;
    }
  }
  copyArrays(guard.saved, guard.written);
  guard.progress.step = guard.savedStep;
  return false;
}

/** Why the last step was refused, for a message ("the gradient of 'h1.W' was not finite"), or "" when it was not. */
export function refusal(guard: UpdateGuard): string {
  if (guard.refused < 0) return "";
  const { tensors, optimizerBuffers } = guard;
  const badGradient = tensors.find((t) => t.grad && !allFinite(t.grad.subarray(0, t.data.length)));
  if (badGradient) return `the gradient of '${badGradient.name}' was not finite`;
  const name =
    guard.refused < tensors.length
      ? tensors[guard.refused]!.name
      : optimizerBuffers[guard.refused - tensors.length]!.key;
  return `the update made '${name}' non-finite`;
}
