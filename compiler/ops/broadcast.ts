// Explicit broadcast, produced by the derivative of a reduction. Elementwise consumers usually
// make it disappear (the simplifier drops it where implicit broadcasting does the same).
import { decodeShape, shapeToString } from "../ir/graph.js";
import { broadcastShapes } from "./shape-rules.js";
import type { OpDef } from "./types.js";

export const broadcast: OpDef<"broadcast"> = {
  kind: "elementwise",
  arity: 1,
  inferShape: ([a], attrs) => {
    const target = decodeShape(attrs.shape);
    const joined = broadcastShapes(a!, target);
    if (typeof joined === "string" || shapeToString(joined) !== shapeToString(target)) {
      return `cannot broadcast ${shapeToString(a!)} to ${shapeToString(target)}`;
    }
    return target;
  },
  fold: ([a]) => a!,
  vjp: (_, __, g) => [g],
};
