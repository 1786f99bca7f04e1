// Loss functions, following PyTorch's default reductions: `mse` and `bce` average over every
// element (batch × outputs); `cross_entropy` averages −Σₖ yₖ log pₖ over the batch. A
// `class(K)` target holds one index per row and is expanded to one-hot rows first.
import type { Span } from "../../grammar/ast.js";
import { sameShape, shapeToString, type Node } from "../ir/graph.js";
import { count } from "./builtins.js";
import type { LowerContext } from "./context.js";
import { POISON, tensor, type Value } from "./values.js";

export function lowerLoss(ctx: LowerContext, name: string, p: Node, y: Node, span: Span, pSpan: Span, ySpan: Span): Value {
  const b = ctx.b;
  if (!p.shape.includes("B")) {
    ctx.diags.error(pSpan, `'${name}' needs a batch of predictions, but '${ctx.text(pSpan)}' has shape ${shapeToString(p.shape)}`);
    return POISON;
  }
  let target = y;
  const classes = y.op === "input" && y.shape.length === 1 ? ctx.classesOf(y) : undefined;
  if (classes !== undefined) {
    if (name !== "cross_entropy") {
      ctx.diags.error(ySpan, `'${name}' needs a target of the same shape as '${ctx.text(pSpan)}', but '${ctx.text(ySpan)}' is class(${classes}); use cross_entropy`);
      return POISON;
    }
    if (p.shape.length !== 2 || p.shape[1] !== classes) {
      ctx.diags.error(span, `loss shapes do not fit: '${ctx.text(pSpan)}' has shape ${shapeToString(p.shape)} but '${ctx.text(ySpan)}' is class(${classes}), which needs [B,${classes}]`);
      return POISON;
    }
    target = b.node("onehot", [y], { classes });
  } else if (!sameShape(p.shape, y.shape)) {
    ctx.diags.error(span, `loss shapes do not fit: '${ctx.text(pSpan)}' has shape ${shapeToString(p.shape)} but '${ctx.text(ySpan)}' has shape ${shapeToString(y.shape)}`);
    return POISON;
  }
  switch (name) {
    case "bce":
      return tensor(b.div(b.node("bce_sum", [p, target]), count(ctx, p)));
    case "mse": {
      const d = b.sub(p, target);
      return tensor(b.div(b.sumAll(b.mul(d, d)), count(ctx, p)));
    }
    default:
      return tensor(b.div(b.node("ce_sum", [p, target]), b.batch()));
  }
}
