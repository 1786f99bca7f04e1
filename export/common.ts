// What the exporters share: the nodes that compute the prediction, and the error for an op a
// target cannot express, reported like any other diagnostic (file:line:col, the line, a caret).
import { NetcError, NO_SPAN } from "../diagnostics/index.js";
import type { Graph, Node } from "../compiler/ir/graph.js";

export interface ExportSource {
  /** Shown in diagnostics and in the header of the exported file. */
  file: string;
  source: string;
}

/** Nodes reachable from the named outputs, in the graph's (topological) order. */
export function nodesFor(graph: Graph, outputs: readonly string[]): Node[] {
  const live = new Set<number>();
  const stack = outputs.map((name) => graph.outputs.get(name)!).filter(Boolean);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (live.has(n.id)) continue;
    live.add(n.id);
    stack.push(...n.inputs);
  }
  return graph.nodes.filter((n) => live.has(n.id));
}

/** An op the target has no equivalent for: the message names the op and points at its `.net` line. */
export function unsupportedOp(node: Node, target: string, src: ExportSource, why = ""): NetcError {
  const message = `cannot export to ${target}: netc op '${node.op}' has no ${target} equivalent${why ? ` (${why})` : ""}`;
  return new NetcError([{ severity: "error", message, span: node.span ?? NO_SPAN }], src.file, src.source);
}

/** Every tensor's values by name: parameters, then running statistics. */
export type TensorValues = ReadonlyMap<string, ArrayLike<number>>;
