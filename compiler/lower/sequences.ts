// Sequence layers on rows [T, d]: embedding (a table lookup of an index input), the recurrent
// layers rnn, gru and lstm (one kernel op each way, see ops/recurrent.ts), the last step, and
// multi-head self-attention (projections as ordinary dense products around two kernel ops).
// Parameter names and layouts follow PyTorch's, transposed where netc's products want [in, out].
import type { Expr, Span } from "../../grammar/ast.js";
import { encodeShape, shapeToString, type Node } from "../ir/graph.js";
import type { RecurrentCell } from "../ir/vocabulary.js";
import { headsOf } from "../ops/attention.js";
import { GATES } from "../ops/recurrent.js";
import { makeParam } from "./builtins.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr } from "./expr.js";
import { argText, wholeArg } from "./images.js";
import { parseInit } from "./init.js";
import { POISON, tensor, type Value } from "./values.js";

type Args = Map<string, { expr: Expr; span: Span }>;
type Call = Extract<Expr, { kind: "call" }>;

/** The call's tensor argument `x`, or undefined after reporting. */
function tensorX(ctx: LowerContext, fn: string, args: Args, scope: Scope): Node | undefined {
  const arg = args.get("x")!;
  const v = lowerExpr(ctx, arg.expr, scope);
  if (v.kind === "number") ctx.diags.error(arg.span, `'${fn}' needs a tensor input, got a number`);
  return v.kind === "tensor" ? v.node : undefined;
}

/** `embedding(s, dim)`: row s[t] of W[V, dim] for every position of an index input s[T]: index(V). */
export function lowerEmbedding(ctx: LowerContext, e: Call, args: Args, scope: Scope): Value {
  const name = ctx.nextWeightsName("embedding"); // its table is `.W`, like dense's weights
  const xArg = args.get("x")!;
  const ids = tensorX(ctx, "embedding", args, scope);
  const dim = wholeArg(ctx, "embedding", args, "dim", 1, 1, scope);
  const initArg = args.get("init");
  const init = initArg ? parseInit(ctx, initArg.expr) : { kind: "normal" as const, mean: 0, std: 1 };
  if (!ids || dim === undefined || !init) return POISON;
  const vocab = ctx.idCounts.get(ids.id);
  if (vocab === undefined) {
    ctx.diags.error(xArg.span, `'embedding' needs an index input (input s[T]: index(V)), but ${argText(ctx, xArg)} has shape ${shapeToString(ids.shape)} and holds values`);
    return POISON;
  }
  const W = makeParam(ctx, `${name}.W`, [vocab, dim], init, e.span);
  return tensor(ctx.b.name(ctx.b.node("gather", [W, ids]), name));
}

/**
 * Layers of one family in one binding share a count, so their parameters never collide: `h` for
 * the first, then `h.gru2` for a second that is a GRU (as normalization layers do).
 */
function familyName(ctx: LowerContext, family: string, kind: string): string {
  const name = ctx.nextLayerName(family);
  return name === ctx.binding ? name : `${ctx.binding}.${kind}${name.slice(`${ctx.binding}.${family}`.length)}`;
}

/** Sequences [B,T,d], or undefined after reporting at the argument. */
function sequenceArg(ctx: LowerContext, fn: string, x: Node, arg: { expr: Expr; span: Span }): Node | undefined {
  if (x.shape.length === 3 && x.shape[0] === "B" && x.shape.lastIndexOf("B") === 0) return x;
  ctx.diags.error(arg.span, `'${fn}' needs sequences [T, d] per row, but ${argText(ctx, arg)} has shape ${shapeToString(x.shape)}`);
  return undefined;
}

/**
 * `rnn(x, n)`, `gru(x, n)`, `lstm(x, n)` on [T, in] → every hidden state [T, n], from a zero
 * state. W_ih[in, G·n], W_hh[n, G·n], b_ih and b_hh[G·n] are PyTorch's weight_ih_l0,
 * weight_hh_l0 (transposed), bias_ih_l0 and bias_hh_l0, initialized as PyTorch does:
 * uniform(−1/√n, 1/√n).
 */
export function lowerRecurrent(ctx: LowerContext, cell: RecurrentCell, e: Call, args: Args, scope: Scope): Value {
  const name = familyName(ctx, "recurrent", cell);
  const xArg = args.get("x")!;
  const xv = tensorX(ctx, cell, args, scope);
  const n = wholeArg(ctx, cell, args, "n", 1, 1, scope);
  if (!xv || n === undefined) return POISON;
  const x = sequenceArg(ctx, cell, xv, xArg);
  if (!x) return POISON;
  const inWidth = x.shape[2] as number, gn = GATES[cell] * n;
  const bound = 1 / Math.sqrt(n);
  const init = { kind: "uniform" as const, lo: -bound, hi: bound };
  const Wih = makeParam(ctx, `${name}.W_ih`, [inWidth, gn], init, e.span);
  const Whh = makeParam(ctx, `${name}.W_hh`, [n, gn], init, e.span);
  const bih = makeParam(ctx, `${name}.b_ih`, [gn], init, e.span);
  const bhh = makeParam(ctx, `${name}.b_hh`, [gn], init, e.span);
  const b = ctx.b;
  const xw = b.name(b.add(b.matmul(x, Wih), bih), `${name}.xw`);
  const tape = b.name(b.node("recurrent", [xw, Whh, bhh], { cell }), `${name}.tape`);
  return tensor(b.node("slice", [tape], { start: 0, len: n }));
}

/** `last(x)`: [T, d] → [d], the last position (a recurrent layer's final state). */
export function lowerLast(ctx: LowerContext, xv: Node, arg: { expr: Expr; span: Span }): Value {
  const x = sequenceArg(ctx, "last", xv, arg);
  if (!x) return POISON;
  const [, T, d] = x.shape as ["B", number, number];
  const flat = ctx.b.node("reshape", [x], { shape: encodeShape(["B", T * d]) });
  return tensor(ctx.b.node("slice", [flat], { start: (T - 1) * d, len: d }));
}

/** `mean(x, axis: k)`: the mean over per-row axis k (0 is the first after the batch), which is dropped. */
export function lowerMeanAxis(ctx: LowerContext, x: Node, axisArg: { expr: Expr; span: Span }, xArg: { expr: Expr; span: Span }, scope: Scope): Value {
  const rank = x.shape.length - 1;
  if (x.shape[0] !== "B" || x.shape.lastIndexOf("B") !== 0 || rank < 2) {
    ctx.diags.error(xArg.span, `'mean' over an axis needs rows of two or more axes (such as [T, d]), but ${argText(ctx, xArg)} has shape ${shapeToString(x.shape)}`);
    return POISON;
  }
  const v = lowerExpr(ctx, axisArg.expr, scope);
  if (v.kind !== "number" || !Number.isInteger(v.value) || v.value < 0 || v.value >= rank) {
    if (v.kind !== "poison") ctx.diags.error(axisArg.span, `'axis' of 'mean' must be a whole number from 0 to ${rank - 1} (the rows of ${argText(ctx, xArg)} are ${shapeToString(x.shape.slice(1))}), got '${ctx.text(axisArg.expr.span)}'`);
    return POISON;
  }
  const b = ctx.b;
  const axis = v.value + 1;
  const total = b.sum(x, [axis], true);
  const dropped = b.node("reshape", [total], { shape: encodeShape(x.shape.filter((_, i) => i !== axis)) });
  return tensor(b.div(dropped, b.const(x.shape[axis] as number)));
}

/** A yes/no argument written `true` or `false` (a name, like `reduce: mean`); undefined after reporting. */
function flagArg(ctx: LowerContext, fn: string, args: Args, name: string, fallback: boolean): boolean | undefined {
  const arg = args.get(name);
  if (!arg) return fallback;
  if (arg.expr.kind === "name" && (arg.expr.name === "true" || arg.expr.name === "false")) return arg.expr.name === "true";
  ctx.diags.error(arg.span, `'${name}' of '${fn}' must be true or false, got '${ctx.text(arg.expr.span)}'`);
  return undefined;
}

/**
 * `attention(x, heads: H, causal: false)`: multi-head self-attention on [T, d] with Wq, Wk, Wv,
 * Wo [d, d] (xavier) and bq, bk, bv, bo [d] (zeros): per head softmax(Q Kᵀ / √(d/H)) V, heads
 * concatenated, then · Wo + bo — nn.MultiheadAttention's math with its in-projection split in three.
 */
export function lowerAttention(ctx: LowerContext, e: Call, args: Args, scope: Scope): Value {
  const name = ctx.nextLayerName("attention");
  const xArg = args.get("x")!;
  const xv = tensorX(ctx, "attention", args, scope);
  const heads = wholeArg(ctx, "attention", args, "heads", 1, 1, scope);
  const causal = flagArg(ctx, "attention", args, "causal", false);
  if (!xv || heads === undefined || causal === undefined) return POISON;
  const x = sequenceArg(ctx, "attention", xv, xArg);
  if (!x) return POISON;
  const dims = headsOf(x.shape, heads, "attention");
  if (typeof dims === "string") {
    ctx.diags.error(args.get("heads")?.span ?? e.span, `'attention' of ${argText(ctx, xArg)}: ${dims}`);
    return POISON;
  }
  const d = dims[1];
  const b = ctx.b;
  const project = (which: string) => {
    const W = makeParam(ctx, `${name}.W${which}`, [d, d], { kind: "xavier" }, e.span);
    const bias = makeParam(ctx, `${name}.b${which}`, [d], { kind: "zeros" }, e.span);
    return (input: Node) => b.name(b.add(b.matmul(input, W), bias), `${name}.${which}`);
  };
  const [q, k, v] = ["q", "k", "v"].map((w) => project(w)(x));
  const out = project("o");
  const scores = b.node("attention_scores", [q!, k!], { heads, scale: 1 / Math.sqrt(d / heads), future: causal ? "masked" : "keep" });
  const weights = b.name(b.unary("softmax", b.name(scores, `${name}.scores`)), `${name}.weights`);
  const mixed = b.name(b.node("attention_mix", [weights, v!], { heads, transposed: false, causal }), `${name}.heads`);
  return tensor(out(mixed));
}
