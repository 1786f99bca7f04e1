// Matrix product, optionally transposing either operand. An operand of rank > 2 is a stack of
// rows: its leading axes are the matrix's rows and its last axis the columns, so `[B,T,d] @
// W[d,n]` is `[B,T,n]` (a dense layer on every position of a sequence) with no reshape. The
// three products of a dense layer (forward, input gradient, weight gradient) are all this op
// with different transposes, so no transpose is ever materialized.
import { shapeToString, type Shape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

/** An operand as a matrix: the axes that make its rows and its columns, after transposing. */
export interface MatrixView {
  rows: Shape;
  cols: Shape;
}

export function matrixView(s: Shape, transposed: boolean): MatrixView {
  const lead = s.slice(0, -1), last = s.slice(-1);
  return transposed ? { rows: last, cols: lead } : { rows: lead, cols: last };
}

export const matmul: OpDef<"matmul"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([a, b], { ta, tb }) => {
    if (a!.length < 2 || b!.length < 2) {
      return `'@' needs a matrix or a stack of rows on each side, got ${shapeToString(a!)} and ${shapeToString(b!)}`;
    }
    const A = matrixView(a!, ta), B = matrixView(b!, tb);
    if (shapeToString(A.cols) !== shapeToString(B.rows)) return `inner dimensions differ: ${shapeToString(a!)} @ ${shapeToString(b!)}`;
    // The result's columns are one axis: a transposed stack on the right would make several.
    if (B.cols.length !== 1) return `'@' needs a matrix on the right, got ${shapeToString(b!)}`;
    return [...A.rows, ...B.cols];
  },
  // For C = op(A) op(B): d op(A) = g op(B)ᵀ and d op(B) = op(A)ᵀ g, transposed back as needed.
  vjp: (b, node, g) => {
    const [A, B] = node.inputs;
    const { ta, tb } = node.attrs;
    const dA = ta ? b.matmul(B!, g, tb, true) : b.matmul(g, B!, false, !tb);
    const dB = tb ? b.matmul(g, A!, true, ta) : b.matmul(A!, g, !ta, false);
    return [dA, dB];
  },
};
