// Expands the mode-dependent layers into primitives for one mode:
//   eval:  dropout(x) → x;  batchnorm → (x − running mean) / √(running var + ε) · γ + β
//   train: dropout(x) → x ⊙ mask;  batchnorm → batch statistics, plus outputs
//          `state:<name>` with the updated running statistics (momentum, unbiased variance,
//          as in PyTorch) that the training step stores after a successful step; a one-row
//          batch leaves them unchanged.
import { encodeShape, type Graph, type Node } from "../ir/graph.js";
import { rewrite } from "./rewrite.js";

export type Mode = "train" | "eval";

export function specialize(graph: Graph, mode: Mode): Graph {
  const extra = new Map<string, Node>();
  return rewrite(
    graph,
    (b, node, inputs) => {
      if (node.op === "dropout") {
        if (mode === "eval") return inputs[0]!;
        return b.mul(inputs[0]!, b.node("dropout_mask", [], { p: node.attrs.p, shape: encodeShape(node.shape), id: node.attrs.id }));
      }
      if (node.op !== "batchnorm") return undefined;
      const [x, gamma, beta, runningMean, runningVar] = inputs as [Node, Node, Node, Node, Node];
      const eps = b.const(node.attrs.eps);
      const scaleShift = (centered: Node, variance: Node) =>
        b.add(b.mul(b.mul(centered, b.node("rsqrt", [b.add(variance, eps)])), gamma), beta);
      if (mode === "eval") return scaleShift(b.sub(x, runningMean), runningVar);
      const rows = b.batch();
      const mean = b.div(b.sum(x, [0], false), rows);
      const centered = b.sub(x, mean);
      const variance = b.div(b.sum(b.mul(centered, centered), [0], false), rows);
      // A one-row batch has no variance to learn from (PyTorch refuses it): its step leaves the
      // running statistics alone instead of pulling the running variance toward 0. The weight
      // is momentum · [rows > 1], i.e. momentum · (1 − max(2 − rows, 0)).
      const m = b.mul(b.const(node.attrs.momentum), b.sub(b.const(1), b.max(b.sub(b.const(2), rows), b.const(0))));
      const unbiased = b.div(rows, b.max(b.sub(rows, b.const(1)), b.const(1)));
      const blend = (old: Node, batch: Node) => b.add(b.mul(b.sub(b.const(1), m), old), b.mul(m, batch));
      extra.set(`state:${stateName(runningMean)}`, blend(runningMean, mean));
      extra.set(`state:${stateName(runningVar)}`, blend(runningVar, b.mul(variance, unbiased)));
      return scaleShift(centered, variance);
    },
    extra,
  );
}

function stateName(node: Node): string {
  if (node.op !== "state") throw new Error(`internal: batchnorm's running statistics must be state, got ${node.op}`);
  return node.attrs.name;
}
