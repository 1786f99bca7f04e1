// Normalization and regularization layers. `layernorm` lowers straight to primitives; `dropout`
// and `batchnorm` become single mode-dependent nodes that the specialize pass expands per mode
// (training graph vs. evaluation graph), because they compute different things in each.
import type { Expr, Span } from "../../grammar/ast.js";
import type { Node } from "../ir/graph.js";
import { makeParam } from "./builtins.js";
import { constNumber } from "./calls.js";
import type { LowerContext } from "./context.js";
import { POISON, tensor, type Value } from "./values.js";

type Args = Map<string, { expr: Expr; span: Span }>;

function numberArg(ctx: LowerContext, fn: string, args: Args, name: string, fallback: number, ok: (v: number) => boolean, range: string): number | undefined {
  const arg = args.get(name);
  if (!arg) return fallback;
  const v = constNumber(arg.expr);
  if (v === undefined || !ok(v)) {
    // "argument 'p' of 'dropout'", not "'p'": the user may have a binding of that name.
    ctx.diags.error(arg.span, `argument '${name}' of '${fn}' must be ${range}, got '${ctx.text(arg.expr.span)}'`);
    return undefined;
  }
  return v;
}

function needsRows(ctx: LowerContext, x: Node, fn: string, span: Span): boolean {
  if (x.shape.length === 2 && x.shape[0] === "B") return true;
  ctx.diags.error(span, `'${fn}' needs a batch of vectors [B,n], got [${x.shape.join(",")}]`);
  return false;
}

/** A batch whose last axis holds the features: [B,n], or [B,T,n] for a sequence. */
function needsFeatures(ctx: LowerContext, x: Node, fn: string, span: Span): boolean {
  if (x.shape.length >= 2 && x.shape[0] === "B" && x.shape.lastIndexOf("B") === 0) return true;
  ctx.diags.error(span, `'${fn}' needs a batch of vectors [B,n] (or [B,...,n]: it acts on the last axis), got [${x.shape.join(",")}]`);
  return false;
}

export function lowerDropout(ctx: LowerContext, x: Node, args: Args, span: Span): Value {
  const p = numberArg(ctx, "dropout", args, "p", 0.5, (v) => v >= 0 && v < 1, "a probability in [0, 1)");
  if (p === undefined) return POISON;
  if (p === 0) return tensor(x);
  // `id` keeps two dropouts with equal p on equal shapes from being merged by hash-consing.
  return tensor(ctx.b.node("dropout", [x], { p, id: ctx.nextId() }, span));
}

/**
 * batchnorm and layernorm both name their scale and shift `.gamma` / `.beta`, so they share one
 * count per binding: `p = layernorm(batchnorm(h))` makes p.gamma and p.layernorm2.gamma.
 */
function normName(ctx: LowerContext, kind: "batchnorm" | "layernorm"): string {
  const name = ctx.nextLayerName("norm");
  return name === ctx.binding ? name : `${ctx.binding}.${kind}${name.slice(`${ctx.binding}.norm`.length)}`;
}

export function lowerBatchnorm(ctx: LowerContext, x: Node, args: Args, span: Span): Value {
  const momentum = numberArg(ctx, "batchnorm", args, "momentum", 0.1, (v) => v > 0 && v <= 1, "a number in (0, 1]");
  const eps = numberArg(ctx, "batchnorm", args, "eps", 1e-5, (v) => v > 0, "a positive number");
  if (momentum === undefined || eps === undefined || !needsRows(ctx, x, "batchnorm", span)) return POISON;
  const width = x.shape[1] as number;
  const name = normName(ctx, "batchnorm");
  const gamma = makeParam(ctx, `${name}.gamma`, [width], { kind: "ones" }, span);
  const beta = makeParam(ctx, `${name}.beta`, [width], { kind: "zeros" }, span);
  const mean = ctx.makeState(`${name}.mean`, [width], 0);
  const variance = ctx.makeState(`${name}.var`, [width], 1);
  return tensor(ctx.b.node("batchnorm", [x, gamma, beta, mean, variance], { momentum, eps }, span));
}

/** (x − mean) / √(var + ε) · γ + β, with mean and variance over the last axis (each row's, or each position's, features). */
export function lowerLayernorm(ctx: LowerContext, x: Node, args: Args, span: Span): Value {
  const eps = numberArg(ctx, "layernorm", args, "eps", 1e-5, (v) => v > 0, "a positive number");
  if (eps === undefined || !needsFeatures(ctx, x, "layernorm", span)) return POISON;
  const last = x.shape.length - 1;
  const width = x.shape[last] as number;
  const name = normName(ctx, "layernorm");
  const gamma = makeParam(ctx, `${name}.gamma`, [width], { kind: "ones" }, span);
  const beta = makeParam(ctx, `${name}.beta`, [width], { kind: "zeros" }, span);
  const b = ctx.b;
  const inv = b.const(1 / width);
  const mean = b.mul(b.sum(x, [last], true), inv);
  const centered = b.sub(x, mean);
  const variance = b.mul(b.sum(b.mul(centered, centered), [last], true), inv);
  const normalized = b.mul(centered, b.node("rsqrt", [b.add(variance, b.const(eps))]));
  return tensor(b.add(b.mul(normalized, gamma), beta));
}
