// Sequence layers on rows [T, d]: embedding (a table lookup of an index input), the recurrent
// layers rnn, gru and lstm (one kernel op each way, see ops/recurrent.ts), the last step, and
// multi-head self-attention (projections as ordinary dense products around two kernel ops).
// Parameter names and layouts follow PyTorch's, transposed where netc's products want [in, out].
import type { Expr, Span } from "../../grammar/ast.js";
import { shapeToString, type Node } from "../ir/graph.js";
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
  const name = ctx.nextLayerName("embedding");
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
