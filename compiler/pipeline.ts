// The compiler after lowering, as one ordered list of stages. Each stage says why it sits where
// it does; `verify` (tests, `--verify`) checks the IR's invariants after every one.
//
//   lowered forward graph (lower/model.ts)
//   1. fuse losses      bce(sigmoid(z)), cross_entropy(softmax(z)) → kernels on the logits.
//                       Before autodiff, so the fused kernels are what gets differentiated
//                       and the gradient is the stable p − y.
//   2. specialize       dropout and batchnorm become primitives for one mode (train: mask and
//                       batch statistics; eval: identity and running statistics). Before
//                       autodiff: only the primitives have derivative rules.
//   3. name values      every value gets a name from the .net file (h1_z, p_logits); before
//                       autodiff, which names each gradient after its value (d_h1_z).
//   4. autodiff         (training only) reverse mode; the backward graph is ordinary IR.
//   5. simplify         folding and identities to a fixed point; each rebuild is also CSE and DCE.
//   6. schedule         fuse elementwise chains into loop nests, matmuls with their epilogues.
//   7. plan buffers     lifetimes → shared preallocated arrays.
//   8. emit             (emit/module.ts, emit/predictor.ts) through a backend's rule table.
//
// The trainer runs 1–7 twice (training and evaluation graphs; once when nothing depends on the
// mode), and once more for the input-gradient graph behind inputGradients (evaluation mode,
// differentiated with respect to the input); the standalone predictor runs the evaluation path
// with `predict` as its only output.
import { gradients } from "./autodiff.js";
import { Builder } from "./ir/builder.js";
import { isBatched, type Graph, type Node } from "./ir/graph.js";
import { verify } from "./ir/verify.js";
import { trainableParams, type ModelIR } from "./model.js";
import { fuseLosses } from "./passes/fuse-losses.js";
import { nameValues } from "./passes/name-values.js";
import { liveNodes, rewrite, toFixedPoint } from "./passes/rewrite.js";
import { simplify } from "./passes/simplify.js";
import { specialize, type Mode } from "./passes/specialize.js";
import { planBuffers, planMemory, type MemoryPlan, type Plan } from "./plan.js";

export interface PassOptions {
  /** Run `verify` after every stage (tests and `--verify` turn this on). */
  verify?: boolean;
}

export interface CompiledGraphs {
  /** Forward (train mode) + backward; outputs predict, loss, grad:<param>, state:<name>. */
  graph: Graph;
  /** Evaluation mode, no backward; outputs predict and loss. The same object as `graph` when nothing depends on the mode. */
  evalGraph: Graph;
  /** Evaluation mode, differentiated with respect to the input; outputs predict and input_grad (see inputGradientGraph). */
  explainGraph: Graph;
  plan: MemoryPlan;
}

/** The input of the input-gradient graph that selects the output to explain; a space keeps it apart from every .net name. */
export const OUTPUT_SEED = "output seed";

/** Stages 1–7 for a trainer whose buffers hold up to `maxBatch` rows. */
export function compileGraphs(model: ModelIR, maxBatch: number, options: PassOptions = {}): CompiledGraphs {
  const graph = trainingGraph(model, options);
  // Without dropout or batchnorm both modes compute the same thing: one graph serves both.
  const evalGraph = isModeDependent(model) ? evaluationGraph(model, options) : graph;
  const explainGraph = inputGradientGraph(model, options);
  return { graph, evalGraph, explainGraph, plan: planMemory(graph, evalGraph, model, maxBatch, explainGraph) };
}

/** The standalone predictor's graph and plan: the evaluation path with `predict` as its only output. */
export function predictorGraph(evalGraph: Graph, maxBatch: number): { graph: Graph; plan: Plan } {
  const outputs = new Map([["predict", evalGraph.outputs.get("predict")!]]);
  const live = liveNodes({ ...evalGraph, outputs });
  const graph: Graph = { nodes: evalGraph.nodes.filter((n) => live.has(n.id)), outputs, labels: evalGraph.labels };
  return { graph, plan: planBuffers(graph, maxBatch) };
}

export function trainingGraph(model: ModelIR, options: PassOptions = {}): Graph {
  const check = checker(options);
  const forward = specialized(model, "train", check);
  // 4. Differentiate. Rebuilding into a fresh builder lets backward nodes hash-cons against
  //    forward ones (sigmoid(z) in the bce gradient *is* the forward p).
  const b = new Builder();
  const mapped = rebuildInto(b, forward);
  const outputs = new Map<string, Node>();
  for (const [name, node] of forward.outputs) outputs.set(name, mapped.get(node.id)!);
  const byName = new Map<string, Node>();
  for (const n of b.nodes) if (n.op === "param") byName.set(n.attrs.name, n);
  const trainable = trainableParams(model);
  const params = trainable.map((p) => byName.get(p.name) ?? b.param(p.name, p.shape));
  const grads = gradients(b, outputs.get("loss")!, params);
  trainable.forEach((p, i) => outputs.set(`grad:${p.name}`, grads.get(params[i]!)!));
  return simplified(check(b.graph(outputs), "autodiff"), check);
}

/**
 * Saliency: evaluation mode, plus the gradient of Σ (predict ⊙ seed) with respect to the input,
 * where the seed (input OUTPUT_SEED, shaped like predict) selects one output per row. Rows are
 * independent in evaluation mode, so row r of `input_grad` is ∂(seed_r · predict_r)/∂x_r.
 */
export function inputGradientGraph(model: ModelIR, options: PassOptions = {}): Graph {
  const check = checker(options);
  const forward = specialized(model, "eval", check);
  const b = new Builder();
  const mapped = rebuildInto(b, forward);
  const predict = mapped.get(forward.outputs.get("predict")!.id)!;
  const x = b.nodes.find((n) => n.op === "input" && n.attrs.name === model.input.name) ?? b.input(model.input.name, ["B", model.input.width]);
  const seed = b.input(OUTPUT_SEED, predict.shape);
  const selected = b.sum(b.mul(predict, seed), predict.shape.map((_, i) => i), false);
  const grad = gradients(b, selected, [x]).get(x)!;
  const outputs = new Map([["predict", predict], ["input_grad", b.name(grad, `d_${model.input.name}`)]]);
  return simplified(check(b.graph(outputs), "autodiff"), check);
}

/**
 * True when one row's prediction depends on the other rows of the batch: some value on the way
 * to `predict` reduces over the batch axis (`mean(h)` of a batched h). Then inputGradients'
 * row r also carries r's effect through the other rows, and per-row saliency needs n = 1.
 */
export function couplesRows(explainGraph: Graph): boolean {
  const live = liveNodes({ ...explainGraph, outputs: new Map([["predict", explainGraph.outputs.get("predict")!]]) });
  return explainGraph.nodes.some((n) => live.has(n.id) && !isBatched(n.shape) && n.inputs.some((i) => isBatched(i.shape)));
}

/** The evaluation graph (predict and loss): no backward pass. */
export function evaluationGraph(model: ModelIR, options: PassOptions = {}): Graph {
  const check = checker(options);
  return simplified(specialized(model, "eval", check), check);
}

/** True when training and evaluation compute different things (dropout, batchnorm). */
export function isModeDependent(model: ModelIR): boolean {
  return model.forward.nodes.some((n) => n.op === "dropout" || n.op === "batchnorm");
}

type Check = (g: Graph, stage: string) => Graph;

/** Stages 1 to 3. */
function specialized(model: ModelIR, mode: Mode, check: Check): Graph {
  const fused = check(rewrite(check(model.forward, "lower"), fuseLosses), "fuse losses");
  return check(nameValues(check(specialize(fused, mode), `specialize(${mode})`)), "name values");
}

/** Stage 5: folding and identities expose more of each other, so run to a fixed point. */
function simplified(g: Graph, check: Check): Graph {
  return toFixedPoint(g, (x) => check(rewrite(x, simplify), "simplify"));
}

function checker(options: PassOptions): Check {
  return (g, stage) => {
    if (options.verify) verify(g, stage, { modal: stage === "lower" || stage === "fuse losses" });
    return g;
  };
}

function rebuildInto(b: Builder, graph: Graph): Map<number, Node> {
  const mapped = new Map<number, Node>();
  for (const node of graph.nodes) {
    b.origin = { span: node.span, site: node.site, grad: false };
    const next = b.copy(node, node.inputs.map((i) => mapped.get(i.id)!));
    const label = graph.labels.get(node.id);
    if (label) b.name(next, label);
    mapped.set(node.id, next);
  }
  b.origin = undefined;
  return mapped;
}
