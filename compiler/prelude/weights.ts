// Weights in and out of a generated model: copies by name, and a checked, all-or-nothing set.
import type { Weights } from "./api.js";

/** One tensor saved with the weights: a parameter (with its gradient buffer when trained) or running statistics. */
export interface TensorSlot {
  name: string;
  shape: number[];
  data: Float64Array;
  /** The gradient's storage (a work array at least as long as `data`); null for frozen parameters and statistics. */
  grad: Float64Array | null;
  /** Running statistics: updated by training steps, not by the optimizer. */
  statistic: boolean;
}

export function copyWeights(tensors: readonly TensorSlot[]): Weights {
  const out: Weights = {};
  for (const t of tensors) out[t.name] = { shape: [...t.shape], data: t.data.slice() };
  return out;
}

export function assignWeights(
  tensors: readonly TensorSlot[],
  weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>,
): void {
  for (const [dst, src] of stageWeights("setWeights", tensors, weights)) dst.set(src);
}

/**
 * Checks weights by name against the model's tensors and copies them as they are checked, so a
 * source that changes between reads cannot slip a non-finite value past the check; returns the
 * copies with where each goes. Throws (naming `fn`) at the first problem, before anything is written.
 */
export function stageWeights(
  fn: string,
  tensors: readonly TensorSlot[],
  weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>,
): [Float64Array, Float64Array][] {
  if (typeof weights !== "object" || weights === null)
    throw new TypeError(`${fn}: expected an object of weights by name`);
  const updates: [Float64Array, Float64Array][] = [];
  for (const name of Object.keys(weights)) {
    const t = tensors.find((q) => q.name === name);
    if (!t)
      throw new Error(
        `${fn}: unknown weight ${JSON.stringify(name)} (this model has: ${tensors.map((q) => q.name).join(", ")})`,
      );
    const w = weights[name]!;
    if (typeof w !== "object" || w === null)
      throw new TypeError(`${fn}: '${name}' must be an object with shape and data`);
    const given = w.shape;
    if (
      given !== undefined &&
      (!Array.isArray(given) || given.length !== t.shape.length || given.some((d, i) => d !== t.shape[i]))
    ) {
      throw new Error(
        `${fn}: '${name}' has shape [${t.shape.join(", ")}], got [${Array.isArray(given) ? given.join(", ") : String(given)}]`,
      );
    }
    if (!w.data || typeof w.data.length !== "number" || w.data.length !== t.data.length) {
      throw new Error(
        `${fn}: '${name}' needs ${t.data.length} values, got ${w.data && typeof w.data.length === "number" ? w.data.length : "none"}`,
      );
    }
    const staged = new Float64Array(t.data.length);
    for (let i = 0; i < t.data.length; i++) {
      const v = w.data[i];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new Error(`${fn}: '${name}'[${i}] is ${String(v)}, not a finite number`);
      staged[i] = v;
    }
    updates.push([t.data, staged]);
  }
  return updates;
}
