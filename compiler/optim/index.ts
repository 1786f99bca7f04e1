// Optimizers: the state each keeps per parameter and the update it emits. An update is a loop
// over one parameter with a compile-time constant length, run after the backward pass, reading
// the (possibly clipped) gradient through `g`. Weight decay is L2 added to the gradient, except
// for adamw where it is decoupled (applied to the weight directly), as in PyTorch.
import type { OptimizerSpec } from "../model.js";
import { lit } from "../emit/literals.js";

export interface UpdateTarget {
  /** Parameter buffer, its gradient, and its state buffers (same order as OPTIMIZER_STATE). */
  param: string;
  grad: string;
  state: string[];
  /** The range of elements updated: one learning-rate segment of the parameter arena. */
  from: number;
  to: number;
  /** Fresh loop variable. */
  i: string;
  /** Expression for this parameter's learning rate (the scheduled `lr`, or a per-parameter one). */
  lr: string;
  /** Expression multiplying the gradient (global-norm clipping), or "" for none. */
  gradScale: string;
}

export const OPTIMIZER_DEFAULTS: Record<OptimizerSpec["kind"], Record<string, number>> = {
  sgd: { lr: 0.01, weight_decay: 0 },
  momentum: { lr: 0.01, beta: 0.9, weight_decay: 0 },
  nesterov: { lr: 0.01, beta: 0.9, weight_decay: 0 },
  rmsprop: { lr: 0.01, alpha: 0.99, eps: 1e-8, weight_decay: 0 },
  adagrad: { lr: 0.01, eps: 1e-10, weight_decay: 0 },
  adam: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 },
  adamw: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 },
};

export const OPTIMIZER_STATE: Record<OptimizerSpec["kind"], string[]> = {
  sgd: [],
  momentum: ["velocity"],
  nesterov: ["velocity"],
  rmsprop: ["square_avg"],
  adagrad: ["sum_sq"],
  adam: ["m", "v"],
  adamw: ["m", "v"],
};

/** Statements run once per step before the per-parameter updates (Adam's bias corrections). */
export function emitStepPrologue(spec: OptimizerSpec, step: string): string {
  if (spec.kind !== "adam" && spec.kind !== "adamw") return "";
  return `const corr1 = 1 / (1 - Math.pow(${lit(spec.beta1 as number)}, ${step}));
const corr2 = 1 / (1 - Math.pow(${lit(spec.beta2 as number)}, ${step}));`;
}

export function emitUpdate(spec: OptimizerSpec, t: UpdateTarget): string {
  const body = updateBody(spec, t, `${t.param}[${t.i}]`);
  const lines = body.map((line) => (typeof line === "string" ? line : `${line.array}[${t.i}] = ${line.value};`));
  return `for (let ${t.i} = ${t.from}; ${t.i} < ${t.to}; ${t.i}++) {\n${lines.join("\n")}\n}`;
}

/**
 * The update's arithmetic without its stores: a loop adding `v - v` of every value the update
 * would write (each new weight, in the fresh local `w`, and each new state value) to `sum`, which
 * stays 0 exactly when all of them are finite. Same expressions on the same inputs as
 * emitUpdate, so the check is exact. In a float32 module each value is checked as it will be
 * stored, rounded to float32: a double above 3.4e38 is finite but stores as Infinity.
 */
export function emitUpdateCheck(spec: OptimizerSpec, t: UpdateTarget, sum: string, w: string, f32 = false): string {
  const body = updateBody(spec, t, w);
  const written = [w, ...body.filter((line) => typeof line !== "string").map((line) => (line as Store).value)];
  const stored = (v: string) => (f32 ? `Math.fround(${v})` : v);
  const lines = [`let ${w} = ${t.param}[${t.i}];`, ...body.filter((line): line is string => typeof line === "string"), `${sum} += ${written.map((v) => `(${stored(v)} - ${stored(v)})`).join(" + ")};`];
  return `for (let ${t.i} = ${t.from}; ${t.i} < ${t.to}; ${t.i}++) {\n${lines.join("\n")}\n}`;
}

/** A state buffer's new element, held in a local. */
interface Store {
  array: string;
  value: string;
}

/** One element's update: statements reading and writing the weight through `w`, and the state stores. */
function updateBody(spec: OptimizerSpec, t: UpdateTarget, w: string): (string | Store)[] {
  const i = t.i;
  const h = (name: string) => lit(spec[name] as number);
  const raw = t.gradScale ? `${t.grad}[${i}] * ${t.gradScale}` : `${t.grad}[${i}]`;
  const decay = spec.weight_decay > 0 && spec.kind !== "adamw" ? ` + ${lit(spec.weight_decay)} * ${w}` : "";
  const lines: (string | Store)[] = [`const g = ${raw}${decay};`];
  const [s0, s1] = t.state;
  switch (spec.kind) {
    case "sgd":
      lines.push(`${w} -= ${t.lr} * g;`);
      break;
    case "momentum":
      lines.push(`const vel = ${h("beta")} * ${s0}[${i}] + g;`, { array: s0!, value: "vel" }, `${w} -= ${t.lr} * vel;`);
      break;
    case "nesterov":
      lines.push(`const vel = ${h("beta")} * ${s0}[${i}] + g;`, { array: s0!, value: "vel" }, `${w} -= ${t.lr} * (g + ${h("beta")} * vel);`);
      break;
    case "rmsprop":
      lines.push(`const vi = ${h("alpha")} * ${s0}[${i}] + (1 - ${h("alpha")}) * g * g;`, { array: s0!, value: "vi" }, `${w} -= (${t.lr} * g) / (Math.sqrt(vi) + ${h("eps")});`);
      break;
    case "adagrad":
      lines.push(`const vi = ${s0}[${i}] + g * g;`, { array: s0!, value: "vi" }, `${w} -= (${t.lr} * g) / (Math.sqrt(vi) + ${h("eps")});`);
      break;
    case "adam":
    case "adamw":
      if (spec.kind === "adamw" && spec.weight_decay > 0) lines.push(`${w} -= ${t.lr} * ${lit(spec.weight_decay)} * ${w};`);
      lines.push(
        `const mi = ${h("beta1")} * ${s0}[${i}] + (1 - ${h("beta1")}) * g;`,
        `const vi = ${h("beta2")} * ${s1}[${i}] + (1 - ${h("beta2")}) * g * g;`,
        { array: s0!, value: "mi" },
        { array: s1!, value: "vi" },
        `${w} -= (${t.lr} * mi * corr1) / (Math.sqrt(vi * corr2) + ${h("eps")});`,
      );
      break;
  }
  return lines;
}
