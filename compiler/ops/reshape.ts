// The same elements under another shape, in row-major order: `flatten` makes [B,C,H,W] into
// [B,C·H·W]. The batch axis stays the first axis on both sides, so rows never mix. Its
// derivative is the reshape back.
import { decodeShape, encodeShape, shapeToString, type Shape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

const fixedSize = (s: Shape) => s.reduce<number>((n, d) => (d === "B" ? n : n * d), 1);
const batchedFirst = (s: Shape) => s.indexOf("B") === (s[0] === "B" ? 0 : -1) && s.lastIndexOf("B") === s.indexOf("B");

export const reshape: OpDef<"reshape"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([a], attrs) => {
    const target = decodeShape(attrs.shape);
    const ok = batchedFirst(a!) && batchedFirst(target) && (a![0] === "B") === (target[0] === "B") && fixedSize(a!) === fixedSize(target);
    return ok ? target : `cannot reshape ${shapeToString(a!)} to ${shapeToString(target)}`;
  },
  vjp: (b, node, g) => [b.node("reshape", [g], { shape: encodeShape(node.inputs[0]!.shape) })],
};
