// Matrix product of two rank-2 tensors, optionally transposing either operand. The three
// products of a dense layer (forward, input gradient, weight gradient) are all this op with
// different transposes, so no transpose is ever materialized.
import { shapeToString, type Dim } from "../ir/graph.js";
import { dimExpr } from "../emit/context.js";
import type { OpDef } from "./types.js";

export const matmul: OpDef = {
  name: "matmul",
  kind: "other",
  arity: 2,
  inferShape: ([a, b], attrs) => {
    if (a!.length !== 2 || b!.length !== 2) {
      return `'@' needs two matrices, got ${shapeToString(a!)} and ${shapeToString(b!)}`;
    }
    const [m, ka] = attrs.ta ? [a![1]!, a![0]!] : [a![0]!, a![1]!];
    const [kb, n] = attrs.tb ? [b![1]!, b![0]!] : [b![0]!, b![1]!];
    if (ka !== kb) return `inner dimensions differ: ${shapeToString(a!)} @ ${shapeToString(b!)}`;
    return [m, n];
  },
  // For C = op(A) op(B): d op(A) = g op(B)ᵀ and d op(B) = op(A)ᵀ g, transposed back as needed.
  vjp: (b, node, g) => {
    const [A, B] = node.inputs as [typeof node, typeof node];
    const ta = node.attrs.ta as boolean;
    const tb = node.attrs.tb as boolean;
    const dA = ta ? b.matmul(B, g, tb, true) : b.matmul(g, B, false, !tb);
    const dB = tb ? b.matmul(g, A, true, ta) : b.matmul(A, g, !ta, false);
    return [dA, dB];
  },
  emit(ctx, node) {
    const [A, B] = node.inputs as [typeof node, typeof node];
    const ta = node.attrs.ta as boolean;
    const tb = node.attrs.tb as boolean;
    const C = ctx.ref(node);
    const a = ctx.ref(A);
    const bb = ctx.ref(B);
    const [M, N] = node.shape as [Dim, Dim];
    const K: Dim = ta ? A.shape[0]! : A.shape[1]!;
    const m = dimExpr(ctx, M), n = dimExpr(ctx, N), k = dimExpr(ctx, K);
    const i = ctx.local("i"), j = ctx.local("j"), p = ctx.local("k"), acc = ctx.local("acc"), av = ctx.local("a");
    const aAt = (row: string, col: string) => (ta ? `${a}[${col} * ${m} + ${row}]` : `${a}[${row} * ${k} + ${col}]`);
    const bAt = (row: string, col: string) => (tb ? `${bb}[${col} * ${k} + ${row}]` : `${bb}[${row} * ${n} + ${col}]`);
    if (!tb) {
      // Row-times-matrix (i-k-j order): the inner loop walks B and C contiguously.
      const outer = ta ? `for (let ${p} = 0; ${p} < ${k}; ${p}++) {\nfor (let ${i} = 0; ${i} < ${m}; ${i}++) {` : `for (let ${i} = 0; ${i} < ${m}; ${i}++) {\nfor (let ${p} = 0; ${p} < ${k}; ${p}++) {`;
      return [
        `${C}.fill(0, 0, ${m === "1" ? n : `${m} * ${n}`});`,
        outer,
        `const ${av} = ${aAt(i, p)};`,
        `for (let ${j} = 0; ${j} < ${n}; ${j}++) ${C}[${i} * ${n} + ${j}] += ${av} * ${bAt(p, j)};`,
        `}\n}`,
      ].join("\n");
    }
    // Dot-product form (i-j-k): with Bᵀ both operands of the inner loop are contiguous rows.
    return [
      `for (let ${i} = 0; ${i} < ${m}; ${i}++) {`,
      `for (let ${j} = 0; ${j} < ${n}; ${j}++) {`,
      `let ${acc} = 0;`,
      `for (let ${p} = 0; ${p} < ${k}; ${p}++) ${acc} += ${aAt(i, p)} * ${bAt(p, j)};`,
      `${C}[${i} * ${n} + ${j}] = ${acc};`,
      `}\n}`,
    ].join("\n");
  },
};
