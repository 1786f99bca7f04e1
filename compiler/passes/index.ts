// The pass pipeline, in order. Each entry says why it sits where it does.
import { gradients } from "../autodiff.js";
import { Builder } from "../ir/builder.js";
import type { Graph, Node } from "../ir/graph.js";
import { verify } from "../ir/verify.js";
import type { ModelIR } from "../model.js";
import { rewrite, toFixedPoint } from "./rewrite.js";
import { simplify } from "./simplify.js";
import { specialize } from "./specialize.js";

export interface PassOptions {
  /** Run `verify` after every pass (tests and `--verify` turn this on). */
  verify?: boolean;
}

/** True when `name` is frozen by the train block (an exact name or a prefix like `h1`). */
export function matchesParam(pattern: string, name: string): boolean {
  return name === pattern || name.startsWith(`${pattern}.`);
}

export function trainableParams(model: ModelIR): ModelIR["params"] {
  return model.params.filter((p) => !model.train.frozen.some((f) => matchesParam(f, p.name)));
}

/**
 * The training graph: forward (loss fusion already done at lowering, so the fused kernels are
 * what gets differentiated) → train-mode specialization → autodiff → simplification.
 * Outputs: `predict`, `loss`, `grad:<param>` for every trainable parameter, `state:<name>`.
 */
export function trainingGraph(model: ModelIR, options: PassOptions = {}): Graph {
  const check = checker(options);
  // 1. Dropout becomes a mask, batchnorm uses batch statistics and reports running ones.
  const forward = check(specialize(model.forward, "train"), "specialize(train)");
  // 2. Differentiate. Rebuilding into a fresh builder lets backward nodes hash-cons against
  //    forward ones (sigmoid(z) in the bce gradient *is* the forward p).
  const b = new Builder();
  const mapped = rebuildInto(b, forward);
  const outputs = new Map<string, Node>();
  for (const [name, node] of forward.outputs) outputs.set(name, mapped.get(node.id)!);
  const byName = new Map(b.nodes.filter((n) => n.op === "param").map((n) => [n.attrs.name as string, n]));
  const trainable = trainableParams(model);
  const params = trainable.map((p) => byName.get(p.name) ?? b.param(p.name, p.shape));
  const grads = gradients(b, outputs.get("loss")!, params);
  trainable.forEach((p, i) => outputs.set(`grad:${p.name}`, grads.get(params[i]!)!));
  const g = check(b.graph(outputs), "autodiff");
  // 3. Simplify to a fixed point: folding and identities expose more of each other; every
  //    rebuild also does CSE (hash-consing) and dead-code removal (only live nodes rebuilt).
  return toFixedPoint(g, (x) => check(rewrite(x, simplify), "simplify"));
}

/** True when training and evaluation compute different things (dropout, batchnorm). */
export function isModeDependent(model: ModelIR): boolean {
  return model.forward.nodes.some((n) => n.op === "dropout" || n.op === "batchnorm");
}

/** The evaluation graph (predict and loss): eval-mode specialization → simplification. */
export function evaluationGraph(model: ModelIR, options: PassOptions = {}): Graph {
  const check = checker(options);
  const g = check(specialize(model.forward, "eval"), "specialize(eval)");
  return toFixedPoint(g, (x) => check(rewrite(x, simplify), "simplify"));
}

function checker(options: PassOptions) {
  return (g: Graph, stage: string) => {
    if (options.verify) verify(g, stage);
    return g;
  };
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
