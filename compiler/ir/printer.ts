// Prints a graph one node per line, e.g. `%5: [B,8] = tanh %4  # h1`. Used by `--dump ir|grad`,
// golden tests and error reports.
import type { Graph, Node } from "./graph.js";
import { shapeToString } from "./graph.js";

export function printGraph(graph: Graph, options: { only?: "forward" | "backward" } = {}): string {
  const lines: string[] = [];
  for (const node of graph.nodes) {
    if (options.only === "forward" && node.grad) continue;
    if (options.only === "backward" && !node.grad) continue;
    lines.push(printNode(node, graph.labels.get(node.id)));
  }
  for (const [name, node] of graph.outputs) {
    if (options.only === "forward" && name.startsWith("grad:")) continue;
    lines.push(`${name} = %${node.id}`);
  }
  return lines.join("\n") + "\n";
}

export function printNode(node: Node, label?: string): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : typeof v === "string" ? JSON.stringify(v) : v}`)
    .join(" ");
  const args = node.inputs.map((i) => `%${i.id}`).join(", ");
  const parts = [`%${node.id}: ${shapeToString(node.shape)} = ${node.op}`, args, attrs ? `{${attrs}}` : ""].filter(Boolean);
  return parts.join(" ") + (label ? `  # ${label}` : "") + (node.grad ? "  (grad)" : "");
}
