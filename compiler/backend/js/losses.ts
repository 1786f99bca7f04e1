// Loss kernels: each sums a term over every element into a scalar local (the caller divides
// for the mean). The softmax cross-entropy reads the probabilities the step computed anyway.
import type { Node, NodeOf } from "../../ir/graph.js";
import { sizeExpr, type EmitContext } from "./context.js";

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

// PyTorch's BCELoss clamps the logs at −100, so p = 0 or 1 gives a finite loss.
export const emitBceSum = (ctx: EmitContext, node: NodeOf<"bce_sum">) =>
  sumLoop(ctx, node, (p, y) => `-(${y} * Math.max(Math.log(${p}), -100) + (1 - ${y}) * Math.max(Math.log(1 - ${p}), -100))`);

export const emitSigmoidBceSum = (ctx: EmitContext, node: NodeOf<"sigmoid_bce_sum">) =>
  sumLoop(ctx, node, (z, y) => `(${z} > 0 ? ${z} : 0) - ${z} * ${y} + Math.log1p(Math.exp(-Math.abs(${z})))`);

export const emitCeSum = (ctx: EmitContext, node: NodeOf<"ce_sum">) => sumLoop(ctx, node, (p, y) => `-${y} * Math.max(Math.log(${p}), -100)`);

// Per row: log Σ e^z = z_k − log p_k for any k; the row's largest p (≥ 1/K) keeps the
// logarithm finite and exact, so the loss is stable for any logits with one log per row.
export function emitSoftmaxCeSum(ctx: EmitContext, node: NodeOf<"softmax_ce_sum">): string {
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
}
