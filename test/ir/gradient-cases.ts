// The gradient table: ops × shapes × batch sizes, each case a tiny model whose loss depends on
// the op. Run by gradients.test.ts through the emitted code; helpers shared with the long suite.
import { expect } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { checkGradients } from "../support/finite-differences.js";
import { randomArray } from "../support/helpers.js";

export type Target = "real" | "prob" | "onehot" | "dist" | "class";

export interface GradCase {
  name: string;
  /** Parameters the body uses, from PARAM_SHAPES. */
  params: string;
  /** Defines `p`; OUT and IN are replaced by the widths. */
  body: string;
  /** Width of `p` given [in, out]; defaults to out. */
  width?: (i: number, o: number) => number;
  /** Defaults to `sum(p * y)`, which gives every output element its own random cotangent. */
  loss?: string;
  target?: Target;
  blocks?: string;
  /** [input width, output width] pairs; defaults to [[1, 1], [2, 4], [4, 2]]. */
  shapes?: [number, number][];
  /** Rows per checked batch; defaults to 1, 3 and 5. */
  batches?: number[];
}

export const DEFAULT_SHAPES: [number, number][] = [[1, 1], [2, 4], [4, 2]];
export const DEFAULT_BATCHES = [1, 3, 5];
const WIDE: [number, number][] = [[1, 2], [2, 4], [4, 3]]; // softmax-like ops need two or more outputs
const THREE: [number, number][] = [[1, 3], [2, 3], [4, 3]];

const PARAM_SHAPES: Record<string, (i: number, o: number) => number[]> = {
  W: (i, o) => [i, o],
  V: (i, o) => [i, o],
  M: (i) => [i, i],
  U: (_, o) => [o, o],
  b: (_, o) => [o],
  c: () => [1],
};

const Z = "z = x @ W + b\n  ";
const RESIDUAL = "block residual(x, n) {\n  return x + relu(dense(x, n))\n}";
const MLP = "block mlp(x, n) {\n  h = tanh(dense(x, n))\n  return dense(h, n) * sigmoid(h)\n}";
const PAIR = "block pair(x, n) {\n  a = tanh(dense(x, n))\n  return a, sigmoid(dense(x, n)) * a\n}";
const NESTED = `${PAIR}
block outer(x, n) {
  u, v = pair(x, n)
  s, t = pair(u, n)
  return s + v, t * u
}`;

export const GRADIENT_CASES: GradCase[] = [
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
  // activations
  { name: "leaky_relu, default alpha", params: "W b", body: `${Z}p = leaky_relu(z)` },
  { name: "leaky_relu(z, 0.2)", params: "W b", body: `${Z}p = leaky_relu(z, 0.2)` },
  { name: "leaky_relu, negative alpha", params: "W b", body: `${Z}p = leaky_relu(z, alpha: -0.3)` },
  { name: "elu, default alpha", params: "W b", body: `${Z}p = elu(z)` },
  { name: "elu(z, 0.5)", params: "W b", body: `${Z}p = elu(z, 0.5)` },
  { name: "elu, negative alpha", params: "W b", body: `${Z}p = elu(z, alpha: -0.5)` },
  { name: "gelu", params: "W b", body: `${Z}p = gelu(3 * z)` },
  { name: "mish", params: "W b", body: `${Z}p = mish(3 * z)` },
  { name: "softplus", params: "W b", body: `${Z}p = softplus(3 * z)` },
  { name: "swish", params: "W b", body: `${Z}p = swish(2 * z)` },
  { name: "silu", params: "W b", body: `${Z}p = silu(2 * z)` },
  { name: "identity", params: "W V b", body: `p = identity(x @ W + b) * tanh(x @ V)` },
  { name: "log_softmax", params: "W b", body: `${Z}p = log_softmax(z)`, shapes: WIDE },
  // elementwise
  { name: "sqrt", params: "W b", body: `${Z}p = sqrt(1.5 + tanh(z))` },
  { name: "abs", params: "W b", body: `${Z}p = abs(z)` },
  { name: "square", params: "W b", body: `${Z}p = square(z)` },
  { name: "pow(_, 2)", params: "W b", body: `${Z}p = pow(z, 2)` },
  { name: "pow(_, 3)", params: "W b", body: `${Z}p = pow(z, 3)` },
  { name: "pow(_, 0.5)", params: "W b", body: `${Z}p = pow(1.5 + tanh(z), 0.5)` },
  { name: "pow(_, -1)", params: "W b", body: `${Z}p = pow(1.5 + tanh(z), -1)` },
  { name: "pow(_, 1.5)", params: "W b", body: `${Z}p = pow(1.5 + tanh(z), 1.5)` },
  { name: "pow(_, -2.5)", params: "W b", body: `${Z}p = pow(1.5 + tanh(z), -2.5)` },
  { name: "pow(_, 1)", params: "W b", body: `${Z}p = pow(z, 1)` },
  { name: "max of two tensors", params: "W V b", body: `p = max(x @ W + b, tanh(x @ V))` },
  { name: "max with a number", params: "W b", body: `${Z}p = max(0.1, z)` },
  { name: "max broadcasting [out] over [B,out]", params: "W V b", body: `p = max(b, x @ W) + min(x @ V, b)` },
  { name: "min of two tensors", params: "W V b", body: `p = min(x @ W + b, tanh(x @ V))` },
  { name: "min with a number", params: "W b", body: `${Z}p = min(z, -0.1)` },
  { name: "clip", params: "W b", body: `${Z}p = clip(2 * z, -0.5, 0.7)` },
  // structure
  { name: "concat of two tensors", params: "W V b", body: `p = concat(x @ W + b, tanh(x @ V))`, width: (_, o) => 2 * o },
  { name: "concat with the input", params: "W b", body: `p = concat(x, tanh(x @ W + b))`, width: (i, o) => i + o },
  { name: "concat of two parameters", params: "W V", body: `p = tanh(x @ concat(W, V))`, width: (_, o) => 2 * o },
  { name: "dense after concat: the slice feeds a matmul", params: "W V", body: `h = concat(tanh(x @ W), x @ V)\n  p = dense(h, OUT)` },
  { name: "two-value block", params: "", body: `h, c = pair(x, OUT)\n  p = h * c + h`, blocks: PAIR },
  { name: "nested two-value blocks", params: "", body: `h, c = outer(x, OUT)\n  p = concat(h, c)`, width: (_, o) => 2 * o, blocks: NESTED },
  // losses
  { name: "mse, reduce sum", params: "W b", body: `p = x @ W + b`, loss: "mse(p, y, reduce: sum)" },
  { name: "mae", params: "W b", body: `p = x @ W + b`, loss: "mae(p, y)" },
  { name: "mae, reduce sum, shorthand", params: "W b", body: `p = x @ W + b`, loss: "mae(p, y, reduce: sum)" },
  { name: "huber, default delta", params: "W b", body: `p = 2 * (x @ W + b)`, loss: "huber(p, y)" },
  { name: "huber(p, y, 0.3)", params: "W b", body: `p = 2 * (x @ W + b)`, loss: "huber(p, y, 0.3)" },
  { name: "huber, reduce sum", params: "W b", body: `p = 2 * (x @ W + b)`, loss: "huber(p, y, delta: 0.5, reduce: sum)" },
  { name: "bce, reduce sum (fused with sigmoid)", params: "W b", body: `p = sigmoid(x @ W + b)`, loss: "bce(p, y, reduce: sum)", target: "prob" },
  { name: "bce_logits", params: "W b", body: `p = 3 * (x @ W + b)`, loss: "bce_logits(p, y)", target: "prob" },
  { name: "bce_logits, reduce sum", params: "W b", body: `p = 3 * (x @ W + b)`, loss: "bce_logits(p, y, reduce: sum)", target: "prob" },
  { name: "cross_entropy_logits, one-hot", params: "W b", body: `p = 3 * (x @ W + b)`, loss: "cross_entropy_logits(p, y)", target: "onehot", shapes: WIDE },
  { name: "cross_entropy_logits, class(K)", params: "W b", body: `p = 3 * (x @ W + b)`, loss: "cross_entropy_logits(p, y)", target: "class", shapes: WIDE },
  { name: "cross_entropy_logits, reduce sum", params: "W b", body: `p = 3 * (x @ W + b)`, loss: "cross_entropy_logits(p, y, reduce: sum)", target: "class", shapes: WIDE },
  { name: "cross_entropy, reduce sum", params: "W b", body: `p = softmax(x @ W + b)`, loss: "cross_entropy(p, y, reduce: sum)", target: "onehot", shapes: WIDE },
  { name: "l1 and l2 of parameters", params: "W V b", body: `p = x @ W + b`, loss: "mse(p, y) + 0.1 * l1(V) + 0.5 * l2(b) + l1(W)" },
  { name: "dotted parameter names in the loss", params: "W", body: `h1 = tanh(dense(x, OUT))\n  p = h1 * (x @ W)`, loss: "0.5 * mse(p, y) + 0.01 * l2(h1.W) + 0.1 * l1(h1.b)" },
  { name: "dotted parameter names in the body", params: "", body: `h1 = tanh(dense(x, OUT))\n  p = h1 * (x @ h1.W) + h1.b` },
  // layers with a training mode, checked in training mode (dropout's mask held fixed)
  { name: "batchnorm, 1 feature", params: "", body: "h = batchnorm(dense(x, 1))\n  p = dense(tanh(h), OUT)", loss: "mse(p, y)", shapes: [[3, 2]], batches: [2] },
  { name: "batchnorm, 4 features", params: "", body: "h = batchnorm(dense(x, 4), momentum: 0.2)\n  p = dense(tanh(h), OUT)", loss: "mse(p, y)", shapes: [[2, 3]], batches: [5] },
  { name: "batchnorm, 3 features, 16 rows", params: "", body: "h = batchnorm(dense(x, 3), eps: 0.001)\n  p = dense(tanh(h), OUT)", loss: "mse(p, y)", shapes: [[4, 2]], batches: [16] },
  { name: "batchnorm straight on the output", params: "", body: "p = batchnorm(dense(x, OUT))", loss: "mse(p, y)", shapes: [[3, 3]], batches: [6] },
  { name: "layernorm, 2 features", params: "", body: "h = layernorm(dense(x, 2))\n  p = dense(tanh(h), OUT)", loss: "mse(p, y)", shapes: [[3, 2]], batches: [1] },
  { name: "layernorm, 3 features", params: "", body: "h = layernorm(dense(x, 3), eps: 0.01)\n  p = dense(tanh(h), OUT)", loss: "mse(p, y)", shapes: [[2, 2]], batches: [4] },
  { name: "layernorm, 6 features", params: "", body: "h = layernorm(tanh(dense(x, 6)))\n  p = dense(h, OUT)", loss: "mse(p, y)", shapes: [[4, 3]], batches: [3] },
  { name: "dropout 0.2", params: "", body: "h = dropout(tanh(dense(x, 3)), 0.2)\n  p = dense(h, OUT)", loss: "mse(p, y)", shapes: [[2, 2]], batches: [2] },
  { name: "dropout 0.5", params: "", body: "h = dropout(dense(x, 5), p: 0.5)\n  p = dense(tanh(h), OUT)", loss: "mse(p, y)", shapes: [[3, 2]], batches: [6] },
  { name: "dropout 0.75 on the input", params: "", body: "p = dense(tanh(dropout(x, 0.75)), OUT)", loss: "mse(p, y)", shapes: [[4, 1]], batches: [5] },
  { name: "two dropouts of different rates side by side", params: "", body: "a = dropout(tanh(dense(x, 3)), 0.3)\n  b = dropout(tanh(dense(x, 3)), 0.6)\n  p = dense(a * b + b, OUT)", loss: "mse(p, y)", shapes: [[2, 2]], batches: [4] },
  { name: "dense → batchnorm → dropout → layernorm → softmax with cross_entropy", params: "", body: "h1 = dropout(tanh(batchnorm(dense(x, 4))), 0.3)\n  h2 = layernorm(dense(h1, 4)) + h1\n  p = softmax(dense(h2, OUT))", loss: "cross_entropy(p, y)", target: "class", shapes: [[3, 3]], batches: [7] },
  { name: "two batchnorms and a layernorm in one binding", params: "", body: "p = dense(tanh(layernorm(batchnorm(batchnorm(dense(x, 3), momentum: 0.5)))), OUT)", loss: "mse(p, y)", shapes: [[2, 2]], batches: [4] },
];

export function gradientSource(c: GradCase, inW: number, outW: number): string {
  const width = c.width ? c.width(inW, outW) : outW;
  const target = c.target === "class" ? `y: class(${width})` : `y[${width}]`;
  const params = c.params.split(" ").filter(Boolean).map((p) => `  param ${p}[${PARAM_SHAPES[p]!(inW, outW).join(", ")}] = normal(0, 1)`);
  return [
    c.blocks ?? "",
    "model t {",
    `  input x[${inW}]`,
    `  target ${target}`,
    ...params,
    `  ${c.body.replaceAll("OUT", String(outW)).replaceAll("IN", String(inW))}`,
    "  output p",
    `  loss ${c.loss ?? "sum(p * y)"}`,
    "  train { batch 5 }",
    "}",
  ].join("\n");
}

export function targets(kind: Target, rng: () => number, n: number, width: number): Float64Array {
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

/**
 * Random rows for a compiled model: ids for an index input, classes for a class(K) target (one
 * per position of a per-position target), values in [0, 1) otherwise.
 */
export function modelData(model: Model, rng: () => number, n: number): { x: Float64Array; y: Float64Array } {
  const { input, target } = model.info;
  const ids = (count: number, length: number) => Float64Array.from({ length }, () => Math.floor(rng() * count));
  const x = input.index ? ids(input.index, n * input.width) : randomArray(rng, n * input.width);
  const y = target.classes !== null ? ids(target.classes, n * target.width) : targets("prob", rng, n, target.width);
  return { x, y };
}

/** Whether the source has layers that compute something else in training (then `loss` differs). */
export const usesModes = (source: string) => /\b(batchnorm|dropout)\s*\(/.test(source);

/** Checks one batch; returns the largest gradient seen. */
function expectGradientsMatch(model: Model, x: Float64Array, y: Float64Array, n: number, modeDependent: boolean): number {
  const before = model.getWeights();
  const report = checkGradients(model, x, y, n);
  expect(Number.isFinite(report.loss)).toBe(true);
  expect(report.trainLoss, 'gradients() and loss(…, "train") see the same masks and statistics').toBe(report.loss);
  if (!modeDependent) expect(Math.abs(report.loss - model.loss(x, y, n))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(report.loss)));
  for (const [name, w] of Object.entries(model.getWeights())) expect(w.data, `gradients() changed ${name}`).toEqual(before[name]!.data);
  expect(report.failures, `n = ${n}`).toEqual([]);
  expect(report.checked).toBe(model.info.paramCount);
  return report.maxGrad;
}

/** Checks every batch size, and refuses a case whose gradients are all zero (it would test nothing). */
export function expectGradientsMatchOnBatches(model: Model, batches: number[], data: (n: number) => { x: Float64Array; y: Float64Array }, modeDependent: boolean): void {
  let maxGrad = 0;
  for (const n of batches) {
    const { x, y } = data(n);
    maxGrad = Math.max(maxGrad, expectGradientsMatch(model, x, y, n, modeDependent));
  }
  expect(maxGrad, "every gradient is zero: the case tests nothing").toBeGreaterThan(1e-6);
}
