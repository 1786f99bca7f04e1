// Sum over some axes. Dropped axes (keepdims false) must be leading, so the cotangent can be
// broadcast straight back; trailing reductions keep their dims (softmax's backward, for one).
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const sum: OpDef<"sum"> = {
  kind: "reduction",
  arity: 1,
  inferShape: ([a], { axes, keepdims }) => {
    if (axes.some((ax) => ax < 0 || ax >= a!.length)) return `sum axes ${axes} out of range for ${shapeToString(a!)}`;
    if (keepdims) return a!.map((d, i) => (axes.includes(i) ? 1 : d));
    if (!axes.every((ax, i) => ax === i)) return `internal: sum without keepdims must reduce leading axes`;
    return a!.slice(axes.length);
  },
  vjp: (b, node, g) => [b.broadcastTo(g, node.inputs[0]!.shape)],
};
