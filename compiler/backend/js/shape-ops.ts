// Kernels that move data: concat and slice along the last axis, one-hot rows from class
// indices, and dropout masks drawn from the module's seeded generator.
import type { Node, NodeOf, Shape } from "../../ir/graph.js";
import { sizeExpr, type EmitContext } from "./context.js";

const lastDim = (s: Shape): number => s[s.length - 1] as number;

export function emitConcat(ctx: EmitContext, node: NodeOf<"concat">): string {
  const [A, B] = node.inputs as [Node, Node];
  const wa = lastDim(A.shape), wb = lastDim(B.shape), w = wa + wb;
  const out = ctx.ref(node), a = ctx.ref(A), bb = ctx.ref(B);
  const r = ctx.local("r"), j = ctx.local("j");
  return `for (let ${r} = 0; ${r} < ${sizeExpr(ctx, node.shape.slice(0, -1))}; ${r}++) {
for (let ${j} = 0; ${j} < ${wa}; ${j}++) ${out}[${r} * ${w} + ${j}] = ${a}[${r} * ${wa} + ${j}];
for (let ${j} = 0; ${j} < ${wb}; ${j}++) ${out}[${r} * ${w} + ${wa} + ${j}] = ${bb}[${r} * ${wb} + ${j}];
}`;
}

export function emitSlice(ctx: EmitContext, node: NodeOf<"slice">): string {
  const X = node.inputs[0]!;
  const { start, len } = node.attrs;
  const w = lastDim(X.shape);
  const out = ctx.ref(node), x = ctx.ref(X);
  const r = ctx.local("r"), j = ctx.local("j");
  const from = start === 0 ? `${r} * ${w} + ${j}` : `${r} * ${w} + ${start} + ${j}`;
  return `for (let ${r} = 0; ${r} < ${sizeExpr(ctx, node.shape.slice(0, -1))}; ${r}++) {
for (let ${j} = 0; ${j} < ${len}; ${j}++) ${out}[${r} * ${len} + ${j}] = ${x}[${from}];
}`;
}

/** The elements in the same order: a copy (the planner gives every tensor its own place). */
export function emitReshape(ctx: EmitContext, node: NodeOf<"reshape">): string {
  const x = ctx.ref(node.inputs[0]!), out = ctx.ref(node);
  const i = ctx.local("i");
  return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, node.shape)}; ${i}++) ${out}[${i}] = ${x}[${i}];`;
}

/** An index that is not an integer in [0, K) stops the step through the module's badLabel(). */
export function emitOnehot(ctx: EmitContext, node: NodeOf<"onehot">): string {
  const K = node.attrs.classes;
  const Y = node.inputs[0]!;
  const y = ctx.ref(Y);
  const out = ctx.ref(node);
  const r = ctx.local("r"), c = ctx.local("c");
  // A class per position: the message names row and position.
  const positions = Y.shape.length === 2 ? `, ${Y.shape[1]}` : "";
  const count = sizeExpr(ctx, Y.shape);
  return `${out}.fill(0, 0, ${count} * ${K});
for (let ${r} = 0; ${r} < ${count}; ${r}++) {
const ${c} = ${y}[${r}];
if (!(${c} >= 0 && ${c} < ${K} && ${c} === Math.floor(${c}))) badLabel(${r}, ${c}, ${K}${positions});
${out}[${r} * ${K} + ${c}] = 1;
}`;
}

/** Each element 0 with probability p, else 1/(1−p) (inverted dropout), from nextDropout(). */
export function emitDropoutMask(ctx: EmitContext, node: NodeOf<"dropout_mask">): string {
  const p = node.attrs.p;
  const out = ctx.ref(node);
  const i = ctx.local("i");
  const size = node.attrs.shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  return `for (let ${i} = 0; ${i} < ${ctx.rows} * ${size}; ${i}++) ${out}[${i}] = nextDropout() < ${p} ? 0 : ${1 / (1 - p)};`;
}
