// Optimizers: the state each keeps per parameter, and the update it emits. The update is a
// loop over one parameter with a compile-time constant length, run after the backward pass.
import type { OptimizerSpec } from "../model.js";
import { lit } from "../emit/literals.js";

export interface UpdateTarget {
  /** Parameter buffer, its gradient, and its state buffers (same order as OPTIMIZER_STATE). */
  param: string;
  grad: string;
  state: string[];
  size: number;
  /** Fresh loop variable. */
  i: string;
}

export const OPTIMIZER_STATE: Record<OptimizerSpec["kind"], string[]> = {
  sgd: [],
  momentum: ["velocity"],
  adam: ["m", "v"],
};

/** Statements run once per step before the per-parameter updates (Adam's bias corrections). */
export function emitStepPrologue(spec: OptimizerSpec, step: string): string {
  if (spec.kind !== "adam") return "";
  return `${step}++;
const corr1 = 1 / (1 - Math.pow(${lit(spec.beta1)}, ${step}));
const corr2 = 1 / (1 - Math.pow(${lit(spec.beta2)}, ${step}));`;
}

export function emitUpdate(spec: OptimizerSpec, t: UpdateTarget): string {
  const loop = (body: string) => `for (let ${t.i} = 0; ${t.i} < ${t.size}; ${t.i}++) {\n${body}\n}`;
  const g = `${t.grad}[${t.i}]`;
  switch (spec.kind) {
    case "sgd":
      return loop(`${t.param}[${t.i}] -= ${lit(spec.lr)} * ${g};`);
    case "momentum": {
      // PyTorch's form: v ← βv + g; w ← w − lr·v.
      const [v] = t.state as [string];
      return loop(`const vel = ${lit(spec.beta)} * ${v}[${t.i}] + ${g};\n${v}[${t.i}] = vel;\n${t.param}[${t.i}] -= ${lit(spec.lr)} * vel;`);
    }
    case "adam": {
      const [m, v] = t.state as [string, string];
      return loop(`const g = ${g};
const mi = ${lit(spec.beta1)} * ${m}[${t.i}] + ${lit(1 - spec.beta1)} * g;
const vi = ${lit(spec.beta2)} * ${v}[${t.i}] + ${lit(1 - spec.beta2)} * g * g;
${m}[${t.i}] = mi;
${v}[${t.i}] = vi;
${t.param}[${t.i}] -= (${lit(spec.lr)} * mi * corr1) / (Math.sqrt(vi * corr2) + ${lit(spec.eps)});`);
    }
  }
}
