// The contract every op fulfils, in one place per op: its shape rule, its derivative rule
// (written as IR, so the backward graph is ordinary IR), and how to emit it.
import type { Attrs, Node, Shape } from "../ir/graph.js";
import type { Builder } from "../ir/builder.js";
import type { EmitContext } from "../emit/context.js";

export type OpKind = "leaf" | "elementwise" | "reduce" | "other";

export interface OpDef {
  readonly name: string;
  readonly kind: OpKind;
  /** Number of inputs. */
  readonly arity: number;
  /** Output shape from input shapes, or a human-readable reason the inputs do not fit. */
  inferShape(inputs: readonly Shape[], attrs: Attrs): Shape | string;
  /**
   * Reverse-mode rule: the cotangent of each input given the output's cotangent `g`, built as
   * IR. `null` marks an input that is not differentiable (a target, an index). Gradients may
   * have a broadcast shape; the autodiff driver sums them back to the input's shape.
   */
  vjp?(b: Builder, node: Node, g: Node): (Node | null)[];
  /** Elementwise ops: the JS expression for one element, given the operands' expressions. */
  scalar?(args: readonly string[], attrs: Attrs): string;
  /** Evaluates the op on scalar constants (constant folding). */
  fold?(args: readonly number[], attrs: Attrs): number;
  /** Other ops: statements that compute `node` into its buffer (or scalar local). */
  emit?(ctx: EmitContext, node: Node): string;
}
