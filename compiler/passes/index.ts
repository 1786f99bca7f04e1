// The pass pipeline, in order. Each entry says why it sits where it does.
import { gradients } from "../autodiff.js";
import { Builder } from "../ir/builder.js";
import type { Graph, Node } from "../ir/graph.js";
import type { ModelIR } from "../model.js";
import { rewrite, toFixedPoint } from "./rewrite.js";
import { simplify } from "./simplify.js";
import { verify } from "../ir/verify.js";

export interface PassOptions {
  /** Run `verify` after every pass (tests and `--verify` turn this on). */
  verify?: boolean;
}

/**
 * Forward graph (already loss-fused at lowering, so the fused kernels are what gets
 * differentiated) → joint forward + backward graph with outputs `predict`, `loss`, `grad:<param>`.
 */
export function trainingGraph(model: ModelIR, options: PassOptions = {}): Graph {
  const check = (g: Graph, stage: string) => {
    if (options.verify) verify(g, stage);
    return g;
  };
  // 1. Differentiate. Rebuilding the forward graph into a fresh builder lets backward nodes
  //    hash-cons against forward ones (sigmoid(z) in the bce gradient *is* the forward p).
  const b = new Builder();
  const mapped = rebuildInto(b, model.forward);
  const loss = mapped.get(model.forward.outputs.get("loss")!.id)!;
  const params = model.params.map((p) => mapped.get(p.node.id) ?? b.param(p.name, p.shape));
  const grads = gradients(b, loss, params);
  const outputs = new Map<string, Node>([
    ["predict", mapped.get(model.forward.outputs.get("predict")!.id)!],
    ["loss", loss],
  ]);
  model.params.forEach((p, i) => outputs.set(`grad:${p.name}`, grads.get(params[i]!)!));
  let g = check(b.graph(outputs), "autodiff");
  // 2. Simplify to a fixed point: folding and identities expose more of each other; every
  //    rebuild also does CSE (hash-consing) and dead-code removal (only live nodes rebuilt).
  g = toFixedPoint(g, (x) => check(rewrite(x, simplify), "simplify"));
  return g;
}

function rebuildInto(b: Builder, graph: Graph): Map<number, Node> {
  const mapped = new Map<number, Node>();
  for (const node of graph.nodes) {
    b.origin = { span: node.span, grad: false };
    const next = b.node(node.op, node.inputs.map((i) => mapped.get(i.id)!), node.attrs);
    const label = graph.labels.get(node.id);
    if (label) b.name(next, label);
    mapped.set(node.id, next);
  }
  b.origin = undefined;
  return mapped;
}
