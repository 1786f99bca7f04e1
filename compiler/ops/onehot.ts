// Turns class indices (a `class(K)` target: one number per row, or one per position [B,T]) into
// one-hot rows. An index that is not an integer in [0, K) stops the step with a message naming
// the row (and position).
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const onehot: OpDef<"onehot"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([a], { classes }) =>
    a!.length === 1 || (a!.length === 2 && a![1] !== "B") ? [...a!, classes] : `onehot needs one index per row or per position, got ${shapeToString(a!)}`,
  vjp: () => [null],
};
