// Attention's per-head products as loops over (row, head, position) with the head's columns
// innermost and contiguous. A causal mix stops each sum at the diagonal, so it does half the
// work; causal scores write −∞ (or 0, in a derivative) above it without multiplying.
import type { Node, NodeOf } from "../../ir/graph.js";
import { lit } from "../../emit/literals.js";
import type { EmitContext } from "./context.js";

function dims(node: Node, heads: number): { T: number; d: number; dh: number } {
  const [, T, d] = node.shape as ["B", number, number];
  return { T, d, dh: d / heads };
}

export function emitAttentionScores(ctx: EmitContext, node: NodeOf<"attention_scores">): string {
  const [Q, K] = node.inputs as [Node, Node];
  const { heads: H, scale, future } = node.attrs;
  const { T, d, dh } = dims(Q, H);
  const q = ctx.ref(Q), k = ctx.ref(K), out = ctx.ref(node);
  const r = ctx.local("r"), h = ctx.local("h"), t = ctx.local("t"), s = ctx.local("s"), e = ctx.local("e");
  const qo = ctx.local("qo"), ko = ctx.local("ko"), o = ctx.local("o"), acc = ctx.local("acc");
  const product = `let ${acc} = 0;
for (let ${e} = 0; ${e} < ${dh}; ${e}++) ${acc} += ${q}[${qo} + ${e}] * ${k}[${ko} + ${e}];
${out}[${o} + ${s}] = ${scale === 1 ? acc : `${lit(scale)} * ${acc}`};`;
  const fill = future === "masked" ? "-Infinity" : "0";
  const body = future === "keep"
    ? `for (let ${s} = 0; ${s} < ${T}; ${s}++) {
const ${ko} = (${r} * ${T} + ${s}) * ${d} + ${h} * ${dh};
${product}
}`
    : `for (let ${s} = 0; ${s} <= ${t}; ${s}++) {
const ${ko} = (${r} * ${T} + ${s}) * ${d} + ${h} * ${dh};
${product}
}
for (let ${s} = ${t} + 1; ${s} < ${T}; ${s}++) ${out}[${o} + ${s}] = ${fill};`;
  return `for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
for (let ${h} = 0; ${h} < ${H}; ${h}++) {
for (let ${t} = 0; ${t} < ${T}; ${t}++) {
const ${qo} = (${r} * ${T} + ${t}) * ${d} + ${h} * ${dh};
const ${o} = ((${r} * ${H} + ${h}) * ${T} + ${t}) * ${T};
${body}
}
}
}`;
}

export function emitAttentionMix(ctx: EmitContext, node: NodeOf<"attention_mix">): string {
  const [P, V] = node.inputs as [Node, Node];
  const { heads: H, transposed, causal } = node.attrs;
  const { T, d, dh } = dims(V, H);
  const p = ctx.ref(P), v = ctx.ref(V), out = ctx.ref(node);
  const r = ctx.local("r"), h = ctx.local("h"), t = ctx.local("t"), s = ctx.local("s"), e = ctx.local("e");
  const oo = ctx.local("oo"), vo = ctx.local("vo"), w = ctx.local("w");
  // Output row t sums over s: p[t, s]·v_s; transposed, output row t sums over s: p[s, t]·v_s.
  const range = !causal ? `${s} = 0; ${s} < ${T}` : transposed ? `${s} = ${t}; ${s} < ${T}` : `${s} = 0; ${s} <= ${t}`;
  const weight = transposed ? `${p}[((${r} * ${H} + ${h}) * ${T} + ${s}) * ${T} + ${t}]` : `${p}[((${r} * ${H} + ${h}) * ${T} + ${t}) * ${T} + ${s}]`;
  return `${out}.fill(0, 0, ${ctx.rows} * ${T * d});
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
for (let ${h} = 0; ${h} < ${H}; ${h}++) {
for (let ${t} = 0; ${t} < ${T}; ${t}++) {
const ${oo} = (${r} * ${T} + ${t}) * ${d} + ${h} * ${dh};
for (let ${range}; ${s}++) {
const ${w} = ${weight};
const ${vo} = (${r} * ${T} + ${s}) * ${d} + ${h} * ${dh};
for (let ${e} = 0; ${e} < ${dh}; ${e}++) ${out}[${oo} + ${e}] += ${w} * ${v}[${vo} + ${e}];
}
}
}
}`;
}
