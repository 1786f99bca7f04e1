// Algebraic clean-up of the joint forward + backward graph: constant folding and the
// identities that differentiation leaves behind (×1, +0, −−x, x + x, redundant broadcasts).
import { constValue, sameShape, type Node } from "../ir/graph.js";
import { defOf } from "../ops/index.js";
import type { Rule } from "./rewrite.js";

export const simplify: Rule = (b, node, rawInputs) => {
  const def = defOf(node.op);
  const inputs = def.kind === "elementwise" && node.op !== "broadcast" ? dropBroadcasts(node, rawInputs) : rawInputs;
  const values = inputs.map(constValue);
  if (def.fold && inputs.length > 0 && values.every((v) => v !== undefined)) {
    const folded = def.fold(values as number[], node.attrs);
    if (node.shape.length === 0) return b.const(folded);
    return b.broadcastTo(b.const(folded), node.shape);
  }
  const [x, y] = inputs as [Node, Node];
  const [vx, vy] = values;
  const keeps = (n: Node) => sameShape(n.shape, node.shape);
  switch (node.op) {
    case "mul":
      if (vx === 1 && keeps(y)) return y;
      if (vy === 1 && keeps(x)) return x;
      if (vx === -1 && keeps(y)) return b.neg(y);
      if (vy === -1 && keeps(x)) return b.neg(x);
      if (vy !== undefined && vx === undefined) return b.mul(y, x); // constants first, so they meet
      if (vx !== undefined && y.op === "mul" && constValue(y.inputs[0]!) !== undefined) {
        return b.mul(b.const(vx * constValue(y.inputs[0]!)!), y.inputs[1]!);
      }
      break;
    case "add":
      if (vx === 0 && keeps(y)) return y;
      if (vy === 0 && keeps(x)) return x;
      if (x === y) return b.mul(b.const(2), x);
      break;
    case "sub":
      if (vy === 0 && keeps(x)) return x;
      if (vx === 0 && keeps(y)) return b.neg(y);
      break;
    case "div":
      if (vy === 1 && keeps(x)) return x;
      break;
    case "neg":
      if (x.op === "neg") return x.inputs[0]!;
      if (x.op === "mul" && constValue(x.inputs[0]!) !== undefined) {
        return b.mul(b.const(-constValue(x.inputs[0]!)!), x.inputs[1]!);
      }
      break;
  }
  return inputs === rawInputs ? undefined : b.copy(node, inputs);
};

/** An explicit broadcast feeding an elementwise op is redundant when implicit broadcasting gives the same shape. */
function dropBroadcasts(node: Node, inputs: readonly Node[]): readonly Node[] {
  let current = inputs;
  inputs.forEach((input, i) => {
    if (input.op !== "broadcast") return;
    const candidate = current.map((x, j) => (j === i ? input.inputs[0]! : x));
    const shape = defOf(node.op).inferShape(candidate.map((c) => c.shape), node.attrs);
    if (typeof shape !== "string" && sameShape(shape, node.shape)) current = candidate;
  });
  return current;
}
