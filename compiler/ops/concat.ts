// Joining and splitting along the feature (last) axis. `concat` is the user-facing op; `slice`
// is its derivative (each operand's cotangent is its columns of the output's), and concat of
// zero padding is in turn slice's derivative.
import { shapeToString, type Shape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

const lastDim = (s: Shape): number => s[s.length - 1] as number;

export const concat: OpDef<"concat"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([a, b]) => {
    const lead = (s: Shape) => shapeToString(s.slice(0, -1));
    if (a!.length === 0 || b!.length === 0 || a!.length !== b!.length || lead(a!) !== lead(b!) || a![a!.length - 1] === "B") {
      return `concat needs the same leading (batch) dimensions and joins the last one, got ${shapeToString(a!)} and ${shapeToString(b!)}`;
    }
    return [...a!.slice(0, -1), lastDim(a!) + lastDim(b!)];
  },
  vjp: (b, node, g) => {
    const [A, B] = node.inputs;
    const wa = lastDim(A!.shape);
    return [b.node("slice", [g], { start: 0, len: wa }), b.node("slice", [g], { start: wa, len: lastDim(B!.shape) })];
  },
};

/** Columns [start, start + len) of the last axis. */
export const slice: OpDef<"slice"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([a], { start, len }) => {
    const w = a!.length === 0 ? "B" : a![a!.length - 1];
    if (w === "B" || start < 0 || len < 1 || start + len > w!) return `cannot take columns ${start}..${start + len} of ${shapeToString(a!)}`;
    return [...a!.slice(0, -1), len];
  },
  vjp: (b, node, g) => {
    const x = node.inputs[0]!;
    const { start, len } = node.attrs;
    const after = lastDim(x.shape) - start - len;
    const zeros = (width: number) => b.broadcastTo(b.const(0), [...x.shape.slice(0, -1), width]);
    let padded = g;
    if (start > 0) padded = b.node("concat", [zeros(start), padded], {});
    if (after > 0) padded = b.node("concat", [padded, zeros(after)], {});
    return [padded];
  },
};
