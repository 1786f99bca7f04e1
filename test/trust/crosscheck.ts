// The machinery of the cross-check against another autodiff (crosscheck.test.ts and
// crosscheck.long.test.ts): the same initial weights loaded into tfjs (cpu backend,
// float32), the loss and every parameter gradient computed by tf.variableGrads, then 50
// optimizer steps on the same batches in both. Two independent tfjs references:
//   - hand-written tfjs models (the examples; generated networks from their structure), which
//     catch lowering mistakes;
//   - a tfjs interpreter of netc's forward IR (tf-ir.ts), which checks everything after
//     lowering — derivative rules, simplification, fusion, planning and emission — on any model.
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { compileToGraph } from "../../compiler/index.js";
import type { ModelIR } from "../../compiler/model.js";
import type { Model } from "../../cli/generated-types.js";
import { compileExample, exampleSource, makeRng } from "../support/helpers.js";
import { loadUnformatted } from "./support.js";
import { evalGraph, unsupportedOps } from "./tf-ir.js";
import { EXAMPLE_MODELS, makeOptimizer, unsupportedTraining, type TfLoss } from "./tf-models.js";

/** Gradients: max |netc − tfjs| over a tensor, relative to the tensor's largest tfjs entry. */
const GRAD_TOL = 1e-4;
/** Loss curves: |netc − tfjs| / |tfjs| at every one of STEPS steps. */
const CURVE_TOL = 1e-3;
export const STEPS = 50;
const FORCED_UPDATE_STEPS = 10;
const BATCHES = 4;
export const GENERATED = 10;

interface Batch {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

/** Float32-representable data, so both sides see exactly the same numbers. */
function makeBatches(model: Model, seed: number): Batch[] {
  const rng = makeRng(seed);
  const { input, target, maxBatch } = model.info;
  const n = Math.min(maxBatch, 8);
  // An index input takes ids; a class target one class per row (or per position).
  const cell = input.index ? () => Math.floor(rng() * input.index!) : () => Math.fround(2 * rng() - 1);
  return Array.from({ length: BATCHES }, () => {
    const x = Float64Array.from({ length: n * input.width }, cell);
    const y = new Float64Array(n * target.width);
    for (let i = 0; i < n * target.width; i++) y[i] = target.classes !== null ? Math.floor(rng() * target.classes) : rng() < 0.5 ? 0 : 1;
    return { x, y, n };
  });
}

/** Rounds netc's initial weights to float32 and loads the same values into both. */
function sharedWeights(model: Model): Record<string, tf.Variable> {
  const vars: Record<string, tf.Variable> = {};
  const rounded: Record<string, { data: Float64Array }> = {};
  for (const [name, w] of Object.entries(model.getWeights())) {
    rounded[name] = { data: w.data.map(Math.fround) };
    vars[name] = tf.variable(tf.tensor(Float32Array.from(rounded[name].data), w.shape));
  }
  model.setWeights(rounded);
  return vars;
}

function tensors(model: Model, b: Batch): { x: tf.Tensor; y: tf.Tensor } {
  const { input, target } = model.info;
  const f32 = (a: Float64Array) => Float32Array.from(a);
  const perPosition = target.positions !== undefined;
  const y = target.classes !== null && !perPosition ? tf.tensor1d(f32(b.y.subarray(0, b.n))) : tf.tensor2d(f32(b.y), [b.n, target.width]);
  return { x: tf.tensor(f32(b.x), [b.n, ...input.shape]), y };
}

/**
 * Worst over tensors of max |netc − tfjs| / scale, where scale is the tensor's largest tfjs entry
 * but at least 1% of the model's largest gradient entry, so a tensor whose exact gradient is
 * zero (a bias feeding batchnorm) compares float noise in absolute terms.
 */
function worstGradError(netc: Record<string, { data: Float64Array }>, ref: Record<string, tf.Tensor>): { name: string; err: number } {
  const want = Object.fromEntries(Object.entries(ref).map(([name, t]) => [name, t.dataSync()]));
  const largest = (a: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
    return m;
  };
  const floor = 0.01 * Math.max(...Object.values(want).map(largest));
  let worst = { name: "", err: 0 };
  for (const [name, w] of Object.entries(want)) {
    const got = netc[name]!.data;
    expect(got.length, name).toBe(w.length);
    const diff = largest(w.map((v, i) => got[i]! - v));
    const err = diff / Math.max(largest(w), floor, 1e-30);
    if (err > worst.err || !worst.name) worst = { name, err };
  }
  return worst;
}

type Training = "none" | "free" | "forced";

/**
 * Gradients on the first batch, then STEPS optimizer steps on both sides.
 *   free:   each side follows its own weights; the loss curves must agree.
 *   forced: before every step netc is given tfjs's current weights, so each step's loss and
 *           update are compared from the same point. For networks whose float64 path is itself
 *           chaotic at float32 noise levels: nudging every weight of examples/deep.net (20
 *           layers, batchnorm over 8 rows) by one float32 ulp changes netc's own loss by 1e-4
 *           within 3 steps, so free-running curves measure precision, not correctness.
 *           Losses are compared at every step, updates over the first FORCED_UPDATE_STEPS: as
 *           deep.net trains, float32 loses digits in batchnorm's backward pass (the update error
 *           grows smoothly from 4e-5 at step 1 to 2e-3 at step 50, on the γ of late layers).
 */
export function compare(create: () => Model, ir: ModelIR, loss: TfLoss, seed: number, training: Training, steps = STEPS) {
  const model = create();
  const vars = sharedWeights(model);
  const batches = makeBatches(model, seed);
  const lossOf = (b: Batch) => () => {
    const { x, y } = tensors(model, b);
    return loss(vars, x, y);
  };
  const first = model.gradients(batches[0]!.x, batches[0]!.y, batches[0]!.n);
  // Only trainable weights have gradients; the rest (batchnorm's running statistics) are state.
  const trainable = Object.fromEntries(Object.entries(vars).filter(([name]) => name in first.grads));
  const varList = Object.values(trainable);
  const { value, grads } = tf.variableGrads(lossOf(batches[0]!), varList);
  const refLoss = value.dataSync()[0]!;
  const byName = Object.fromEntries(Object.entries(trainable).map(([name, v]) => [name, grads[v.name]!]));
  const grad = worstGradError(first.grads, byName);
  tf.dispose([value, ...Object.values(grads)]);
  const curves = { netc: [] as number[], tfjs: [] as number[] };
  let update = { name: "", err: 0 };
  const step = makeOptimizer(ir.train.optimizer, trainable);
  const current = () => Object.fromEntries(Object.entries(trainable).map(([name, v]) => [name, { data: Float64Array.from(v.dataSync()) }]));
  for (let s = 0; training !== "none" && s < steps; s++) {
    const b = batches[s % BATCHES]!;
    const before = current();
    if (training === "forced") model.setWeights(before);
    curves.netc.push(model.trainStep(b.x, b.y, b.n));
    const { value: v, grads: g } = tf.variableGrads(lossOf(b), varList);
    curves.tfjs.push(v.dataSync()[0]!);
    step(Object.fromEntries(Object.entries(trainable).map(([name, w]) => [name, g[w.name]!])));
    tf.dispose([v, ...Object.values(g)]);
    if (training === "forced") {
      // The step each side took from the same weights, compared like gradients.
      const after = model.getWeights();
      const delta = (w: Record<string, { data: Float64Array }>) => (name: string) => w[name]!.data.map((x, i) => x - before[name]!.data[i]!);
      const tfAfter = current();
      const netcDelta = Object.fromEntries(Object.keys(trainable).map((name) => [name, { data: delta(after)(name) }]));
      const tfDelta = Object.fromEntries(Object.keys(trainable).map((name) => [name, tf.tensor(Array.from(delta(tfAfter)(name)))]));
      const e = worstGradError(netcDelta, tfDelta);
      tf.dispose(Object.values(tfDelta));
      if (s < FORCED_UPDATE_STEPS && e.err > update.err) update = { name: `${e.name} at step ${s + 1}`, err: e.err };
    }
  }
  Object.values(vars).forEach((v) => v.dispose());
  return { loss: { netc: first.loss, tfjs: refLoss }, grad, curves, update, training };
}

export function expectAgreement(label: string, r: ReturnType<typeof compare>): void {
  expect(Math.abs(r.loss.netc - r.loss.tfjs) / Math.abs(r.loss.tfjs), `${label}: loss ${r.loss.netc} vs tfjs ${r.loss.tfjs}`).toBeLessThanOrEqual(GRAD_TOL);
  expect(r.grad.err, `${label}: gradient of ${r.grad.name}`).toBeLessThanOrEqual(GRAD_TOL);
  const tol = r.training === "forced" ? GRAD_TOL : CURVE_TOL;
  r.curves.netc.forEach((l, s) => {
    const t = r.curves.tfjs[s]!;
    expect(Math.abs(l - t) / Math.abs(t), `${label}: loss at step ${s + 1}: netc ${l}, tfjs ${t}`).toBeLessThanOrEqual(tol);
  });
  expect(r.update.err, `${label}: update of ${r.update.name}`).toBeLessThanOrEqual(GRAD_TOL);
}

/** The IR interpreter as a TfLoss for one model. */
export function irModel(ir: ModelIR, rows: (x: tf.Tensor) => number): TfLoss {
  return (w, x, y) => evalGraph(ir.forward, { inputs: { [ir.input.name]: x, [ir.target.name]: y }, params: w, rows: rows(x) }).loss as tf.Scalar;
}
export const rowsOf = (x: tf.Tensor) => x.shape[0]!;

/** The same program trained by plain SGD at its own learning rate. */
export function withSgd(source: string, lr: number): string {
  return source.replace(/optimizer\s+\w+(\s*\([^)]*\))?/, `optimizer sgd(lr: ${lr})`);
}

/**
 * One example against tfjs: loss and gradients against the IR interpreter (and a hand-written
 * tfjs model where there is one), then `steps` steps of SGD on both sides.
 */
export async function checkExampleAgainstTfjs(name: string, steps = STEPS): Promise<void> {
  const hand = name in EXAMPLE_MODELS ? EXAMPLE_MODELS[name] : undefined;
  const { result, module } = await compileExample(name);
  const ir = result.model;
  expect(unsupportedOps(ir.forward), `ops the tfjs interpreter lacks in ${name}`).toEqual([]);
  expectAgreement(`${name} (IR interpreter)`, compare(() => module.createModel(), ir, irModel(ir, rowsOf), 11, "none"));
  if (hand) expectAgreement(`${name} (hand-written)`, compare(() => module.createModel(), ir, hand, 11, "none"));
  // Curves under SGD: Adam turns float32 noise in near-zero gradients into full-size steps,
  // so a deep Adam curve drifts from float64 for reasons of precision, not correctness.
  // Every optimizer is compared on a small network below.
  // A tuned example's train block names its hyperparameters: the SGD rewrite would leave them unused.
  if (ir.tune) return;
  const source = withSgd(exampleSource(name), ir.train.optimizer.lr);
  const train = compileToGraph(source).model;
  if (unsupportedTraining(train.train) || train.forward.nodes.some((n) => n.op === "dropout")) return;
  expect(train.train.optimizer.kind).toBe("sgd");
  const training = train.forward.nodes.some((n) => n.op === "batchnorm") ? "forced" : "free";
  const { create } = await loadUnformatted(source);
  expectAgreement(`${name} (sgd, ${training})`, compare(create, train, hand ?? irModel(train, rowsOf), 12, training, steps));
}

