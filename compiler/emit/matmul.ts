// Code generation for C = op(A) · op(B), specialized to the operand shapes. Small constant
// dimensions are unrolled completely (the whole row product is straight-line code); large ones
// get register-blocked loops whose inner loop walks memory contiguously. All three products of
// a dense layer (forward, input gradient, weight gradient) go through here without transposes.
import type { Dim, Node } from "../ir/graph.js";
import { dimExpr, type EmitContext } from "./context.js";
import type { ElementCode } from "./fused.js";

/** Elementwise tail applied to each finished element (bias, activation, derivative mask). */
export type Epilogue = (i: string, j: string, acc: string) => ElementCode;

const identity: Epilogue = (_i, _j, acc) => ({ stmts: "", value: acc });

/** Largest fully unrolled product, in multiply-adds per row (keeps emitted code small). */
const UNROLL_LIMIT = 128;

export function emitMatmul(ctx: EmitContext, node: Node, out: string, epilogue: Epilogue = identity): string {
  const [A, B] = node.inputs as [Node, Node];
  const ta = node.attrs.ta as boolean;
  const tb = node.attrs.tb as boolean;
  const [M, N] = node.shape as [Dim, Dim];
  const K: Dim = ta ? A.shape[0]! : A.shape[1]!;
  const m = dimExpr(ctx, M), n = dimExpr(ctx, N), k = dimExpr(ctx, K);
  const a = ctx.ref(A), b = ctx.ref(B);
  const op = {
    A: (r: string, c: string) => (ta ? `${a}[${idx(c, m, r)}]` : `${a}[${idx(r, k, c)}]`),
    B: (r: string, c: string) => (tb ? `${b}[${idx(c, k, r)}]` : `${b}[${idx(r, n, c)}]`),
  };
  const g = { ctx, out, m, n, k, M, N, K, op, epilogue };
  if (!ta && typeof K === "number" && typeof N === "number" && K * N <= UNROLL_LIMIT) return rowUnrolled(g);
  if (ta && !tb && typeof M === "number" && typeof N === "number" && M * N <= 64) return outerAccumulate(g);
  if (!ta && !tb) return rowBlocked(g);
  if (ta && !tb) return outerInMemory(g);
  return dotForm(g);
}

interface Gen {
  ctx: EmitContext;
  out: string;
  m: string;
  n: string;
  k: string;
  M: Dim;
  N: Dim;
  K: Dim;
  op: { A: (r: string, c: string) => string; B: (r: string, c: string) => string };
  epilogue: Epilogue;
}

/** `r * width + c`, folding the trivial cases. */
function idx(r: string, width: string, c: string): string {
  const isNum = (s: string) => /^\d+$/.test(s);
  if (isNum(r) && isNum(width) && isNum(c)) return String(Number(r) * Number(width) + Number(c));
  if (isNum(r) && isNum(width)) return Number(r) * Number(width) === 0 ? c : `${Number(r) * Number(width)} + ${c}`;
  const row = r === "0" ? "" : width === "1" ? r : `${r} * ${width}`;
  if (!row) return c;
  return c === "0" ? row : `${row} + ${c}`;
}

function store(g: Gen, i: string, j: string, acc: string): string {
  const e = g.epilogue(i, j, acc);
  return `${e.stmts ? `${e.stmts}\n` : ""}${g.out}[${idx(i, g.n, j)}] = ${e.value};`;
}

/** Every output of a row as straight-line code: the row of A is loaded once into locals. */
function rowUnrolled(g: Gen): string {
  const K = g.K as number, N = g.N as number;
  const i = g.ctx.local("i");
  const as = Array.from({ length: K }, (_, p) => g.ctx.local(`a${p}`));
  const lines = as.map((v, p) => `const ${v} = ${g.op.A(i, String(p))};`);
  for (let j = 0; j < N; j++) {
    const acc = g.ctx.local(`acc`);
    const terms = as.map((v, p) => `${v} * ${g.op.B(String(p), String(j))}`);
    lines.push(`const ${acc} = ${terms.join(" + ")};`);
    lines.push(store(g, i, String(j), acc));
  }
  return `for (let ${i} = 0; ${i} < ${g.m}; ${i}++) {\n${lines.join("\n")}\n}`;
}

/** C = Aᵀ·B summed over the batch with every element of the small C in a local accumulator. */
function outerAccumulate(g: Gen): string {
  const M = g.M as number, N = g.N as number;
  const accs: string[][] = Array.from({ length: M }, (_, r) => Array.from({ length: N }, (_, c) => g.ctx.local(`c${r}_${c}`)));
  const p = g.ctx.local("k");
  const as = Array.from({ length: M }, (_, r) => g.ctx.local(`a${r}`));
  const bs = Array.from({ length: N }, (_, c) => g.ctx.local(`b${c}`));
  const body = [
    ...as.map((v, r) => `const ${v} = ${g.op.A(String(r), p)};`),
    ...bs.map((v, c) => `const ${v} = ${g.op.B(p, String(c))};`),
    ...accs.flatMap((row, r) => row.map((acc, c) => `${acc} += ${as[r]} * ${bs[c]};`)),
  ];
  const stores = accs.flatMap((row, r) => row.map((acc, c) => store(g, String(r), String(c), acc)));
  return [`let ${accs.flat().join(" = 0, ")} = 0;`, `for (let ${p} = 0; ${p} < ${g.k}; ${p}++) {`, ...body, "}", ...stores].join("\n");
}

/** i-k-j order, four rows at a time: each element of B is loaded once per four rows. */
function rowBlocked(g: Gen): string {
  const { ctx, out, n, k } = g;
  const i = ctx.local("i"), p = ctx.local("k"), j = ctx.local("j"), r = ctx.local("r");
  const o = [0, 1, 2, 3].map((q) => ctx.local(`o${q}`));
  const a = [0, 1, 2, 3].map((q) => ctx.local(`a${q}`));
  const bv = ctx.local("b");
  const rows4 = `${ctx.local("end4")}`;
  return `const ${rows4} = ${g.m} - (${g.m} % 4);
${out}.fill(0, 0, ${g.m === "1" ? n : `${g.m} * ${n}`});
for (let ${i} = 0; ${i} < ${rows4}; ${i} += 4) {
${o.map((v, q) => `const ${v} = ${idx(q === 0 ? i : `(${i} + ${q})`, n, "0")};`).join("\n")}
for (let ${p} = 0; ${p} < ${k}; ${p}++) {
${a.map((v, q) => `const ${v} = ${g.op.A(q === 0 ? i : `(${i} + ${q})`, p)};`).join("\n")}
const ${ctx.local("bo")} = ${idx(p, n, "0")};
for (let ${j} = 0; ${j} < ${n}; ${j}++) {
const ${bv} = ${g.op.B(p, j)};
${o.map((v, q) => `${out}[${v} + ${j}] += ${a[q]} * ${bv};`).join("\n")}
}
}
}
for (let ${i} = ${rows4}; ${i} < ${g.m}; ${i}++) {
for (let ${p} = 0; ${p} < ${k}; ${p}++) {
const ${a[0]} = ${g.op.A(i, p)};
for (let ${j} = 0; ${j} < ${n}; ${j}++) ${out}[${idx(i, n, j)}] += ${a[0]} * ${g.op.B(p, j)};
}
}
${epiloguePass(g, r)}`;
}

/** C = Aᵀ·B with C in memory, four batch rows folded into each update of C. */
function outerInMemory(g: Gen): string {
  const { ctx, out, n, k } = g;
  const p = ctx.local("k"), i = ctx.local("i"), j = ctx.local("j"), r = ctx.local("r");
  const a = [0, 1, 2, 3].map((q) => ctx.local(`a${q}`));
  const end4 = ctx.local("end4");
  const rowsOf = (q: number) => (q === 0 ? p : `(${p} + ${q})`);
  return `const ${end4} = ${k} - (${k} % 4);
${out}.fill(0, 0, ${g.m} * ${n});
for (let ${p} = 0; ${p} < ${end4}; ${p} += 4) {
for (let ${i} = 0; ${i} < ${g.m}; ${i}++) {
${a.map((v, q) => `const ${v} = ${g.op.A(i, rowsOf(q))};`).join("\n")}
const ${ctx.local("o")} = ${idx(i, n, "0")};
for (let ${j} = 0; ${j} < ${n}; ${j}++) {
${out}[${idx(i, n, j)}] += ${a.map((v, q) => `${v} * ${g.op.B(rowsOf(q), j)}`).join(" + ")};
}
}
}
for (let ${p} = ${end4}; ${p} < ${k}; ${p}++) {
for (let ${i} = 0; ${i} < ${g.m}; ${i}++) {
const ${a[0]} = ${g.op.A(i, p)};
for (let ${j} = 0; ${j} < ${n}; ${j}++) ${out}[${idx(i, n, j)}] += ${a[0]} * ${g.op.B(p, j)};
}
}
${epiloguePass(g, r)}`;
}

/** Dot-product form, four outputs at a time sharing each load of A: for products with Bᵀ. */
function dotForm(g: Gen): string {
  const { ctx, n, k } = g;
  const i = ctx.local("i"), j = ctx.local("j"), p = ctx.local("k");
  const acc = [0, 1, 2, 3].map((q) => ctx.local(`acc${q}`));
  const av = ctx.local("a");
  const end4 = ctx.local("end4");
  const col = (q: number) => (q === 0 ? j : `(${j} + ${q})`);
  return `const ${end4} = ${n} - (${n} % 4);
for (let ${i} = 0; ${i} < ${g.m}; ${i}++) {
for (let ${j} = 0; ${j} < ${end4}; ${j} += 4) {
let ${acc.join(" = 0, ")} = 0;
for (let ${p} = 0; ${p} < ${k}; ${p}++) {
const ${av} = ${g.op.A(i, p)};
${acc.map((v, q) => `${v} += ${av} * ${g.op.B(p, col(q))};`).join("\n")}
}
${acc.map((v, q) => store(g, i, col(q), v)).join("\n")}
}
for (let ${j} = ${end4}; ${j} < ${n}; ${j}++) {
let ${acc[0]} = 0;
for (let ${p} = 0; ${p} < ${k}; ${p}++) ${acc[0]} += ${g.op.A(i, p)} * ${g.op.B(p, j)};
${store(g, i, j, acc[0]!)}
}
}`;
}

/** Applies the epilogue in place to a product accumulated in memory (skipped when it is the identity). */
function epiloguePass(g: Gen, r: string): string {
  const probe = g.epilogue("i", "j", "ACC");
  if (probe.stmts === "" && probe.value === "ACC") return "";
  const i = g.ctx.local("i"), j = g.ctx.local("j");
  void r;
  return `for (let ${i} = 0; ${i} < ${g.m}; ${i}++) {
for (let ${j} = 0; ${j} < ${g.n}; ${j}++) {
${store(g, i, j, `${g.out}[${idx(i, g.n, j)}]`)}
}
}`;
}
