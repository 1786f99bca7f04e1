// Turns class indices (a `class(K)` target, one number per row) into one-hot rows. An index
// that is not an integer in [0, K) stops the step with a message naming the row.
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const onehot: OpDef<"onehot"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([a], { classes }) => (a!.length === 1 ? [a![0]!, classes] : `onehot needs one index per row, got ${shapeToString(a!)}`),
  vjp: () => [null],
};
