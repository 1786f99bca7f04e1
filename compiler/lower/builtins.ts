// Calls: built-in functions, layers and losses, and user-defined blocks.
import type { Expr, Span } from "../../grammar/ast.js";
import { ShapeError } from "../ir/builder.js";
import { shapeToString, type Node } from "../ir/graph.js";
import { inlineBlock } from "./blocks.js";
import { bindArgs } from "./calls.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr, type ExprHint } from "./expr.js";
import { BUILTINS, ownEntry } from "./functions.js";
import { defaultWeightInit, parseInit } from "./init.js";
import { lowerLossCall } from "./losses.js";
import { lowerMathCall, MATH_FUNCTIONS } from "./math.js";
import { lowerConv2d, lowerFlatten, lowerPool } from "./images.js";
import { lowerBatchnorm, lowerDropout, lowerLayernorm } from "./norm.js";
import { lowerAttention, lowerEmbedding, lowerLast, lowerMeanAxis, lowerRecurrent } from "./sequences.js";
import { POISON, tensor, type Value } from "./values.js";
import { didYouMean } from "../../diagnostics/suggest.js";

type Call = Extract<Expr, { kind: "call" }>;

export function lowerCall(ctx: LowerContext, e: Call, scope: Scope, hint: ExprHint): Value {
  const name = e.callee.name;
  if (ctx.blocks.has(name)) return inlineBlock(ctx, e, scope);
  const sig = ownEntry(BUILTINS, name);
  if (!sig) {
    const why = scope.vars.has(name) ? `'${name}' is a value, not a function` : `unknown function '${name}'${didYouMean(name, [...Object.keys(BUILTINS), ...ctx.blocks.keys()])}`;
    ctx.diags.error(e.callee.span, why);
    return POISON;
  }
  const args = bindArgs(ctx.diags, name, sig.params, e.args, e.span);
  if (!args) {
    // Still report errors inside the arguments, but only those that are expressions: an
    // initializer (`init: he`) or the value of a misspelt argument name is not one.
    const names = sig.params.map((p) => p.replace(/\?$/, ""));
    e.args.forEach((a, i) => {
      const param = a.name ? a.name.name : names[i];
      if (param !== undefined && param !== "init" && param !== "reduce" && param !== "causal" && names.includes(param)) lowerExpr(ctx, a.value, scope);
    });
    return POISON;
  }
  const tensorArg = (p: string, argHint: ExprHint = {}): Node | undefined => {
    const arg = args.get(p)!;
    const v = lowerExpr(ctx, arg.expr, scope, argHint);
    if (v.kind === "tensor") return v.node;
    if (v.kind === "number") ctx.diags.error(arg.span, `argument '${p}' of '${name}' must be a tensor, got a number`);
    return undefined;
  };
  if (MATH_FUNCTIONS.has(name)) return lowerMathCall(ctx, e, args, scope);
  if (sig.op) {
    // One tensor in, same shape out; the hint tells a dense inside which activation follows.
    const x = tensorArg("x", { activation: name });
    return x ? tensor(ctx.b.unary(sig.op, x)) : POISON;
  }
  switch (name) {
    case "dense":
      return lowerDense(ctx, e, args, scope, hint);
    case "batchnorm":
    case "layernorm":
    case "dropout": {
      const x = tensorArg("x", hint);
      if (!x) return POISON;
      const lower = name === "batchnorm" ? lowerBatchnorm : name === "layernorm" ? lowerLayernorm : lowerDropout;
      return lower(ctx, x, args, e.span);
    }
    case "conv2d":
      return lowerConv2d(ctx, e, args, scope, hint);
    case "embedding":
      return lowerEmbedding(ctx, e, args, scope);
    case "attention":
      return lowerAttention(ctx, e, args, scope);
    case "rnn":
    case "gru":
    case "lstm":
      return lowerRecurrent(ctx, name, e, args, scope);
    case "last": {
      const x = tensorArg("x", hint);
      return x ? lowerLast(ctx, x, args.get("x")!) : POISON;
    }
    case "maxpool2d":
    case "avgpool2d":
    case "flatten": {
      const x = tensorArg("x", hint);
      if (!x) return POISON;
      return name === "flatten" ? lowerFlatten(ctx, x, args.get("x")!) : lowerPool(ctx, name, x, args, e.span, scope);
    }
    case "sum":
    case "mean": {
      const x = tensorArg("x");
      if (!x) return POISON;
      const axis = args.get("axis");
      if (axis) return lowerMeanAxis(ctx, x, axis, args.get("x")!, scope);
      const total = ctx.b.sumAll(x);
      return tensor(name === "sum" ? total : ctx.b.div(total, count(ctx, x)));
    }
    case "bce":
    case "cross_entropy":
    case "mse":
    case "mae":
    case "huber":
    case "bce_logits":
    case "cross_entropy_logits":
      return lowerLossCall(ctx, e, args, scope);
    case "softmax": {
      const x = tensorArg("x", { activation: name });
      if (!x) return POISON;
      if (x.shape.length > 0) return tensor(ctx.b.unary("softmax", x));
      ctx.diags.error(e.span, `softmax needs a vector, got a scalar`);
      return POISON;
    }
  }
  throw new Error(`internal: builtin '${name}' has no lowering`);
}

/** Number of elements of `x` (batch included) as a scalar node. */
export function count(ctx: LowerContext, x: Node): Node {
  const fixed = x.shape.reduce<number>((n, d) => (d === "B" ? n : n * d), 1);
  if (!x.shape.includes("B")) return ctx.b.const(fixed);
  return fixed === 1 ? ctx.b.batch() : ctx.b.mul(ctx.b.batch(), ctx.b.const(fixed));
}

function lowerDense(
  ctx: LowerContext,
  e: Call,
  args: Map<string, { expr: Expr; span: Span }>,
  scope: Scope,
  hint: ExprHint,
): Value {
  const name = ctx.nextDenseName();
  const xv = lowerExpr(ctx, args.get("x")!.expr, scope);
  const nArg = args.get("n")!;
  const nv = lowerExpr(ctx, nArg.expr, scope);
  const initArg = args.get("init");
  const init = initArg ? parseInit(ctx, initArg.expr) : defaultWeightInit(hint.activation);
  if (nv.kind !== "number" || !Number.isInteger(nv.value) || nv.value < 1) {
    if (nv.kind !== "poison") ctx.diags.error(nArg.span, `width of 'dense' must be a positive integer, got '${ctx.text(nArg.span)}'`);
    return POISON;
  }
  if (xv.kind !== "tensor" || !init) {
    if (xv.kind === "number") ctx.diags.error(args.get("x")!.span, `'dense' needs a tensor input, got a number`);
    return POISON;
  }
  const x = xv.node;
  // dense acts on the last axis: [B,n] → [B,m], and every position of [B,T,n] → [B,T,m].
  const inWidth = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || inWidth === "B") {
    ctx.diags.error(args.get("x")!.span, `'dense' needs a batch of vectors [B,n] (or [B,...,n]: it acts on the last axis), but '${ctx.text(args.get("x")!.span)}' has shape ${shapeToString(x.shape)}`);
    return POISON;
  }
  const W = makeParam(ctx, `${name}.W`, [inWidth, nv.value], init, e.span);
  const bias = makeParam(ctx, `${name}.b`, [nv.value], { kind: "zeros" }, e.span);
  try {
    const xW = ctx.b.name(ctx.b.matmul(x, W), `${name}.xW`);
    return tensor(ctx.b.name(ctx.b.add(xW, bias), `${name}.z`));
  } catch (err) {
    if (err instanceof ShapeError) ctx.diags.error(e.span, err.message);
    else throw err;
    return POISON;
  }
}

export function makeParam(ctx: LowerContext, name: string, shape: number[], init: Parameters<typeof ctx.params.push>[0]["init"], span: Span): Node {
  const node = ctx.b.param(name, shape, span);
  ctx.params.push({ name, shape, init, node, span, trainable: true }); // resolved against the train block at the end of lowering
  return node;
}
