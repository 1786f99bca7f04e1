// Initializer expressions: `zeros`, `he`, `normal(0, 0.1)`, `uniform(-1, 1)`.
import type { Expr } from "../../grammar/ast.js";
import type { InitSpec } from "../model.js";
import { bindArgs, constNumber } from "./calls.js";
import type { LowerContext } from "./context.js";
import { BUILTINS, INITIALIZERS, ownEntry } from "./functions.js";
import { didYouMean } from "../../diagnostics/suggest.js";

export function parseInit(ctx: LowerContext, e: Expr): InitSpec | undefined {
  const name = e.kind === "name" ? e.name : e.kind === "call" ? e.callee.name : undefined;
  const span = e.kind === "call" ? e.callee.span : e.span;
  const params = name === undefined ? undefined : ownEntry(INITIALIZERS, name);
  if (!params || name === undefined) {
    const hint = name === undefined ? "" : didYouMean(name, Object.keys(INITIALIZERS));
    ctx.diags.error(span, `unknown initializer '${name ?? ctx.text(e.span)}'${hint} (expected one of: ${Object.keys(INITIALIZERS).join(", ")})`);
    return undefined;
  }
  const args = bindArgs(ctx.diags, name, params, e.kind === "call" ? e.args : [], e.span);
  if (!args) return undefined;
  const values: number[] = [];
  for (const p of params) {
    const arg = args.get(p)!;
    const v = constNumber(arg.expr);
    if (v === undefined || !Number.isFinite(v)) {
      ctx.diags.error(arg.span, `argument '${p}' of '${name}' must be a number`);
      return undefined;
    }
    values.push(v);
  }
  const [a = 0, b = 0] = values;
  switch (name) {
    case "normal":
      if (b < 0) {
        ctx.diags.error(args.get("std")!.span, `'std' of 'normal' must not be negative`);
        return undefined;
      }
      return { kind: "normal", mean: a, std: b };
    case "uniform":
      if (!(a <= b)) {
        ctx.diags.error(e.span, `'uniform' needs lo <= hi, got ${a} and ${b}`);
        return undefined;
      }
      return { kind: "uniform", lo: a, hi: b };
    default:
      return { kind: name as "zeros" | "ones" | "xavier" | "he" };
  }
}

/** The initializer a weight gets when none is given: He for ReLU-like layers, Xavier otherwise. */
export function defaultWeightInit(activation: string | undefined): InitSpec {
  return activation !== undefined && ownEntry(BUILTINS, activation)?.reluLike ? { kind: "he" } : { kind: "xavier" };
}
