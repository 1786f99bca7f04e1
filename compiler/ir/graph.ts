// The IR: a tiny immutable graph of primitive ops with static per-sample shapes. The batch
// dimension is the symbol "B". Nodes are hash-consed by a Builder, so building the same
// expression twice yields the same node — common-subexpression elimination comes for free.
import type { Span } from "../../diagnostics/index.js";
import type { AttrsOf, OpName } from "./vocabulary.js";

export type Dim = number | "B";
export type Shape = readonly Dim[];

/** A node of one op; `Node` is the union over every op, so `node.op === "matmul"` narrows its attrs. */
export type NodeOf<K extends OpName> = K extends OpName ? OpNode<K> : never;
export type Node = NodeOf<OpName>;

interface OpNode<K extends OpName> {
  readonly id: number;
  readonly op: K;
  readonly inputs: readonly Node[];
  readonly attrs: AttrsOf<K>;
  readonly shape: Shape;
  /** Source text this node came from (the whole expression), for diagnostics and comments. */
  readonly span?: Span;
  /** The model statement whose code this node came from, when `span` is inside a block it called. */
  readonly site?: Span;
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

/** The value of a `const` node, or undefined for any other node. */
export function constValue(node: Node): number | undefined {
  return node.op === "const" ? node.attrs.value : undefined;
}

/** Attribute-encoded shapes use -1 for the batch dimension. */
export function decodeShape(encoded: readonly number[]): Shape {
  return encoded.map((d) => (d === -1 ? "B" : d));
}

export function encodeShape(shape: Shape): number[] {
  return shape.map((d) => (d === "B" ? -1 : d));
}
