// The optimizer's update of one parameter as a vector kernel: the same arithmetic, in the same
// order, as the JavaScript update (optim/index.ts emitUpdate), so float64 training stays
// bit-identical across backends. Run-time values arrive as the kernel's float parameters:
// param(0) the step's learning rate, param(1) the clipping scale, param(2), param(3) Adam's
// bias corrections.
import type { OptimizerSpec } from "../../model.js";
import { binary, constant, load, param, unary, type Expr } from "./expr.js";
import type { ElementwiseSpec } from "./elementwise.js";

export const UPDATE_FLOAT_PARAMS = 4;

export interface UpdateTarget {
  name: string;
  count: number;
  param: number;
  grad: number;
  /** Optimizer state arrays, in OPTIMIZER_STATE order. */
  state: number[];
  /** The parameter's own learning rate ÷ the optimizer's (param_lr), if it has one. */
  lrScale?: number;
  clipped: boolean;
}

export function updateSpec(spec: OptimizerSpec, t: UpdateTarget): ElementwiseSpec {
  const mul = (a: Expr, b: Expr) => binary("mul", a, b);
  const add = (a: Expr, b: Expr) => binary("add", a, b);
  const sub = (a: Expr, b: Expr) => binary("sub", a, b);
  const div = (a: Expr, b: Expr) => binary("div", a, b);
  const h = (name: string) => constant(spec[name] as number);
  const w = load(t.param);
  const lr = t.lrScale !== undefined ? mul(param(0), constant(t.lrScale)) : param(0);
  const raw = t.clipped ? mul(load(t.grad), param(1)) : load(t.grad);
  const g = spec.weight_decay > 0 && spec.kind !== "adamw" ? add(raw, mul(constant(spec.weight_decay), w)) : raw;
  const [s0, s1] = t.state;
  const outputs: ElementwiseSpec["outputs"] = [];
  switch (spec.kind) {
    case "sgd":
      outputs.push({ addr: t.param, expr: sub(w, mul(lr, g)) });
      break;
    case "momentum":
    case "nesterov": {
      const vel = add(mul(h("beta"), load(s0!)), g);
      const step = spec.kind === "momentum" ? vel : add(g, mul(h("beta"), vel));
      outputs.push({ addr: s0!, expr: vel }, { addr: t.param, expr: sub(w, mul(lr, step)) });
      break;
    }
    case "rmsprop":
    case "adagrad": {
      const vi = spec.kind === "rmsprop" ? add(mul(h("alpha"), load(s0!)), mul(mul(constant(1 - (spec.alpha as number)), g), g)) : add(load(s0!), mul(g, g));
      outputs.push({ addr: s0!, expr: vi }, { addr: t.param, expr: sub(w, div(mul(lr, g), add(unary("sqrt", vi), h("eps")))) });
      break;
    }
    case "adam":
    case "adamw": {
      // AdamW's decoupled decay updates w first; the Adam step then starts from that w.
      const decayed = spec.kind === "adamw" && spec.weight_decay > 0 ? sub(w, mul(mul(lr, constant(spec.weight_decay)), w)) : w;
      const mi = add(mul(h("beta1"), load(s0!)), mul(constant(1 - (spec.beta1 as number)), g));
      const vi = add(mul(h("beta2"), load(s1!)), mul(mul(constant(1 - (spec.beta2 as number)), g), g));
      const stepSize = div(mul(mul(lr, mi), param(2)), add(unary("sqrt", mul(vi, param(3))), h("eps")));
      outputs.push({ addr: s0!, expr: mi }, { addr: s1!, expr: vi }, { addr: t.param, expr: sub(decayed, stepSize) });
      break;
    }
  }
  return { name: t.name, count: t.count, outputs, floatParams: UPDATE_FLOAT_PARAMS };
}
