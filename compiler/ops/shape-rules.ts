// Shape rules shared by op families: numpy-style right-aligned broadcasting, where the batch
// dimension "B" only matches itself or 1.
import { shapeToString, type Dim, type Shape } from "../ir/graph.js";

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
