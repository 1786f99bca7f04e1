// Leaves of the graph. They emit nothing: the emitter refers to them directly (an argument,
// a parameter buffer, a literal, or the runtime row count `n`).
import { decodeShape } from "../ir/builder.js";
import type { OpDef } from "./types.js";

export const input: OpDef = {
  name: "input",
  kind: "leaf",
  arity: 0,
  inferShape: (_, attrs) => decodeShape(attrs.shape as number[]),
};

export const param: OpDef = {
  name: "param",
  kind: "leaf",
  arity: 0,
  inferShape: (_, attrs) => attrs.shape as number[],
};

export const constant: OpDef = {
  name: "const",
  kind: "leaf",
  arity: 0,
  inferShape: () => [],
};

/** The number of rows in the current batch, known only at run time. */
export const batch: OpDef = {
  name: "batch",
  kind: "leaf",
  arity: 0,
  inferShape: () => [],
};
