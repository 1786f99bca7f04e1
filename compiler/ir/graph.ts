// The IR: a tiny immutable graph of primitive ops with static per-sample shapes. The batch
// dimension is the symbol "B". Nodes are hash-consed by a Builder, so building the same
// expression twice yields the same node — common-subexpression elimination comes for free.
import type { Span } from "../../grammar/ast.js";

export type Dim = number | "B";
export type Shape = readonly Dim[];

/** Attributes are plain JSON data so they can be part of the hash-consing key. */
export type Attrs = Readonly<Record<string, number | string | boolean | readonly number[]>>;

export interface Node {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  /** Source text this node came from (the whole expression), for diagnostics and comments. */
  readonly span?: Span;
  /** True for nodes created by differentiation (the backward pass). */
  readonly grad?: boolean;
}

export interface Graph {
  /** Every node, in a topological order (inputs before users). */
  readonly nodes: readonly Node[];
  /** Named roots: `predict`, `loss`, `grad:<param>`. Anything unreachable from these is dead. */
  readonly outputs: ReadonlyMap<string, Node>;
  /** The `.net` name bound to a node id (`h1`, `p`), used to name buffers in emitted code. */
  readonly labels: ReadonlyMap<number, string>;
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Element count with the batch dimension replaced by `batch`. */
export function numel(shape: Shape, batch: number): number {
  return shape.reduce<number>((n, d) => n * (d === "B" ? batch : d), 1);
}

export function isBatched(shape: Shape): boolean {
  return shape.includes("B");
}

export function isScalar(node: Node): boolean {
  return node.shape.length === 0;
}
