// Symbolic reverse-mode differentiation. Walks the forward graph from the loss backwards,
// asks each op's VJP rule for its inputs' cotangents (as IR), sums cotangents back to each
// input's shape when the op broadcast it, and accumulates fan-out. The result is ordinary IR.
import type { Builder } from "./ir/builder.js";
import { sameShape, type Node, type Shape } from "./ir/graph.js";
import { defOf } from "./ops/index.js";

export function gradients(b: Builder, loss: Node, wrt: readonly Node[]): Map<Node, Node> {
  const order = reachable(loss);
  const grads = new Map<Node, Node>([[loss, b.const(1)]]);
  for (let idx = order.length - 1; idx >= 0; idx--) {
    const node = order[idx]!;
    const g = grads.get(node);
    const def = defOf(node.op);
    if (!g) continue;
    const label = b.labels.get(node.id);
    if (label) b.name(g, `d_${label}`); // all users are done, so g is final: name it after its value
    if (!def.vjp) continue;
    b.origin = { span: node.span, site: node.site, grad: true, hint: `d_${label ?? "t"}` };
    const cotangents = def.vjp(b, node, g);
    if (cotangents.length !== node.inputs.length) {
      throw new Error(`internal: vjp of '${node.op}' returned ${cotangents.length} cotangents for ${node.inputs.length} inputs`);
    }
    node.inputs.forEach((input, i) => {
      const ct = cotangents[i];
      if (!ct) return;
      const reduced = sumToShape(b, ct, input.shape);
      const prev = grads.get(input);
      grads.set(input, prev ? b.add(prev, reduced) : reduced);
    });
  }
  b.origin = undefined;
  const out = new Map<Node, Node>();
  for (const w of wrt) out.set(w, grads.get(w) ?? b.broadcastTo(b.const(0), w.shape));
  return out;
}

/** Undoes broadcasting: sums over the leading axes the input lacked and the axes where it had 1. */
function sumToShape(b: Builder, g: Node, shape: Shape): Node {
  if (sameShape(g.shape, shape)) return g;
  if (shape.length === 0) return b.sumAll(g);
  const extra = g.shape.length - shape.length;
  let out = extra > 0 ? b.sum(g, [...Array(extra).keys()], false) : g;
  const ones = shape.flatMap((d, i) => (d === 1 && out.shape[i] !== 1 ? [i] : []));
  if (ones.length > 0) out = b.sum(out, ones, true);
  return out;
}

/**
 * Nodes the loss depends on, in topological order (ids are, since inputs are built first).
 * An explicit stack, not recursion: a network thousands of layers deep must not overflow.
 */
function reachable(root: Node): Node[] {
  const seen = new Map<number, Node>([[root.id, root]]);
  const stack = [root];
  while (stack.length > 0) {
    for (const input of stack.pop()!.inputs) {
      if (!seen.has(input.id)) {
        seen.set(input.id, input);
        stack.push(input);
      }
    }
  }
  return [...seen.values()].sort((a, c) => a.id - c.id);
}
