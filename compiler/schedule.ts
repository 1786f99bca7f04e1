// Kernel formation (loop fusion). A kernel is one loop nest in the emitted code: a root node
// plus the elementwise nodes inlined into it. An elementwise node is inlined into its consumer
// when it has exactly one consumer and is indexed the same way there, so it never touches
// memory. A matmul whose only consumer is elementwise becomes that kernel's core, and the
// elementwise tail (bias, activation, derivative mask) becomes its epilogue.
import { sameShape, type Graph, type Node, type NodeOf } from "./ir/graph.js";
import { defOf, isElementwise } from "./ops/index.js";

export interface Kernel {
  root: Node;
  /** Nodes computed inside this kernel without storage, in topological order (root excluded). */
  inlined: Node[];
  /** The matmul this kernel is built around, when the root is its elementwise epilogue. */
  core?: NodeOf<"matmul">;
  /** Materialized nodes the kernel reads. */
  reads: Node[];
}

export function formKernels(graph: Graph): Kernel[] {
  const consumers = new Map<number, Node[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      const list = consumers.get(input.id) ?? [];
      if (!list.includes(node)) list.push(node);
      consumers.set(input.id, list);
    }
  }
  const outputs = new Set([...graph.outputs.values()].map((n) => n.id));
  const owner = new Map<number, Node>(); // inlined node id → the consumer it is inlined into

  for (const node of graph.nodes) {
    if (isLeaf(node) || node.shape.length === 0 || outputs.has(node.id)) continue;
    const users = consumers.get(node.id) ?? [];
    if (users.length !== 1) continue;
    const user = users[0]!;
    if (user.inputs.filter((i) => i === node).length !== 1) continue; // used twice by one op: compute once
    const intoElementwise = isElementwise(user) && sameShape(user.shape, node.shape);
    const intoSum = user.op === "sum";
    if (isElementwise(node) && (intoElementwise || intoSum)) owner.set(node.id, user);
    else if (node.op === "matmul" && intoElementwise) owner.set(node.id, user);
  }

  const rootOf = (n: Node): Node => {
    let r = n;
    while (owner.has(r.id)) r = owner.get(r.id)!;
    return r;
  };
  // At most one matmul per kernel; further ones are materialized.
  const coreOf = new Map<number, NodeOf<"matmul">>();
  for (const node of graph.nodes) {
    if (node.op !== "matmul" || !owner.has(node.id)) continue;
    const root = rootOf(node);
    if (coreOf.has(root.id) || root.op === "sum") owner.delete(node.id);
    else coreOf.set(root.id, node);
  }

  const kernels: Kernel[] = [];
  const byRoot = new Map<number, Kernel>();
  for (const node of graph.nodes) {
    if (isLeaf(node) || owner.has(node.id)) continue;
    const k: Kernel = { root: node, inlined: [], core: coreOf.get(node.id), reads: [] };
    byRoot.set(node.id, k);
    kernels.push(k);
  }
  for (const node of graph.nodes) {
    if (owner.has(node.id)) byRoot.get(rootOf(node).id)!.inlined.push(node);
  }
  for (const k of kernels) {
    const inside = new Set([k.root.id, ...k.inlined.map((n) => n.id)]);
    const reads = new Map<number, Node>();
    for (const n of [...k.inlined, k.root]) {
      for (const input of n.inputs) if (!inside.has(input.id) && !isLeaf(input)) reads.set(input.id, input);
    }
    k.reads = [...reads.values()];
  }
  return kernels;
}

/** Leaves (inputs, parameters, state, constants) are read where they live; nothing computes them. */
export function isLeaf(node: Node): boolean {
  return defOf(node.op).kind === "leaf";
}
