// The recurrent kernels as loops over time. Each step's hidden products h₋₁·W_hh + b_hh are
// accumulated straight into the tape row (a row of W_hh at a time, both walked contiguously),
// then the cell's equations run on them in place. The backward kernel walks time in reverse:
// the gradient reaching h_t is its own cotangent plus the next step's hidden-product
// gradients times W_hhᵀ (a contiguous dot product per element), then each gate's gradient
// follows from the values the tape kept. See ops/recurrent.ts for the equations and layouts.
import type { Node, NodeOf } from "../../ir/graph.js";
import type { RecurrentCell } from "../../ir/vocabulary.js";
import { BACKWARD, GATES, HIDDEN_PRODUCTS_AT, TAPE } from "../../ops/recurrent.js";
import type { EmitContext } from "./context.js";

const sigmoid = (v: string) => `1 / (1 + Math.exp(-(${v})))`;

interface Sizes {
  T: number;
  n: number;
  /** G·n: the width of xw and of the hidden products. */
  gn: number;
  /** Tape row width S·n and backward row width D·n. */
  tapeRow: number;
  gradRow: number;
}

function sizes(cell: RecurrentCell, W: Node, tape: Node): Sizes {
  const n = W.shape[0] as number;
  return { T: tape.shape[1] as number, n, gn: GATES[cell] * n, tapeRow: TAPE[cell].length * n, gradRow: BACKWARD[cell].length * n };
}

/** `base + k·n + j`: element j of block k of a row. */
const at = (base: string, block: number, n: number, j: string) => (block === 0 ? `${base} + ${j}` : `${base} + ${block * n} + ${j}`);

export function emitRecurrent(ctx: EmitContext, node: NodeOf<"recurrent">): string {
  const { cell } = node.attrs;
  const [XW, W, Bh] = node.inputs as [Node, Node, Node];
  const { T, n, gn, tapeRow } = sizes(cell, W, node);
  const xw = ctx.ref(XW), w = ctx.ref(W), bh = ctx.ref(Bh), tape = ctx.ref(node);
  const t = ctx.local("t"), r = ctx.local("r"), row = ctx.local("row"), prev = ctx.local("prev"), x0 = ctx.local("x0");
  const j = ctx.local("j"), k = ctx.local("k"), a = ctx.local("a"), wk = ctx.local("wk"), hh = ctx.local("hh");
  const hhAt = HIDDEN_PRODUCTS_AT[cell] * n;
  const [ig, fg, gg, og, c, rg, zg, ng] = ["ig", "fg", "gg", "og", "c", "rg", "zg", "ng"].map((v) => ctx.local(v));
  const x = (gate: number) => (gate === 0 ? `${xw}[${x0} + ${j}]` : `${xw}[${x0} + ${gate * n} + ${j}]`);
  const tp = (block: number) => `${tape}[${at(row, block, n, j)}]`;
  const step: Record<RecurrentCell, string> = {
    rnn: `${tp(0)} = Math.tanh(${x(0)} + ${tp(0)});`,
    lstm: `const ${ig} = ${sigmoid(`${x(0)} + ${tp(3)}`)};
const ${fg} = ${sigmoid(`${x(1)} + ${tp(4)}`)};
const ${gg} = Math.tanh(${x(2)} + ${tp(5)});
const ${og} = ${sigmoid(`${x(3)} + ${tp(6)}`)};
const ${c} = ${fg} * (${t} > 0 ? ${tape}[${at(prev, 2, n, j)}] : 0) + ${ig} * ${gg};
${tp(3)} = ${ig};
${tp(4)} = ${fg};
${tp(5)} = ${gg};
${tp(6)} = ${og};
${tp(2)} = ${c};
${tp(0)} = ${og} * Math.tanh(${c});`,
    gru: `const ${rg} = ${sigmoid(`${x(0)} + ${tp(2)}`)};
const ${zg} = ${sigmoid(`${x(1)} + ${tp(3)}`)};
const ${ng} = Math.tanh(${x(2)} + ${rg} * ${tp(4)});
${tp(2)} = ${rg};
${tp(3)} = ${zg};
${tp(5)} = ${ng};
${tp(0)} = (1 - ${zg}) * ${ng} + ${zg} * ${tp(1)};`,
  };
  return `for (let ${t} = 0; ${t} < ${T}; ${t}++) {
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
const ${row} = (${r} * ${T} + ${t}) * ${tapeRow};
const ${prev} = ${row} - ${tapeRow};
const ${x0} = (${r} * ${T} + ${t}) * ${gn};
const ${hh} = ${row} + ${hhAt};
for (let ${j} = 0; ${j} < ${n}; ${j}++) ${tape}[${row} + ${n} + ${j}] = ${t} > 0 ? ${tape}[${prev} + ${j}] : 0;
for (let ${j} = 0; ${j} < ${gn}; ${j}++) ${tape}[${hh} + ${j}] = ${bh}[${j}];
for (let ${k} = 0; ${k} < ${n}; ${k}++) {
const ${a} = ${tape}[${row} + ${n} + ${k}];
const ${wk} = ${k} * ${gn};
for (let ${j} = 0; ${j} < ${gn}; ${j}++) ${tape}[${hh} + ${j}] += ${a} * ${w}[${wk} + ${j}];
}
for (let ${j} = 0; ${j} < ${n}; ${j}++) {
${step[cell]}
}
}
}`;
}

export function emitRecurrentBackward(ctx: EmitContext, node: NodeOf<"recurrent_backward">): string {
  const { cell } = node.attrs;
  const [Tape, W, G] = node.inputs as [Node, Node, Node];
  const { T, n, gn, tapeRow, gradRow } = sizes(cell, W, Tape);
  const tape = ctx.ref(Tape), w = ctx.ref(W), g = ctx.ref(G), out = ctx.ref(node);
  const t = ctx.local("t"), r = ctx.local("r"), row = ctx.local("row"), prev = ctx.local("prev"), next = ctx.local("next");
  const o = ctx.local("o"), on = ctx.local("on"), later = ctx.local("later"), j = ctx.local("j"), k = ctx.local("k"), wj = ctx.local("wj");
  const [dh, h, ig2, fg2, gg2, og2, tc, dc, cPrev, rg2, zg2, hn, ng2, dnPre, drPre, dzPre] =
    ["dh", "h", "ig", "fg", "gg", "og", "tc", "dc", "cPrev", "rg", "zg", "hn", "ng", "dnPre", "drPre", "dzPre"].map((v) => ctx.local(v));
  // The next step's gradients of its hidden products: the blocks that multiply W_hh.
  const hhGrads = cell === "gru" ? 3 * n : 0;
  const tp = (block: number) => `${tape}[${at(row, block, n, j)}]`;
  const put = (block: number, v: string) => `${out}[${at(o, block, n, j)}] = ${v};`;
  // The gradient reaching h_t: its cotangent, plus through W_hh (and a GRU's z) from step t + 1.
  const direct = cell === "gru" ? `\n${dh} += ${out}[${at(on, 6, n, j)}] * ${tape}[${at(next, 3, n, j)}];` : "";
  const gates: Record<RecurrentCell, string> = {
    rnn: `const ${h} = ${tp(0)};
${put(0, `${dh} * (1 - ${h} * ${h})`)}`,
    lstm: `const ${ig2} = ${tp(3)}, ${fg2} = ${tp(4)}, ${gg2} = ${tp(5)}, ${og2} = ${tp(6)};
const ${tc} = Math.tanh(${tp(2)});
const ${dc} = ${dh} * ${og2} * (1 - ${tc} * ${tc}) + (${later} ? ${out}[${at(on, 4, n, j)}] * ${tape}[${at(next, 4, n, j)}] : 0);
const ${cPrev} = ${t} > 0 ? ${tape}[${at(prev, 2, n, j)}] : 0;
${put(0, `${dc} * ${gg2} * ${ig2} * (1 - ${ig2})`)}
${put(1, `${dc} * ${cPrev} * ${fg2} * (1 - ${fg2})`)}
${put(2, `${dc} * ${ig2} * (1 - ${gg2} * ${gg2})`)}
${put(3, `${dh} * ${tc} * ${og2} * (1 - ${og2})`)}
${put(4, dc)}`,
    gru: `const ${rg2} = ${tp(2)}, ${zg2} = ${tp(3)}, ${hn} = ${tp(4)}, ${ng2} = ${tp(5)};
const ${dnPre} = ${dh} * (1 - ${zg2}) * (1 - ${ng2} * ${ng2});
const ${drPre} = ${dnPre} * ${hn} * ${rg2} * (1 - ${rg2});
const ${dzPre} = ${dh} * (${tp(1)} - ${ng2}) * ${zg2} * (1 - ${zg2});
${put(0, drPre)}
${put(1, dzPre)}
${put(2, dnPre)}
${put(3, drPre)}
${put(4, dzPre)}
${put(5, `${dnPre} * ${rg2}`)}
${put(6, dh)}`,
  };
  const back = ctx.local("back");
  return `for (let ${back} = 0; ${back} < ${T}; ${back}++) {
const ${t} = ${T - 1} - ${back};
const ${later} = ${back} > 0;
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
const ${row} = (${r} * ${T} + ${t}) * ${tapeRow};
const ${prev} = ${row} - ${tapeRow};
const ${next} = ${row} + ${tapeRow};
const ${o} = (${r} * ${T} + ${t}) * ${gradRow};
const ${on} = ${o} + ${gradRow};
for (let ${j} = 0; ${j} < ${n}; ${j}++) {
let ${dh} = ${g}[${row} + ${j}];
if (${later}) {
const ${wj} = ${j} * ${gn};
for (let ${k} = 0; ${k} < ${gn}; ${k}++) ${dh} += ${out}[${on} + ${hhGrads === 0 ? "" : `${hhGrads} + `}${k}] * ${w}[${wj} + ${k}];${direct}
}
${gates[cell]}
}
}
}`;
}
