// Shape rules and constructors shared by op families: numpy-style right-aligned broadcasting,
// where the batch dimension "B" only matches itself or 1.
import { shapeToString, type Dim, type Node, type NodeOf, type Shape } from "../ir/graph.js";
import type { AttrsOf, KindOf, OpName, OpsOfKind } from "../ir/vocabulary.js";
import type { IRBuilder, OpDef } from "./types.js";

export function broadcastShapes(a: Shape, b: Shape): Shape | string {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else return `shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast`;
  }
  return out;
}

export function sameShapeRule(name: string) {
  return (inputs: readonly Shape[]): Shape | string => {
    const [a, b] = inputs as [Shape, Shape];
    if (shapeToString(a) !== shapeToString(b)) {
      return `${name} needs operands of the same shape, got ${shapeToString(a)} and ${shapeToString(b)}`;
    }
    return [];
  };
}

type Elementwise = OpsOfKind<"elementwise">;
type Vjp<K extends OpName> = (b: IRBuilder, node: NodeOf<K>, g: Node) => (Node | null)[];

/** A one-input elementwise op: shape unchanged; its formula may depend on constant attributes. */
export function elementwise1<K extends Elementwise>(fold: (a: number, attrs: AttrsOf<K>) => number, vjp: Vjp<K>): OpDef<K> {
  return { kind: "elementwise" as KindOf<K>, arity: 1, inferShape: ([a]) => a!, fold: ([a], attrs) => fold(a!, attrs), vjp };
}

/**
 * A two-input elementwise op with broadcasting. The autodiff driver sums each cotangent back
 * to its operand's shape, so these rules never deal with broadcasting themselves.
 */
export function elementwise2<K extends Elementwise>(fold: (a: number, b: number) => number, vjp: Vjp<K>): OpDef<K> {
  return { kind: "elementwise" as KindOf<K>, arity: 2, inferShape: ([a, b]) => broadcastShapes(a!, b!), fold: ([a, b]) => fold(a!, b!), vjp };
}
