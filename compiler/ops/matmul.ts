// Matrix product of two rank-2 tensors, optionally transposing either operand. The three
// products of a dense layer (forward, input gradient, weight gradient) are all this op with
// different transposes, so no transpose is ever materialized.
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const matmul: OpDef<"matmul"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([a, b], { ta, tb }) => {
    if (a!.length !== 2 || b!.length !== 2) {
      return `'@' needs two matrices, got ${shapeToString(a!)} and ${shapeToString(b!)}`;
    }
    const [m, ka] = ta ? [a![1]!, a![0]!] : [a![0]!, a![1]!];
    const [kb, n] = tb ? [b![1]!, b![0]!] : [b![0]!, b![1]!];
    if (ka !== kb) return `inner dimensions differ: ${shapeToString(a!)} @ ${shapeToString(b!)}`;
    return [m, n];
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
