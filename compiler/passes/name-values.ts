// Gives every computed value of the forward graph a name from the `.net` file, so emitted
// buffers read `h1_z`, `p_logits`, `h2_xW` instead of op names, and autodiff can name each
// gradient after its value (`d_h1_z`). A value is named after the labelled value it feeds:
// the input of a softmax/sigmoid head is that head's `logits`, a matrix product is `xW`, any
// other intermediate `z`. Duplicates are told apart later by the emitter's name manager.
import type { Graph, Node } from "../ir/graph.js";
import { defOf } from "../ops/index.js";

const HEADS = new Set<Node["op"]>(["softmax", "log_softmax", "sigmoid", "sigmoid_bce_sum", "softmax_ce_sum"]);

export function nameValues(graph: Graph): Graph {
  const labels = new Map(graph.labels);
  const consumers = new Map<number, Node[]>();
  for (const node of graph.nodes) for (const input of node.inputs) consumers.set(input.id, [...(consumers.get(input.id) ?? []), node]);
  /** The binding a name starts with, so `h1_z`'s own inputs are `h1_…`, not `h1_z_…`. */
  const root = new Map<number, string>();
  // Running statistics (`state:…` outputs) are by-products: a value is named after the layer it feeds.
  const byproduct = new Set<number>();
  for (const [name, node] of graph.outputs) {
    if (labels.has(node.id)) continue;
    labels.set(node.id, name.replace(/[:.]/g, "_"));
    if (name.startsWith("state:")) byproduct.add(node.id);
  }
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (defOf(node.op).kind === "leaf") continue;
    let own = labels.get(node.id);
    // dense names its pre-activation `NAME.z`; feeding a softmax or sigmoid head, that is its logits.
    if (own?.endsWith(".z") && (consumers.get(node.id) ?? []).some((c) => HEADS.has(c.op) && c.inputs[0] === node)) {
      own = `${own.slice(0, -2)}.logits`;
      labels.set(node.id, own);
    }
    if (node.op === "onehot" && own === undefined && labels.has(node.inputs[0]!.id)) {
      own = `${labels.get(node.inputs[0]!.id)}_onehot`;
      labels.set(node.id, own);
    }
    if (own !== undefined) {
      if (!root.has(node.id)) root.set(node.id, own);
      continue;
    }
    const users = (consumers.get(node.id) ?? []).filter((c) => labels.has(c.id));
    const user = users.find((c) => !byproduct.has(c.id)) ?? users[0];
    if (!user) continue;
    if (byproduct.has(user.id) && users.every((c) => byproduct.has(c.id))) byproduct.add(node.id);
    const base = root.get(user.id) ?? labels.get(user.id)!;
    const role = HEADS.has(user.op) && user.inputs[0] === node ? "logits" : node.op === "matmul" ? "xW" : "z";
    labels.set(node.id, `${base}_${role}`);
    root.set(node.id, base);
  }
  return { ...graph, labels };
}
