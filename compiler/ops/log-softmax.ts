// log(softmax(z)) along the last axis, computed stably as z − max − log Σ e^{z − max}.
import { sizeExpr } from "../emit/context.js";
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const log_softmax: OpDef = {
  name: "log_softmax",
  kind: "other",
  arity: 1,
  inferShape: ([a]) => (a!.length === 0 ? `log_softmax needs a vector, got ${shapeToString(a!)}` : a!),
  // dz = g − softmax(z)·Σ g along the last axis, with softmax(z) = e^y from the output y.
  vjp: (b, y, g) => {
    const last = y.shape.length - 1;
    return [b.sub(g, b.mul(b.unary("exp", y), b.sum(g, [last], true)))];
  },
  emit(ctx, node) {
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
  },
};
