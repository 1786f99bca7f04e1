// Softmax along the last axis, computed stably (shifted by the row maximum).
import { shapeToString } from "../ir/graph.js";
import { sizeExpr } from "../emit/context.js";
import type { OpDef } from "./types.js";

export const softmax: OpDef = {
  name: "softmax",
  kind: "other",
  arity: 1,
  inferShape: ([a]) => (a!.length === 0 ? `softmax needs a vector, got ${shapeToString(a!)}` : a!),
  // dz = p ⊙ (g − Σ g⊙p) along the last axis.
  vjp: (b, p, g) => {
    const last = p.shape.length - 1;
    return [b.mul(p, b.sub(g, b.sum(b.mul(g, p), [last], true)))];
  },
  emit(ctx, node) {
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
  },
};
