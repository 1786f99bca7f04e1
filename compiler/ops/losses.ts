// Loss kernels, each a sum over every element (the caller divides for the mean). The fused
// forms take logits: their gradient w.r.t. the logits is the famous `p − y`, and their
// forward pass is stable for any logit (log-sum-exp, softplus).
import { sizeExpr, type EmitContext } from "../emit/context.js";
import { shapeToString, type Node, type Shape } from "../ir/graph.js";
import { sameShapeRule } from "./shape-rules.js";
import type { OpDef } from "./types.js";

/** A scalar reduction `Σᵢ term(pᵢ, yᵢ)` over two same-shaped tensors. */
function sumLoop(ctx: EmitContext, node: Node, term: (p: string, y: string) => string): string {
  const [P, Y] = node.inputs as [Node, Node];
  const out = ctx.ref(node), i = ctx.local("i"), p = ctx.local("p"), y = ctx.local("y");
  return `${ctx.declare(out, "0")}
for (let ${i} = 0; ${i} < ${sizeExpr(ctx, P.shape)}; ${i}++) {
const ${p} = ${ctx.ref(P)}[${i}];
const ${y} = ${ctx.ref(Y)}[${i}];
${out} += ${term(p, y)};
}`;
}

// PyTorch's BCELoss: logs clamped at −100 so p = 0 or 1 gives a finite loss, and the same
// ε = 1e-12 floor on p(1−p) in the gradient.
export const bce_sum: OpDef = {
  name: "bce_sum",
  kind: "other",
  arity: 2,
  inferShape: sameShapeRule("bce"),
  vjp: (b, node, g) => {
    const [p, y] = node.inputs as [Node, Node];
    const denom = b.max(b.mul(p, b.sub(b.const(1), p)), b.const(1e-12));
    return [b.mul(g, b.div(b.sub(p, y), denom)), null];
  },
  emit: (ctx, node) =>
    sumLoop(ctx, node, (p, y) => `-(${y} * Math.max(Math.log(${p}), -100) + (1 - ${y}) * Math.max(Math.log(1 - ${p}), -100))`),
};

/** bce(sigmoid(z), y) from the logits z: max(z,0) − z·y + log(1 + e^−|z|). */
export const sigmoid_bce_sum: OpDef = {
  name: "sigmoid_bce_sum",
  kind: "other",
  arity: 2,
  inferShape: sameShapeRule("bce"),
  vjp: (b, node, g) => {
    const [z, y] = node.inputs as [Node, Node];
    return [b.mul(g, b.sub(b.unary("sigmoid", z), y)), null];
  },
  emit: (ctx, node) =>
    sumLoop(ctx, node, (z, y) => `(${z} > 0 ? ${z} : 0) - ${z} * ${y} + Math.log1p(Math.exp(-Math.abs(${z})))`),
};

/** −Σ y log p on probabilities, log clamped at −100 like bce. */
export const ce_sum: OpDef = {
  name: "ce_sum",
  kind: "other",
  arity: 2,
  inferShape: sameShapeRule("cross_entropy"),
  vjp: (b, node, g) => {
    const [p, y] = node.inputs as [Node, Node];
    return [b.neg(b.mul(g, b.div(y, b.max(p, b.const(1e-300))))), null];
  },
  emit: (ctx, node) => sumLoop(ctx, node, (p, y) => `-${y} * Math.max(Math.log(${p}), -100)`),
};

/** cross_entropy(softmax(z), y) from the logits: Σ_rows (logΣexp z − Σ y·z). */
export const softmax_ce_sum: OpDef = {
  name: "softmax_ce_sum",
  kind: "other",
  // (z, y, p) with p = softmax(z), which the training step computes anyway: taking it as an
  // input lets the loss skip a second round of exponentials.
  arity: 3,
  inferShape: (inputs) => {
    const [z, , p] = inputs as [Shape, Shape, Shape];
    if (shapeToString(z) !== shapeToString(p)) return `internal: softmax_ce_sum needs p of z's shape`;
    return sameShapeRule("cross_entropy")(inputs.slice(0, 2));
  },
  // d/dz = p·Σy − y, which is the famous p − y when each row of y sums to 1; that is known
  // for one-hot rows made from class indices, while a dense target may hold any values.
  vjp: (b, node, g) => {
    const [, y, p] = node.inputs as [Node, Node, Node];
    const scaled = y.op === "onehot" ? p : b.mul(p, b.sum(y, [y.shape.length - 1], true));
    return [b.mul(g, b.sub(scaled, y)), null, null];
  },
  // Per row: log Σ e^z = z_k − log p_k for any k; the row's largest p (≥ 1/K) keeps the
  // logarithm finite and exact, so the loss is stable for any logits with one log per row.
  emit(ctx, node) {
    const [Z, Y, P] = node.inputs as [Node, Node, Node];
    const z = ctx.ref(Z), y = ctx.ref(Y), p = ctx.ref(P), out = ctx.ref(node);
    const width = Z.shape[Z.shape.length - 1]!;
    const rows = sizeExpr(ctx, Z.shape.slice(0, -1));
    const r = ctx.local("r"), j = ctx.local("j"), o = ctx.local("o"), best = ctx.local("best"), dot = ctx.local("dot"), ty = ctx.local("ty");
    return `${ctx.declare(out, "0")}
for (let ${r} = 0; ${r} < ${rows}; ${r}++) {
const ${o} = ${r} * ${width};
let ${best} = 0, ${dot} = 0, ${ty} = 0;
for (let ${j} = 0; ${j} < ${width}; ${j}++) {
if (${p}[${o} + ${j}] > ${p}[${o} + ${best}]) ${best} = ${j};
${dot} += ${y}[${o} + ${j}] * ${z}[${o} + ${j}];
${ty} += ${y}[${o} + ${j}];
}
${out} += ${ty} * (${z}[${o} + ${best}] - Math.log(${p}[${o} + ${best}])) - ${dot};
}`;
  },
};
