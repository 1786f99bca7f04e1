// Leaves of the graph. They compute nothing: a backend refers to them where they live (an
// argument, a parameter or state array, a literal, or the runtime row count).
import { decodeShape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const input: OpDef<"input"> = { kind: "leaf", arity: 0, inferShape: (_, attrs) => decodeShape(attrs.shape) };
export const param: OpDef<"param"> = { kind: "leaf", arity: 0, inferShape: (_, attrs) => attrs.shape };
export const state: OpDef<"state"> = { kind: "leaf", arity: 0, inferShape: (_, attrs) => attrs.shape };
export const constant: OpDef<"const"> = { kind: "leaf", arity: 0, inferShape: () => [] };
export const batch: OpDef<"batch"> = { kind: "leaf", arity: 0, inferShape: () => [] };
