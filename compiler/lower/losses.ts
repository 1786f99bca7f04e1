// Loss functions, following PyTorch's default reductions: `mse`, `mae`, `huber`, `bce` and
// `bce_logits` average over every element (batch × outputs); `cross_entropy` and
// `cross_entropy_logits` average −Σₖ yₖ log pₖ over the batch. `reduce: sum` drops the division.
// A `class(K)` target holds one index per row and is expanded to one-hot rows first.
import type { Expr, Span } from "../../grammar/ast.js";
import { sameShape, shapeToString, type Node } from "../ir/graph.js";
import { count } from "./builtins.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr } from "./expr.js";
import { POISON, tensor, type Value } from "./values.js";

type Call = Extract<Expr, { kind: "call" }>;

export interface LossOptions {
  reduce: "mean" | "sum";
  /** huber's threshold between the quadratic and the linear part. */
  delta: number;
}

const DEFAULTS: LossOptions = { reduce: "mean", delta: 1 };

/** Losses whose targets may be `class(K)` indices. */
const CLASS_LOSSES = ["cross_entropy", "cross_entropy_logits"];

/** A loss call with its arguments already matched to `params` (`p`/`z`, `y`, `delta?`, `reduce?`). */
export function lowerLossCall(ctx: LowerContext, e: Call, args: Map<string, { expr: Expr; span: Span }>, scope: Scope): Value {
  const name = e.callee.name;
  const first = args.has("z") ? "z" : "p";
  const operand = (p: string): Node | undefined => {
    const arg = args.get(p)!;
    const v = lowerExpr(ctx, arg.expr, scope);
    if (v.kind === "tensor") return v.node;
    if (v.kind === "number") ctx.diags.error(arg.span, `argument '${p}' of '${name}' must be a tensor, got a number`);
    return undefined;
  };
  const p = operand(first);
  const y = operand("y");
  const options = { ...DEFAULTS };
  let ok = true;
  const reduceArg = args.get("reduce");
  if (reduceArg) {
    const r = reduceArg.expr;
    if (r.kind === "name" && (r.name === "mean" || r.name === "sum")) options.reduce = r.name;
    else {
      ctx.diags.error(reduceArg.span, `'reduce' of '${name}' must be 'mean' or 'sum', got '${ctx.text(r.span)}'`);
      ok = false;
    }
  }
  const deltaArg = args.get("delta");
  if (deltaArg) {
    const v = lowerExpr(ctx, deltaArg.expr, scope);
    if (v.kind === "number" && v.value > 0 && Number.isFinite(v.value)) options.delta = v.value;
    else {
      if (v.kind !== "poison") ctx.diags.error(deltaArg.span, `'delta' of '${name}' must be a positive constant number, got '${ctx.text(deltaArg.expr.span)}'`);
      ok = false;
    }
  }
  if (!p || !y || !ok) return POISON;
  // A name argument is shown as the name: `loss mse` passes the output and target by name.
  const shown = (p: string) => {
    const arg = args.get(p)!;
    return { span: arg.span, text: arg.expr.kind === "name" ? arg.expr.name : ctx.text(arg.span) };
  };
  return lowerLoss(ctx, name, p, y, e.span, shown(first), shown("y"), options);
}

export function lowerLoss(
  ctx: LowerContext,
  name: string,
  p: Node,
  y: Node,
  span: Span,
  pArg: { span: Span; text: string },
  yArg: { span: Span; text: string },
  options: LossOptions = DEFAULTS,
): Value {
  const b = ctx.b;
  const [pSpan, ySpan, pText, yText] = [pArg.span, yArg.span, pArg.text, yArg.text];
  if (!p.shape.includes("B")) {
    ctx.diags.error(pSpan, `'${name}' needs a batch of predictions, but '${pText}' has shape ${shapeToString(p.shape)}`);
    return POISON;
  }
  let target = y;
  const classes = y.op === "input" ? ctx.classesOf(y) : undefined;
  if (classes !== undefined) {
    // A class per row ([B]) or per position ([B,T]): the probabilities add the classes' axis.
    const declared = y.shape.length === 1 ? `class(${classes})` : `[${y.shape.slice(1).join(",")}]: class(${classes})`;
    if (!CLASS_LOSSES.includes(name)) {
      ctx.diags.error(ySpan, `'${name}' needs a target of the same shape as '${pText}', but '${yText}' is ${declared}; use cross_entropy`);
      return POISON;
    }
    const needed = [...y.shape, classes];
    if (!sameShape(p.shape, needed)) {
      ctx.diags.error(span, `loss shapes do not fit: '${pText}' has shape ${shapeToString(p.shape)} but '${yText}' is ${declared}, which needs ${shapeToString(needed)}`);
      return POISON;
    }
    target = b.node("onehot", [y], { classes });
  } else if (!sameShape(p.shape, y.shape)) {
    ctx.diags.error(span, `loss shapes do not fit: '${pText}' has shape ${shapeToString(p.shape)} but '${yText}' has shape ${shapeToString(y.shape)}`);
    return POISON;
  }
  const total = lossSum(ctx, name, p, target, options);
  if (options.reduce === "sum") return tensor(total);
  // Cross-entropies average over rows (and positions: PyTorch's CrossEntropyLoss on (B·T, C)),
  // the elementwise losses over every element.
  return tensor(b.div(total, CLASS_LOSSES.includes(name) ? countRows(ctx, p) : count(ctx, p)));
}

/** The number of rows of the last axis: B for [B,K], B·T for [B,T,K]. */
function countRows(ctx: LowerContext, p: Node): Node {
  const positions = p.shape.slice(1, -1).reduce<number>((n, d) => n * (d as number), 1);
  return positions === 1 ? ctx.b.batch() : ctx.b.mul(ctx.b.batch(), ctx.b.const(positions));
}

/** The loss summed over every element (every row, for the cross-entropies). */
function lossSum(ctx: LowerContext, name: string, p: Node, y: Node, options: LossOptions): Node {
  const b = ctx.b;
  switch (name) {
    case "bce":
      return b.node("bce_sum", [p, y]);
    case "bce_logits":
      return b.node("sigmoid_bce_sum", [p, y]);
    case "cross_entropy":
      return b.node("ce_sum", [p, y]);
    case "cross_entropy_logits":
      return b.node("softmax_ce_sum", [p, y, b.node("softmax", [p])]);
    case "mse": {
      const d = b.sub(p, y);
      return b.sumAll(b.mul(d, d));
    }
    case "mae":
      return b.sumAll(b.node("abs", [b.sub(p, y)]));
    case "huber":
      return b.sumAll(b.node("huber", [b.sub(p, y)], { delta: options.delta }));
  }
  throw new Error(`internal: unknown loss '${name}'`);
}
