// Image layers: conv2d makes its weights like dense (W[filters, C, k, k] and b[filters], in
// PyTorch's layout) and lowers to the conv2d op plus a broadcast bias; pooling and flatten are
// single ops. Shape rules are the ops' own (ops/conv.ts, ops/pool.ts), reported at the call.
import type { Expr, Span } from "../../grammar/ast.js";
import { encodeShape, shapeToString, type Node } from "../ir/graph.js";
import { convShape } from "../ops/conv.js";
import { poolShape } from "../ops/pool.js";
import { makeParam } from "./builtins.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr, type ExprHint } from "./expr.js";
import { defaultWeightInit, parseInit } from "./init.js";
import { POISON, tensor, type Value } from "./values.js";

type Args = Map<string, { expr: Expr; span: Span }>;
type Call = Extract<Expr, { kind: "call" }>;

/** A whole-number argument (a literal or a block's number), at least `min`; undefined after reporting. */
export function wholeArg(ctx: LowerContext, fn: string, args: Args, name: string, fallback: number, min: number, scope: Scope): number | undefined {
  const arg = args.get(name);
  if (!arg) return fallback;
  const v = lowerExpr(ctx, arg.expr, scope);
  if (v.kind === "number" && Number.isInteger(v.value) && v.value >= min) return v.value;
  if (v.kind !== "poison") ctx.diags.error(arg.span, `'${name}' of '${fn}' must be a whole number >= ${min}, got '${ctx.text(arg.expr.span)}'`);
  return undefined;
}

/** How a message names an argument: its text, or for a layer line of `layers`, the layer's input. */
export function argText(ctx: LowerContext, arg: { expr: Expr; span: Span }): string {
  return arg.expr.kind === "name" && arg.expr.name === "(prev)" ? "its input" : `'${ctx.text(arg.span)}'`;
}

/** Images [B,C,H,W], or undefined after reporting at the argument. */
function imagesArg(ctx: LowerContext, fn: string, x: Node, arg: { expr: Expr; span: Span }): Node | undefined {
  if (x.shape.length === 4 && x.shape[0] === "B" && x.shape.lastIndexOf("B") === 0) return x;
  ctx.diags.error(arg.span, `'${fn}' needs images [C,H,W] per row, but ${argText(ctx, arg)} has shape ${shapeToString(x.shape)}`);
  return undefined;
}

export function lowerConv2d(ctx: LowerContext, e: Call, args: Args, scope: Scope, hint: ExprHint): Value {
  const name = ctx.nextWeightsName("conv2d");
  const xArg = args.get("x")!;
  const xv = lowerExpr(ctx, xArg.expr, scope);
  const filters = wholeArg(ctx, "conv2d", args, "filters", 1, 1, scope);
  const kernel = wholeArg(ctx, "conv2d", args, "kernel", 3, 1, scope);
  const stride = wholeArg(ctx, "conv2d", args, "stride", 1, 1, scope);
  const padding = wholeArg(ctx, "conv2d", args, "padding", 0, 0, scope);
  const initArg = args.get("init");
  const init = initArg ? parseInit(ctx, initArg.expr) : defaultWeightInit(hint.activation);
  if (xv.kind === "number") ctx.diags.error(xArg.span, `'conv2d' needs a tensor input, got a number`);
  if (xv.kind !== "tensor" || filters === undefined || kernel === undefined || stride === undefined || padding === undefined || !init) return POISON;
  const x = imagesArg(ctx, "conv2d", xv.node, xArg);
  if (!x) return POISON;
  const weightShape = [filters, x.shape[1] as number, kernel, kernel];
  const out = convShape(x.shape, weightShape, stride, padding);
  if (typeof out === "string") {
    ctx.diags.error(e.span, `'conv2d' of ${argText(ctx, xArg)}: ${out.replace(/^conv2d /, "")}`);
    return POISON;
  }
  const W = makeParam(ctx, `${name}.W`, weightShape, init, e.span);
  const bias = makeParam(ctx, `${name}.b`, [filters], { kind: "zeros" }, e.span);
  const b = ctx.b;
  const conv = b.name(b.node("conv2d", [x, W], { stride, padding }), `${name}.conv`);
  // One bias per filter, broadcast over the filter's whole output plane.
  const perFilter = b.name(b.node("reshape", [bias], { shape: [filters, 1, 1] }), `${name}.bias`);
  return tensor(b.name(b.add(conv, perFilter), `${name}.z`));
}

export function lowerPool(ctx: LowerContext, fn: "maxpool2d" | "avgpool2d", xv: Node, args: Args, span: Span, scope: Scope): Value {
  const k = wholeArg(ctx, fn, args, "k", 2, 1, scope);
  const x = imagesArg(ctx, fn, xv, args.get("x")!);
  if (k === undefined || !x) return POISON;
  const out = poolShape(x.shape, k, fn);
  if (typeof out === "string") {
    ctx.diags.error(span, `'${fn}' of ${argText(ctx, args.get("x")!)}: ${out.replace(`${fn} `, "")}`);
    return POISON;
  }
  return tensor(ctx.b.node(fn, [x], { k }));
}

/** [B,C,H,W] → [B,C·H·W] in row-major order; a batch of vectors is already flat. */
export function lowerFlatten(ctx: LowerContext, x: Node, arg: { expr: Expr; span: Span }): Value {
  if (x.shape.length < 2 || x.shape[0] !== "B" || x.shape.lastIndexOf("B") !== 0) {
    ctx.diags.error(arg.span, `'flatten' needs a batch [B,...], but ${argText(ctx, arg)} has shape ${shapeToString(x.shape)}`);
    return POISON;
  }
  if (x.shape.length === 2) return tensor(x);
  const width = x.shape.slice(1).reduce<number>((n, d) => n * (d as number), 1);
  return tensor(ctx.b.node("reshape", [x], { shape: encodeShape(["B", width]) }));
}
