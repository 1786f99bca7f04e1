// Passes rebuild the graph through a fresh Builder: every node is re-created from its
// (already rewritten) inputs, so hash-consing merges duplicates (CSE) and nodes unreachable
// from the outputs are never rebuilt (DCE). A pass only supplies the local rule.
import { Builder } from "../ir/builder.js";
import type { Graph, Node } from "../ir/graph.js";

/** Returns a replacement for `node` (built from its rewritten `inputs`), or undefined to keep it. */
export type Rule = (b: Builder, node: Node, inputs: readonly Node[]) => Node | undefined;

export function rewrite(graph: Graph, rule: Rule, extraOutputs?: Map<string, Node>): Graph {
  const b = new Builder();
  const live = liveNodes(graph);
  const mapped = new Map<number, Node>();
  for (const node of graph.nodes) {
    if (!live.has(node.id)) continue;
    const inputs = node.inputs.map((i) => mapped.get(i.id)!);
    b.origin = { span: node.span, site: node.site, grad: node.grad ?? false };
    const next = rule(b, node, inputs) ?? b.copy(node, inputs);
    const label = graph.labels.get(node.id);
    if (label) b.name(next, label);
    mapped.set(node.id, next);
  }
  const outputs = new Map<string, Node>();
  for (const [name, node] of graph.outputs) outputs.set(name, mapped.get(node.id)!);
  // Outputs a rule created while rewriting (the running statistics of batchnorm, for one).
  for (const [name, node] of extraOutputs ?? []) outputs.set(name, node);
  return b.graph(outputs);
}

export function liveNodes(graph: Graph): Set<number> {
  const live = new Set<number>();
  const stack = [...graph.outputs.values()];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (live.has(n.id)) continue;
    live.add(n.id);
    stack.push(...n.inputs);
  }
  return live;
}

/** Applies rewrites until the graph stops changing (each cleanup can expose another). */
export function toFixedPoint(graph: Graph, pass: (g: Graph) => Graph, limit = 20): Graph {
  let current = graph;
  for (let i = 0; i < limit; i++) {
    const next = pass(current);
    if (fingerprint(next) === fingerprint(current)) return next;
    current = next;
  }
  return current;
}

function fingerprint(g: Graph): string {
  return g.nodes.map((n) => `${n.op}(${n.inputs.map((i) => i.id)})${JSON.stringify(n.attrs)}`).join(";") +
    [...g.outputs].map(([k, v]) => `${k}=${v.id}`).join(",");
}
