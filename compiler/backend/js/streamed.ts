// out = init + L · R where R is read row by row: four rows of L × four rows of R (four values of
// the inner index k) in locals, the output columns innermost. R and the output rows stream
// through the cache in order, where a k-innermost tile reads R down a column, a whole row apart
// each step, which thrashes the cache when a row is a power of two bytes (W_hh [64, 256] of an
// LSTM, dY [B·T, 256] in its weight gradient). Each output is still summed in k's order,
// `((init + l₀r₀) + l₁r₁) + …`, so the result is bit for bit that of a k-innermost tile.
import type { EmitContext } from "./context.js";

export interface StreamedProduct {
  /** Output rows, and the inner extent: JS expressions (either may be known only at run time). */
  rows: string;
  inner: string;
  /** Output columns: a constant, so the column loop has a fixed trip count. */
  cols: number;
  /** L's element for output row r and inner index k. */
  left(r: string, k: string): string;
  /** R's buffer and the offset of its row k (element j at `row + j`); its rows are `cols` apart. */
  right: string;
  rightRow(k: string): string;
  out: string;
  /** Offset of output row r. */
  outBase(r: string): string;
  /** What output element j starts from: a bias element, or "0". */
  init(j: string): string;
}

export function streamedProduct(ctx: EmitContext, p: StreamedProduct): string {
  const r = ctx.local("r"), j = ctx.local("j"), k = ctx.local("k");
  const quadRows = ctx.local("quadRows");
  const quadK = fixed(p.inner) ? quadOf(p.inner) : ctx.local("quadK");
  const kRest = !fixed(p.inner) || Number(p.inner) % 4 !== 0;
  const tile = (rows: number): string => {
    const rowVars = Array.from({ length: rows }, (_, q) => ({ r: q === 0 ? r : `(${r} + ${q})`, out: ctx.local(`out${q}`) }));
    // `depth` rows of R from k = kv: the values of L they multiply in locals, one pass over the columns.
    const pass = (kv: string, depth: number): string => {
      const ls = rowVars.map((_, q) => Array.from({ length: depth }, (_, d) => ctx.local(`l${q}${d}`)));
      const rs = Array.from({ length: depth }, (_, d) => ctx.local(`r${d}`));
      const rowOf = ctx.local("rr");
      return [
        ...ls.map((row, q) => `const ${row.map((l, d) => `${l} = ${p.left(rowVars[q]!.r, d === 0 ? kv : `(${kv} + ${d})`)}`).join(", ")};`),
        `const ${rowOf} = ${p.rightRow(kv)};`,
        `for (let ${j} = 0; ${j} < ${p.cols}; ${j}++) {`,
        `const ${rs.map((v, d) => `${v} = ${p.right}[${rowOf} + ${j}${d === 0 ? "" : ` + ${d * p.cols}`}]`).join(", ")};`,
        ...rowVars.map((v, q) => `${p.out}[${v.out} + ${j}] = ${[`${p.out}[${v.out} + ${j}]`, ...rs.map((rv, d) => `${ls[q]![d]} * ${rv}`)].join(" + ")};`),
        "}",
      ].join("\n");
    };
    return [
      ...rowVars.map((v) => `const ${v.out} = ${p.outBase(v.r)};`),
      `for (let ${j} = 0; ${j} < ${p.cols}; ${j}++) {\n${rowVars.map((v) => `${p.out}[${v.out} + ${j}] = ${p.init(j)};`).join("\n")}\n}`,
      `for (let ${k} = 0; ${k} < ${quadK}; ${k} += 4) {\n${pass(k, 4)}\n}`,
      kRest ? `for (let ${k} = ${quadK}; ${k} < ${p.inner}; ${k}++) {\n${pass(k, 1)}\n}` : "",
    ].filter(Boolean).join("\n");
  };
  // Remainder loops only where the extents do not rule them out.
  const rowRest = !fixed(p.rows) || Number(p.rows) % 4 !== 0;
  return [
    `const ${quadRows} = ${quadOf(p.rows)};`,
    fixed(p.inner) ? "" : `const ${quadK} = ${quadOf(p.inner)};`,
    `for (let ${r} = 0; ${r} < ${quadRows}; ${r} += 4) {\n${tile(4)}\n}`,
    rowRest ? `for (let ${r} = ${quadRows}; ${r} < ${p.rows}; ${r}++) {\n${tile(1)}\n}` : "",
  ].filter(Boolean).join("\n");
}

const fixed = (e: string) => /^\d+$/.test(e);
/** The largest multiple of four up to `e`, folded when `e` is a constant. */
const quadOf = (e: string) => (fixed(e) ? String(Number(e) - (Number(e) % 4)) : `${e} - (${e} % 4)`);
