// Code generation for C = op(A) · op(B), specialized to the operand shapes. Small constant
// dimensions are unrolled completely (the whole row product is straight-line code); large ones
// get register-blocked loops whose inner loop walks memory contiguously. All three products of
// a dense layer (forward, input gradient, weight gradient) go through here without transposes.
import type { Dim, Node, NodeOf, Shape } from "../../ir/graph.js";
import { matrixView } from "../../ops/matmul.js";
import { sizeExpr, type ElementCode, type EmitContext } from "./context.js";
import { streamedProduct } from "./streamed.js";

/** Elementwise tail applied to each finished element (bias, activation, derivative mask). */
export type Epilogue = (i: string, j: string, acc: string) => ElementCode;

const identity: Epilogue = (_i, _j, acc) => ({ stmts: "", value: acc });

/** Largest fully unrolled product, in multiply-adds per row (keeps emitted code small). */
const UNROLL_LIMIT = 128;
/** Characters of epilogue statements that are still repeated inside each register tile. */
const EPILOGUE_INLINE_LIMIT = 120;
/** Narrowest weight gradient whose rows stream (below, the tile's column loop is too short to pay). */
const STREAMED_MIN_COLUMNS = 16;
/** Output columns unrolled in a small product; wider rows loop. */
const UNROLL_COLUMNS = 8;

export function emitMatmul(ctx: EmitContext, node: NodeOf<"matmul">, out: string, epilogue: Epilogue = identity): string {
  const [A, B] = node.inputs as [Node, Node];
  const { ta, tb } = node.attrs;
  // A stack of rows ([B,T,d]) is one matrix whose rows are all its leading axes.
  const viewA = matrixView(A.shape, ta), viewB = matrixView(B.shape, tb);
  const M = flatDim(viewA.rows), K = flatDim(viewA.cols), N = flatDim(viewB.cols);
  const m = sizeExpr(ctx, viewA.rows), n = sizeExpr(ctx, viewB.cols), k = sizeExpr(ctx, viewA.cols);
  const a = ctx.ref(A), b = ctx.ref(B);
  const op = {
    A: (r: string, c: string) => (ta ? `${a}[${idx(c, m, r)}]` : `${a}[${idx(r, k, c)}]`),
    B: (r: string, c: string) => (tb ? `${b}[${idx(c, k, r)}]` : `${b}[${idx(r, n, c)}]`),
  };
  const g = { ctx, out, m, n, k, M, N, K, op, epilogue, a, b, ta, tb };
  if (!ta && typeof K === "number" && typeof N === "number" && K <= 16 && K * N <= UNROLL_LIMIT * 4) return rowUnrolled(g);
  if (ta && !tb && typeof M === "number" && typeof N === "number" && M * N <= 64) return outerAccumulate(g);
  // A weight gradient Xᵀ·dY with wide rows: dY streams row by row (streamed.ts) instead of
  // being read down its columns, a whole row apart per step.
  if (ta && !tb && typeof N === "number" && N >= STREAMED_MIN_COLUMNS) return streamedTransposedA(g);
  // A long epilogue (batchnorm's, say) repeated for all eight elements of every tile would
  // bloat the code; it runs as a second pass over the finished rows instead, while they are
  // still in cache.
  const probe = epilogue("i", "j", "acc");
  if (probe.stmts.length > EPILOGUE_INLINE_LIMIT) return `${registerBlocked({ ...g, epilogue: identity })}\n${epiloguePass(g)}`;
  return registerBlocked(g);
}

/** The extent of axes laid end to end: a number, or "B" when it is only known at run time. */
function flatDim(axes: Shape): Dim {
  return axes.includes("B") ? "B" : axes.reduce<number>((n, d) => n * (d as number), 1);
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
  /** Operand buffers and whether each is transposed. */
  a: string;
  b: string;
  ta: boolean;
  tb: boolean;
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

/**
 * Small inner dimension: the row of A is loaded once into locals and each output is one
 * straight-line dot product. Narrow outputs are unrolled too; wider ones loop over j, which
 * keeps the code short while the inner body stays branch-free.
 */
function rowUnrolled(g: Gen): string {
  const K = g.K as number, N = g.N as number;
  const i = g.ctx.local("i");
  const as = Array.from({ length: K }, (_, p) => g.ctx.local(`a${p}`));
  const lines = as.map((v, p) => `const ${v} = ${g.op.A(i, String(p))};`);
  const dot = (j: string) => as.map((v, p) => `${v} * ${g.op.B(String(p), j)}`).join(" + ");
  if (N <= UNROLL_COLUMNS) {
    for (let j = 0; j < N; j++) {
      const acc = g.ctx.local(`acc`);
      lines.push(`const ${acc} = ${dot(String(j))};`, store(g, i, String(j), acc));
    }
  } else {
    const j = g.ctx.local("j"), acc = g.ctx.local("acc");
    lines.push(`for (let ${j} = 0; ${j} < ${N}; ${j}++) {\nconst ${acc} = ${dot(j)};\n${store(g, i, j, acc)}\n}`);
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

/**
 * Register blocking: a 2×4 tile of C is accumulated in locals while k runs innermost, so each
 * loaded element of A is used four times and each element of B twice, and C is written once,
 * through the epilogue. Row offsets are hoisted out of the k loop. Works for every transpose
 * combination; remainder rows and columns fall back to narrower tiles.
 */
function registerBlocked(g: Gen): string {
  const { ctx, m, n, k } = g;
  const ta = g.ta, tb = g.tb;
  const i = ctx.local("i"), j = ctx.local("j"), p = ctx.local("k");
  const endI = ctx.local("endI"), endJ = ctx.local("endJ");
  const tile = (rows: number, cols: number, iv: string, jv: string): string => {
    const c = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, q) => ctx.local(`c${r}${q}`)));
    const hoisted: string[] = [];
    const perK: string[] = [];
    const aAt: string[] = [];
    const bAt: string[] = [];
    if (ta) {
      const ak = ctx.local("ak");
      perK.push(`const ${ak} = ${idx(p, m, iv)};`);
      for (let r = 0; r < rows; r++) aAt.push(`${g.a}[${r === 0 ? ak : `${ak} + ${r}`}]`);
    } else {
      for (let r = 0; r < rows; r++) {
        const ar = ctx.local(`ar${r}`);
        hoisted.push(`const ${ar} = ${idx(r === 0 ? iv : `(${iv} + ${r})`, k, "0")};`);
        aAt.push(`${g.a}[${ar} + ${p}]`);
      }
    }
    if (tb) {
      for (let q = 0; q < cols; q++) {
        const br = ctx.local(`br${q}`);
        hoisted.push(`const ${br} = ${idx(q === 0 ? jv : `(${jv} + ${q})`, k, "0")};`);
        bAt.push(`${g.b}[${br} + ${p}]`);
      }
    } else {
      const bk = ctx.local("bk");
      perK.push(`const ${bk} = ${idx(p, n, jv)};`);
      for (let q = 0; q < cols; q++) bAt.push(`${g.b}[${q === 0 ? bk : `${bk} + ${q}`}]`);
    }
    const av = aAt.map((_, r) => ctx.local(`a${r}`));
    const bv = bAt.map((_, q) => ctx.local(`b${q}`));
    const body = [
      ...perK,
      ...av.map((v, r) => `const ${v} = ${aAt[r]};`),
      ...bv.map((v, q) => `const ${v} = ${bAt[q]};`),
      ...c.flatMap((row, r) => row.map((acc, q) => `${acc} += ${av[r]} * ${bv[q]};`)),
    ];
    const stores = c.flatMap((row, r) =>
      row.map((acc, q) => store(g, r === 0 ? iv : `(${iv} + ${r})`, q === 0 ? jv : `(${jv} + ${q})`, acc)),
    );
    return [...hoisted, `let ${c.flat().join(" = 0, ")} = 0;`, `for (let ${p} = 0; ${p} < ${k}; ${p}++) {`, ...body, "}", ...stores].join("\n");
  };
  const jr = ctx.local("j");
  const ir = ctx.local("i");
  // Remainder rows and columns are only emitted when the shapes do not rule them out.
  const rowRest = typeof g.M !== "number" || g.M % 2 !== 0;
  const colRest = typeof g.N !== "number" || g.N % 4 !== 0;
  const lastI = typeof g.M === "number" ? String(g.M - (g.M % 2)) : endI;
  const lastJ = typeof g.N === "number" ? String(g.N - (g.N % 4)) : endJ;
  // A loop that would run zero times is left out; one that would run once becomes its body.
  const loop = (v: string, from: string, to: string, step: number, extent: Dim, body: (index: string) => string) => {
    if (from === to) return "";
    if (typeof extent === "number" && extent - Number(from) === 1) return body(from);
    return `for (let ${v} = ${from}; ${v} < ${to}; ${v}${step === 1 ? "++" : ` += ${step}`}) {\n${body(v)}\n}`;
  };
  const columns = (rows: number, iv: string) =>
    [
      loop(j, "0", lastJ, 4, Infinity, (jv) => tile(rows, 4, iv, jv)),
      colRest ? loop(jr, lastJ, n, 1, g.N, (jv) => tile(rows, 1, iv, jv)) : "",
    ].filter(Boolean).join("\n");
  return [
    typeof g.M !== "number" ? `const ${endI} = ${m} - (${m} % 2);` : "",
    typeof g.N !== "number" ? `const ${endJ} = ${n} - (${n} % 4);` : "",
    loop(i, "0", lastI, 2, Infinity, (iv) => columns(2, iv)),
    rowRest ? loop(ir, lastI, m, 1, g.M, (iv) => columns(1, iv)) : "",
  ].filter(Boolean).join("\n");
}


/** C = Aᵀ·B accumulated in C's rows, then the epilogue (if any) as a pass over the finished rows. */
function streamedTransposedA(g: Gen): string {
  const product = streamedProduct(g.ctx, {
    rows: g.m,
    inner: g.k,
    cols: g.N as number,
    left: (i, k) => g.op.A(i, k),
    right: g.b,
    rightRow: (k) => idx(k, g.n, "0"),
    out: g.out,
    outBase: (i) => idx(i, g.n, "0"),
    init: () => "0",
  });
  const probe = g.epilogue("i", "j", "acc");
  return probe.stmts === "" && probe.value === "acc" ? product : `${product}\n${epiloguePass(g)}`;
}

/** Applies the epilogue in place to a finished product. */
function epiloguePass(g: Gen): string {
  const i = g.ctx.local("i"), j = g.ctx.local("j");
  return `for (let ${i} = 0; ${i} < ${g.m}; ${i}++) {
for (let ${j} = 0; ${j} < ${g.n}; ${j}++) {
${store(g, i, j, `${g.out}[${idx(i, g.n, j)}]`)}
}
}`;
}
