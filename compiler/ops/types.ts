// The contract every op fulfils, in one place per op: what it is — its shape rule, its reference
// evaluator on numbers (constant folding, tests), and its derivative rule written as IR, so the
// backward graph is ordinary IR. How a target computes it lives in backend/<target>/rules.ts.
import type { Span } from "../../diagnostics/index.js";
import type { Node, NodeOf, Shape } from "../ir/graph.js";
import type { AttrsOf, KindOf, OpName } from "../ir/vocabulary.js";

export interface OpDef<K extends OpName> {
  readonly kind: KindOf<K>;
  /** Number of inputs. */
  readonly arity: number;
  /** Output shape from input shapes, or a human-readable reason the inputs do not fit. */
  inferShape(inputs: readonly Shape[], attrs: AttrsOf<K>): Shape | string;
  /**
   * Reverse-mode rule: the cotangent of each input given the output's cotangent `g`, built as
   * IR. `null` marks an input that is not differentiable (a target, an index, a comparison).
   * Gradients may have a broadcast shape; the autodiff driver sums them back to the input's shape.
   * Ops without a rule (leaves, modal ops) stop differentiation.
   */
  vjp?(b: IRBuilder, node: NodeOf<K>, g: Node): (Node | null)[];
  /** The op on numbers: constant folding of elementwise ops, and the reference for tests. */
  fold?(args: readonly number[], attrs: AttrsOf<K>): number;
}

/** What derivative rules and lowering may build with; ir/builder.ts implements it. */
export interface IRBuilder {
  node<K extends OpName>(op: K, inputs: readonly Node[], ...rest: NodeArgs<K>): NodeOf<K>;
  const(value: number): Node;
  batch(): Node;
  add(a: Node, b: Node): Node;
  sub(a: Node, b: Node): Node;
  mul(a: Node, b: Node): Node;
  div(a: Node, b: Node): Node;
  max(a: Node, b: Node): Node;
  neg(a: Node): Node;
  /** A one-input op without attributes: `b.unary("exp", x)`. */
  unary(op: UnaryOp, a: Node): Node;
  /** where(c, a, b): a where c is non-zero, else b. */
  where(c: Node, a: Node, b: Node): Node;
  gt(a: Node, b: Node): Node;
  ge(a: Node, b: Node): Node;
  matmul(a: Node, b: Node, ta?: boolean, tb?: boolean): Node;
  sum(a: Node, axes: readonly number[], keepdims: boolean): Node;
  sumAll(a: Node): Node;
  broadcastTo(a: Node, shape: Shape): Node;
}

/** Attributes (optional for ops that have none), then the source span and a label. */
export type NodeArgs<K extends OpName> = Record<never, never> extends AttrsOf<K>
  ? [attrs?: AttrsOf<K>, span?: Span, label?: string]
  : [attrs: AttrsOf<K>, span?: Span, label?: string];

/** One-input ops without attributes. */
export type UnaryOp = { [K in OpName]: AttrsOf<K> extends Record<string, never> ? K : never }[OpName];
