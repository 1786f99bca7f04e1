// The recurrent kernels as loops over time. At each step the hidden products h₋₁·W_hh + b_hh of
// every row are one small matrix product that streams W_hh row by row (streamed.ts) into the
// tape row; then the cell's equations run on
// them in place. The backward kernel walks time in reverse: the gradient reaching h_t is its own
// cotangent plus the next step's hidden-product gradients times W_hhᵀ (the same tiled product,
// over W_hh's rows), kept in the output row until each gate's gradient, computed from the values
// the tape kept, replaces it. See ops/recurrent.ts for the equations and layouts.
//
// On the wasm backend (ctx.products) the kernels stay JavaScript for the cell equations but
// call a wasm SIMD product per step instead of the two products above; the forward's sums start
// from b_hh and the backward's from the stashed cotangent there too, so the numbers are the same.
import type { Node, NodeOf } from "../../ir/graph.js";
import type { RecurrentCell } from "../../ir/vocabulary.js";
import { BACKWARD, GATES, HIDDEN_GRADS_AT, HIDDEN_PRODUCTS_AT, STASH, TAPE } from "../../ops/recurrent.js";
import type { EmitContext } from "./context.js";
import { streamedProduct } from "./streamed.js";

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
const plus = (a: string, k: number) => (k === 0 ? a : `${a} + ${k}`);

/**
 * out_r[j] = init(r, j) + Σ_k in_r[k]·w(j, k) for every row r < rows and column j < cols, the
 * rows' vectors and outputs at offsets computed from each row's index: two rows × four columns
 * accumulate in locals with k innermost, so each loaded weight serves two rows and each loaded
 * input four columns. Remainder rows and columns get narrower tiles.
 */
interface RowProduct {
  rows: string;
  inner: number;
  cols: number;
  /** Offsets of row r's input vector and of its output, and row r's start for `init`. */
  inBase(r: string): string;
  outBase(r: string): string;
  input: string;
  output: string;
  /** Weight for column j and inner index k. */
  weight(j: string, k: string): string;
  /** The accumulator's start for row r (its variables) and column j. */
  init(row: { r: string; out: string }, j: string): string;
}

function rowProduct(ctx: EmitContext, p: RowProduct): string {
  const r = ctx.local("r"), j = ctx.local("j"), k = ctx.local("k");
  const evenRows = ctx.local("evenRows");
  const quads = p.cols - (p.cols % 4);
  const tile = (rows: number, cols: number, jv: string): string => {
    const rowVars = Array.from({ length: rows }, (_, q) => ({ r: q === 0 ? r : `(${r} + ${q})`, i: ctx.local(`in${q}`), out: ctx.local(`out${q}`) }));
    const acc = rowVars.map((_, q) => Array.from({ length: cols }, (_, c) => ctx.local(`c${q}${c}`)));
    const xs = rowVars.map((_, q) => ctx.local(`x${q}`));
    const ws = Array.from({ length: cols }, (_, c) => ctx.local(`w${c}`));
    return [
      ...rowVars.map((v) => `const ${v.i} = ${p.inBase(v.r)}, ${v.out} = ${p.outBase(v.r)};`),
      `let ${acc.flatMap((row, q) => row.map((a, c) => `${a} = ${p.init({ r: rowVars[q]!.r, out: rowVars[q]!.out }, plus(jv, c))}`)).join(", ")};`,
      `for (let ${k} = 0; ${k} < ${p.inner}; ${k}++) {`,
      ...xs.map((x, q) => `const ${x} = ${p.input}[${rowVars[q]!.i} + ${k}];`),
      ...ws.map((w, c) => `const ${w} = ${p.weight(plus(jv, c), k)};`),
      ...acc.flatMap((row, q) => row.map((a, c) => `${a} += ${xs[q]} * ${ws[c]};`)),
      "}",
      ...acc.flatMap((row, q) => row.map((a, c) => `${p.output}[${rowVars[q]!.out} + ${plus(jv, c)}] = ${a};`)),
    ].join("\n");
  };
  const columns = (rows: number) =>
    [
      quads > 0 ? `for (let ${j} = 0; ${j} < ${quads}; ${j} += 4) {\n${tile(rows, 4, j)}\n}` : "",
      ...Array.from({ length: p.cols - quads }, (_, c) => `{\n${tile(rows, 1, String(quads + c))}\n}`),
    ].filter(Boolean).join("\n");
  return `const ${evenRows} = ${p.rows} - (${p.rows} % 2);
for (let ${r} = 0; ${r} < ${evenRows}; ${r} += 2) {
${columns(2)}
}
if (${evenRows} < ${p.rows}) {
const ${r} = ${evenRows};
${columns(1)}
}`;
}

export function emitRecurrent(ctx: EmitContext, node: NodeOf<"recurrent">): string {
  const { cell } = node.attrs;
  const [XW, W, Bh] = node.inputs as [Node, Node, Node];
  const { T, n, gn, tapeRow } = sizes(cell, W, node);
  const xw = ctx.ref(XW), w = ctx.ref(W), bh = ctx.ref(Bh), tape = ctx.ref(node);
  const t = ctx.local("t"), r = ctx.local("r"), row = ctx.local("row"), prev = ctx.local("prev"), x0 = ctx.local("x0");
  const j = ctx.local("j");
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
  const rowAt = (rv: string) => `(${rv} * ${T} + ${t}) * ${tapeRow}`;
  // h₋₁·W_hh + b_hh for every row, into the tape's hidden-product blocks.
  const products = ctx.products ? ctx.products.step(t) : streamedProduct(ctx, {
    rows: ctx.rows,
    inner: String(n),
    cols: gn,
    left: (rv, kv) => `${tape}[${rowAt(rv)} + ${n} + ${kv}]`,
    right: w,
    rightRow: (kv) => `${kv} * ${gn}`,
    out: tape,
    outBase: (rv) => `${rowAt(rv)} + ${hhAt}`,
    init: (jv) => `${bh}[${jv}]`,
  });
  return `${ctx.products?.setup ? `${ctx.products.setup}\n` : ""}for (let ${t} = 0; ${t} < ${T}; ${t}++) {
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
const ${row} = ${rowAt(r)};
for (let ${j} = 0; ${j} < ${n}; ${j}++) ${tape}[${row} + ${n} + ${j}] = ${t} > 0 ? ${tape}[${row} - ${tapeRow} + ${j}] : 0;
}
${products}
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
const ${row} = ${rowAt(r)};
const ${prev} = ${row} - ${tapeRow};
const ${x0} = (${r} * ${T} + ${t}) * ${gn};
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
  const back = ctx.local("back"), t = ctx.local("t"), r = ctx.local("r"), row = ctx.local("row"), prev = ctx.local("prev"), next = ctx.local("next");
  const o = ctx.local("o"), on = ctx.local("on"), later = ctx.local("later"), j = ctx.local("j");
  const [dh, h, ig2, fg2, gg2, og2, tc, dc, cPrev, rg2, zg2, hn, ng2, dnPre, drPre, dzPre] =
    ["dh", "h", "ig", "fg", "gg", "og", "tc", "dc", "cPrev", "rg", "zg", "hn", "ng", "dnPre", "drPre", "dzPre"].map((v) => ctx.local(v));
  // The next step's gradients of its hidden products: the blocks that multiply W_hh.
  const hhGrads = HIDDEN_GRADS_AT[cell] * n;
  const stash = STASH[cell] * n;
  const tp = (block: number) => `${tape}[${at(row, block, n, j)}]`;
  const put = (block: number, v: string) => `${out}[${at(o, block, n, j)}] = ${v};`;
  const tapeAt = (rv: string) => `(${rv} * ${T} + ${t}) * ${tapeRow}`;
  const gradAt = (rv: string) => `(${rv} * ${T} + ${t}) * ${gradRow}`;
  // The gradient reaching h_t: its cotangent plus, from step t + 1, the hidden-product gradients
  // times W_hhᵀ, stashed in this step's output row.
  const throughTime = ctx.products ? ctx.products.step(t) : rowProduct(ctx, {
    rows: ctx.rows,
    inner: gn,
    cols: n,
    inBase: (rv) => `${gradAt(rv)} + ${gradRow + hhGrads}`,
    outBase: (rv) => `${gradAt(rv)} + ${stash}`,
    input: out,
    output: out,
    weight: (jv, kv) => `${w}[(${jv}) * ${gn} + ${kv}]`,
    init: (rv, jv) => `${g}[${tapeAt(rv.r)} + ${jv}]`,
  });
  // A GRU's h_t also reaches h_{t+1} directly, through z_{t+1}.
  const direct = cell === "gru" ? ` + (${later} ? ${out}[${at(on, 6, n, j)}] * ${tape}[${at(next, 3, n, j)}] : 0)` : "";
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
  const stashCotangent = `for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
for (let ${j} = 0; ${j} < ${n}; ${j}++) ${out}[${gradAt(r)} + ${stash} + ${j}] = ${g}[${tapeAt(r)} + ${j}];
}`;
  // The wasm product adds to the stashed cotangent; the JavaScript one starts from it.
  const reaching = ctx.products ? `${stashCotangent}\nif (${later}) ${throughTime}` : `if (${later}) {
${throughTime}
} else {
${stashCotangent}
}`;
  return `${ctx.products?.setup ? `${ctx.products.setup}\n` : ""}for (let ${back} = 0; ${back} < ${T}; ${back}++) {
const ${t} = ${T - 1} - ${back};
const ${later} = ${back} > 0;
${reaching}
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
const ${row} = ${tapeAt(r)};
const ${prev} = ${row} - ${tapeRow};
const ${next} = ${row} + ${tapeRow};
const ${o} = ${gradAt(r)};
const ${on} = ${o} + ${gradRow};
for (let ${j} = 0; ${j} < ${n}; ${j}++) {
const ${dh} = ${out}[${o} + ${stash} + ${j}]${direct};
${gates[cell]}
}
}
}`;
}
