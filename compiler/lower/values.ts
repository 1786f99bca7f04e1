// Values an expression can denote while lowering: a tensor (an IR node) or a plain number
// (literals, block arguments like `n`). `POISON` stands for an expression that already
// produced a diagnostic, so one mistake does not cascade into a dozen follow-on errors.
import type { Span } from "../../grammar/ast.js";
import type { Node } from "../ir/graph.js";

export type Value = { kind: "tensor"; node: Node } | { kind: "number"; value: number } | { kind: "poison" };

export const POISON: Value = { kind: "poison" };

export const tensor = (node: Node): Value => ({ kind: "tensor", node });
export const num = (value: number): Value => ({ kind: "number", value });

export interface Binding {
  value: Value;
  span: Span;
}
