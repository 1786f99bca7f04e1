// Every op's derivative, checked against central finite differences through the emitted code:
// each case is a tiny model whose loss depends on the op; `gradients` (the generated backward
// pass) must agree with differences of `loss` (the generated forward pass) for every weight.
import { describe, expect, it, vi } from "vitest";
import type { Model } from "../cli/generated-types.js";
import { ALL_OPS, BACKENDS, compileExample, compileSource, EXAMPLES, exampleSource, finiteDiffCheck, HOSTILE_NAMES, makeRng, randomArray, randomizeWeights } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

type Target = "real" | "prob" | "onehot" | "dist" | "class";

interface GradCase {
  name: string;
  /** Parameters the body uses, from PARAM_SHAPES. */
  params: string;
  body: string;
  /** Defaults to `sum(p * y)`, which gives every output element its own random cotangent. */
  loss?: string;
  target?: Target;
  blocks?: string;
  /** [input width, output width] pairs; defaults to SHAPES. */
  shapes?: [number, number][];
}

const SHAPES: [number, number][] = [[1, 1], [2, 4], [4, 2]];
const WIDE: [number, number][] = [[1, 2], [2, 4], [4, 3]]; // softmax needs two or more classes
const THREE: [number, number][] = [[1, 3], [2, 3], [4, 3]];
const BATCHES = [1, 3, 5];

const PARAM_SHAPES: Record<string, (i: number, o: number) => number[]> = {
  W: (i, o) => [i, o],
  V: (i, o) => [i, o],
  M: (i) => [i, i],
  U: (_, o) => [o, o],
  b: (_, o) => [o],
  c: () => [1],
};

const RESIDUAL = "block residual(x, n) {\n  return x + relu(dense(x, n))\n}";
const MLP = "block mlp(x, n) {\n  h = tanh(dense(x, n))\n  return dense(h, n) * sigmoid(h)\n}";

const CASES: GradCase[] = [
  // @
  { name: "x @ W", params: "W", body: "p = x @ W" },
  { name: "(x @ M) @ W", params: "M W", body: "p = (x @ M) @ W" },
  { name: "x @ (M @ W): param @ param", params: "M W", body: "p = x @ (M @ W)" },
  { name: "tanh(x @ W) @ U: gradient into a hidden layer", params: "W U", body: "h = tanh(x @ W)\n  p = h @ U" },
  // + with broadcasting
  { name: "x @ W + b: bias [n] over [B,n]", params: "W b", body: "p = x @ W + b" },
  { name: "b + x @ W: bias on the left", params: "W b", body: "p = b + x @ W" },
  { name: "x @ W + c: [1] over [B,n]", params: "W c", body: "p = x @ W + c" },
  { name: "x @ W + x @ V: same shapes", params: "W V", body: "p = x @ W + x @ V" },
  { name: "1.5 + x @ W + 2.5: numbers", params: "W", body: "p = 1.5 + x @ W + 2.5" },
  // -
  { name: "x @ W - b", params: "W b", body: "p = x @ W - b" },
  { name: "b - x @ W", params: "W b", body: "p = b - x @ W" },
  { name: "x @ W - x @ V", params: "W V", body: "p = x @ W - x @ V" },
  { name: "1 - x @ W - 0.5: numbers", params: "W", body: "p = 1 - x @ W - 0.5" },
  { name: "c - x @ W", params: "W c", body: "p = c - x @ W" },
  // *
  { name: "(x @ W) * b", params: "W b", body: "p = (x @ W) * b" },
  { name: "b * (x @ W)", params: "W b", body: "p = b * (x @ W)" },
  { name: "(x @ W) * (x @ V)", params: "W V", body: "p = (x @ W) * (x @ V)" },
  { name: "(x @ W) * (x @ W): one operand twice", params: "W", body: "p = (x @ W) * (x @ W)" },
  { name: "3 * (x @ W) * 0.5: numbers", params: "W", body: "p = 3 * (x @ W) * 0.5" },
  { name: "(x @ W) * c", params: "W c", body: "p = (x @ W) * c" },
  // /
  { name: "(x @ W) / (2 + tanh(x @ V))", params: "W V", body: "p = (x @ W) / (2 + tanh(x @ V))" },
  { name: "(x @ W) / (1.5 + b * b): divisor [n]", params: "W b", body: "p = (x @ W) / (1.5 + b * b)" },
  { name: "b / (2 + tanh(x @ W)): dividend [n]", params: "W b", body: "p = b / (2 + tanh(x @ W))" },
  { name: "1 / (2 + sigmoid(x @ W + b))", params: "W b", body: "p = 1 / (2 + sigmoid(x @ W + b))" },
  { name: "(x @ W) / 4", params: "W", body: "p = (x @ W) / 4" },
  // unary -
  { name: "-(x @ W)", params: "W", body: "p = -(x @ W)" },
  { name: "-b + x @ W", params: "W b", body: "p = -b + x @ W" },
  { name: "-(-(x @ W + b))", params: "W b", body: "p = -(-(x @ W + b))" },
  // dense
  { name: "dense(x, n)", params: "", body: "p = dense(x, OUT)" },
  { name: "dense(dense(x, 3), n)", params: "", body: "h = dense(x, 3)\n  p = dense(h, OUT)" },
  { name: "dense(tanh(dense(x, 3)), n)", params: "", body: "p = dense(tanh(dense(x, 3)), OUT)" },
  // activations
  { name: "sigmoid", params: "W b", body: "p = sigmoid(x @ W + b)" },
  { name: "tanh", params: "W b", body: "p = tanh(x @ W + b)" },
  { name: "relu: both sides of the kink", params: "W b", body: "z = x @ W + b\n  p = relu(z) - 0.5 * relu(-z)" },
  { name: "exp", params: "W b", body: "p = exp(x @ W + b)" },
  { name: "log(sigmoid(...))", params: "W b", body: "p = log(sigmoid(x @ W + b))" },
  { name: "log(1 + exp(...))", params: "W", body: "p = log(1 + exp(x @ W))" },
  { name: "softmax", params: "W b", body: "p = softmax(x @ W + b)", shapes: WIDE },
  { name: "fan-out: sigmoid(z) * tanh(z) + z", params: "W b", body: "z = x @ W + b\n  p = sigmoid(z) * tanh(z) + z" },
  // reductions
  { name: "sum inside the graph", params: "W V", body: "p = (x @ W) * sum(tanh(x @ V))" },
  { name: "mean inside the graph", params: "W", body: "p = tanh(x @ W) - mean(x @ W)" },
  { name: "loss sum(...)", params: "W b", body: "p = tanh(x @ W + b)", loss: "sum(p * p * y)" },
  { name: "loss mean(...)", params: "W b", body: "p = tanh(x @ W + b)", loss: "mean(p * y)" },
  { name: "loss arithmetic on scalars", params: "W b", body: "p = x @ W + b", loss: "2 * mse(p, y) + mean(p * p) / 10 - 1" },
  // losses
  { name: "bce(sigmoid(...)): fused", params: "W b", body: "p = sigmoid(x @ W + b)", loss: "bce(p, y)", target: "prob" },
  { name: "bce(sigmoid(dense)): fused, shorthand", params: "", body: "p = sigmoid(dense(x, OUT))", loss: "bce", target: "prob" },
  { name: "bce on non-sigmoid probabilities", params: "W b", body: "p = 0.25 + 0.5 * sigmoid(x @ W + b)", loss: "bce(p, y)", target: "prob" },
  { name: "cross_entropy(softmax(...)), one-hot", params: "W b", body: "p = softmax(x @ W + b)", loss: "cross_entropy(p, y)", target: "onehot", shapes: WIDE },
  { name: "cross_entropy(softmax(...)), soft targets", params: "W b", body: "p = softmax(x @ W + b)", loss: "cross_entropy(p, y)", target: "dist", shapes: WIDE },
  { name: "cross_entropy(softmax(...)), class(3)", params: "W b", body: "p = softmax(x @ W + b)", loss: "cross_entropy(p, y)", target: "class", shapes: THREE },
  { name: "cross_entropy on sigmoid probabilities, one-hot", params: "W b", body: "p = sigmoid(x @ W + b)", loss: "cross_entropy(p, y)", target: "onehot", shapes: WIDE },
  { name: "cross_entropy on sigmoid probabilities, class(3)", params: "W b", body: "p = sigmoid(x @ W + b)", loss: "cross_entropy(p, y)", target: "class", shapes: THREE },
  { name: "mse", params: "W b", body: "p = x @ W + b", loss: "mse(p, y)" },
  { name: "mse shorthand after tanh", params: "W b", body: "p = tanh(x @ W + b)", loss: "mse" },
  // dead code: an unused parameter (declared first) and an unused binding with weights
  { name: "unused param and dead binding get zero gradients", params: "V W b", body: "dead = dense(x, 3)\n  p = tanh(x @ W + b)" },
  // blocks
  { name: "residual block", params: "", body: "h = tanh(dense(x, OUT))\n  p = residual(h, OUT)", blocks: RESIDUAL },
  { name: "user block called twice", params: "", body: "h1 = mlp(x, OUT)\n  p = mlp(h1, OUT)", blocks: MLP },
];

function source(c: GradCase, inW: number, outW: number): string {
  const target = c.target === "class" ? `y: class(${outW})` : `y[${outW}]`;
  const params = c.params.split(" ").filter(Boolean).map((p) => `  param ${p}[${PARAM_SHAPES[p]!(inW, outW).join(", ")}] = normal(0, 1)`);
  return [
    c.blocks ?? "",
    "model t {",
    `  input x[${inW}]`,
    `  target ${target}`,
    ...params,
    `  ${c.body.replaceAll("OUT", String(outW))}`,
    "  output p",
    `  loss ${c.loss ?? "sum(p * y)"}`,
    "  train { batch 5 }",
    "}",
  ].join("\n");
}

function targets(kind: Target, rng: () => number, n: number, width: number): Float64Array {
  if (kind === "real") return randomArray(rng, n * width);
  if (kind === "prob") return randomArray(rng, n * width, 0, 1);
  if (kind === "class") return Float64Array.from({ length: n }, () => Math.floor(rng() * width));
  const y = new Float64Array(n * width);
  for (let r = 0; r < n; r++) {
    if (kind === "onehot") y[r * width + Math.floor(rng() * width)] = 1;
    else {
      const row = randomArray(rng, width, 0.1, 1);
      const total = row.reduce((a, b) => a + b, 0);
      row.forEach((v, j) => (y[r * width + j] = v / total));
    }
  }
  return y;
}

function expectGradientsMatch(model: Model, x: Float64Array, y: Float64Array, n: number): void {
  const before = model.getWeights();
  const { loss } = model.gradients(x, y, n);
  expect(Number.isFinite(loss)).toBe(true);
  expect(Math.abs(loss - model.loss(x, y, n))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(loss)));
  for (const [name, w] of Object.entries(model.getWeights())) expect(w.data, `gradients() changed ${name}`).toEqual(before[name]!.data);
  const report = finiteDiffCheck(model, x, y, n);
  expect(report.failures, `n = ${n}`).toEqual([]);
  expect(report.checked).toBe(model.info.paramCount);
  expect(report.maxGrad, "every gradient is zero: the case tests nothing").toBeGreaterThan(1e-6);
}

describe.each(BACKENDS)("gradients match central finite differences through the emitted code (%s)", (backend) => {
  CASES.forEach((c, caseIndex) => {
    for (const [inW, outW] of c.shapes ?? SHAPES) {
      it(`${c.name} [in ${inW}, out ${outW}]`, async () => {
        const { module } = await compileSource(source(c, inW, outW), { maxBatch: 5, backend });
        const rng = makeRng(1000 * caseIndex + 10 * inW + outW);
        const model = module.createModel();
        randomizeWeights(model, rng);
        for (const n of BATCHES) {
          const x = randomArray(rng, n * inW);
          const y = targets(c.target ?? "real", rng, n, outW);
          expectGradientsMatch(model, x, y, n);
        }
      });
    }
  });
});

// Batch normalization and dropout make `loss` (evaluation mode) a different function from the
// training loss that `gradients` differentiates, so differences of `loss` cannot check them.
const SAME_IN_TRAIN_AND_EVAL = EXAMPLES.filter((name) => !/\b(batchnorm|dropout)\s*\(/.test(exampleSource(name)));

describe.each(BACKENDS)("gradients of the examples, with their own initialization (%s)", (backend) => {
  it("covers the examples without train/eval differences", () => {
    expect(SAME_IN_TRAIN_AND_EVAL).toEqual(expect.arrayContaining(["iris", "lecture", "logistic", "regression", "xor"]));
  });

  it.each(SAME_IN_TRAIN_AND_EVAL)("%s", async (name) => {
    const { module } = await compileExample(name, { maxBatch: 5, backend });
    const model = module.createModel();
    const { input, target } = model.info;
    const rng = makeRng(name.length * 7919);
    for (const n of BATCHES) {
      const x = randomArray(rng, n * input.width);
      const y = target.classes !== null ? targets("class", rng, n, target.classes) : targets("prob", rng, n, target.width);
      expectGradientsMatch(model, x, y, n);
    }
  });
});

describe.each(BACKENDS)("gradients of larger models (%s)", (backend) => {
  it.each([
    ["every op at once", ALL_OPS],
    ["names the emitter also uses", HOSTILE_NAMES],
  ])("%s", async (_, src) => {
    const { module } = await compileSource(src, { maxBatch: 5, backend });
    const model = module.createModel();
    const { input, target } = model.info;
    const rng = makeRng(src.length);
    for (const n of BATCHES) {
      expectGradientsMatch(model, randomArray(rng, n * input.width), targets("class", rng, n, target.classes!), n);
    }
  });
});
