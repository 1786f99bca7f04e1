// Softmax and log-softmax along the last axis, one row at a time, shifted by the row maximum.
import type { NodeOf } from "../../ir/graph.js";
import { sizeExpr, type EmitContext } from "./context.js";

export function emitSoftmax(ctx: EmitContext, node: NodeOf<"softmax">): string {
  const z = ctx.ref(node.inputs[0]!);
  const p = ctx.ref(node);
  const width = node.shape[node.shape.length - 1]!;
  const rows = sizeExpr(ctx, node.shape.slice(0, -1));
  const r = ctx.local("r"), j = ctx.local("j"), o = ctx.local("o"), mx = ctx.local("max"), s = ctx.local("sum"), e = ctx.local("e");
  return `for (let ${r} = 0; ${r} < ${rows}; ${r}++) {
const ${o} = ${r} * ${width};
let ${mx} = -Infinity;
for (let ${j} = 0; ${j} < ${width}; ${j}++) if (${z}[${o} + ${j}] > ${mx}) ${mx} = ${z}[${o} + ${j}];
let ${s} = 0;
for (let ${j} = 0; ${j} < ${width}; ${j}++) {
const ${e} = Math.exp(${z}[${o} + ${j}] - ${mx});
${p}[${o} + ${j}] = ${e};
${s} += ${e};
}
for (let ${j} = 0; ${j} < ${width}; ${j}++) ${p}[${o} + ${j}] /= ${s};
}`;
}

export function emitLogSoftmax(ctx: EmitContext, node: NodeOf<"log_softmax">): string {
  const z = ctx.ref(node.inputs[0]!);
  const y = ctx.ref(node);
  const width = node.shape[node.shape.length - 1]!;
  const rows = sizeExpr(ctx, node.shape.slice(0, -1));
  const r = ctx.local("r"), j = ctx.local("j"), o = ctx.local("o"), mx = ctx.local("max"), s = ctx.local("sum"), shift = ctx.local("shift");
  return `for (let ${r} = 0; ${r} < ${rows}; ${r}++) {
const ${o} = ${r} * ${width};
let ${mx} = -Infinity;
for (let ${j} = 0; ${j} < ${width}; ${j}++) if (${z}[${o} + ${j}] > ${mx}) ${mx} = ${z}[${o} + ${j}];
let ${s} = 0;
for (let ${j} = 0; ${j} < ${width}; ${j}++) ${s} += Math.exp(${z}[${o} + ${j}] - ${mx});
const ${shift} = ${mx} + Math.log(${s});
for (let ${j} = 0; ${j} < ${width}; ${j}++) ${y}[${o} + ${j}] = ${z}[${o} + ${j}] - ${shift};
}`;
}
