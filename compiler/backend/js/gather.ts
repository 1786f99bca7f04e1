// Embedding lookups as straight copies: each id's table row into the output, and in the
// derivative each output row's cotangent added back into the row it came from.
import type { Node, NodeOf } from "../../ir/graph.js";
import { sizeExpr, type EmitContext } from "./context.js";

export function emitGather(ctx: EmitContext, node: NodeOf<"gather">): string {
  const [Table, Ids] = node.inputs as [Node, Node];
  const d = Table.shape[1] as number;
  const table = ctx.ref(Table), ids = ctx.ref(Ids), out = ctx.ref(node);
  const i = ctx.local("i"), j = ctx.local("j"), from = ctx.local("from");
  return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, Ids.shape)}; ${i}++) {
const ${from} = ${ids}[${i}] * ${d};
for (let ${j} = 0; ${j} < ${d}; ${j}++) ${out}[${i} * ${d} + ${j}] = ${table}[${from} + ${j}];
}`;
}

export function emitScatterAdd(ctx: EmitContext, node: NodeOf<"scatter_add">): string {
  const [Ids, G] = node.inputs as [Node, Node];
  const d = node.shape[1] as number;
  const ids = ctx.ref(Ids), g = ctx.ref(G), out = ctx.ref(node);
  const i = ctx.local("i"), j = ctx.local("j"), to = ctx.local("to");
  return `${out}.fill(0, 0, ${node.attrs.rows * d});
for (let ${i} = 0; ${i} < ${sizeExpr(ctx, Ids.shape)}; ${i}++) {
const ${to} = ${ids}[${i}] * ${d};
for (let ${j} = 0; ${j} < ${d}; ${j}++) ${out}[${to} + ${j}] += ${g}[${i} * ${d} + ${j}];
}`;
}
