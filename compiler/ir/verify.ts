// Structural check of a graph, run after every pass in tests and with --verify: inputs come
// before their users, arities match, and every stored shape is what the op's shape rule says.
import { defOf } from "../ops/index.js";
import { shapeToString, type Graph } from "./graph.js";

/** `modal`: dropout and batchnorm are allowed (before specialization). */
export function verify(graph: Graph, stage = "graph", options: { modal?: boolean } = { modal: true }): void {
  const seen = new Set<number>();
  for (const node of graph.nodes) {
    const def = defOf(node.op);
    const fail = (msg: string) => {
      throw new Error(`verify after ${stage}: node %${node.id} (${node.op}): ${msg}`);
    };
    if (!def) fail("unknown op");
    if (node.inputs.length !== def.arity) fail(`has ${node.inputs.length} inputs, op takes ${def.arity}`);
    if (def.kind === "modal" && !options.modal) fail("modal op left after specialization");
    for (const input of node.inputs) if (!seen.has(input.id)) fail(`input %${input.id} is not defined before use`);
    const shape = def.inferShape(node.inputs.map((i) => i.shape), node.attrs);
    if (typeof shape === "string") fail(shape);
    else if (shapeToString(shape) !== shapeToString(node.shape)) fail(`shape ${shapeToString(node.shape)} but rule gives ${shapeToString(shape)}`);
    seen.add(node.id);
  }
  for (const [name, node] of graph.outputs) if (!seen.has(node.id)) throw new Error(`verify after ${stage}: output ${name} is dangling`);
}
