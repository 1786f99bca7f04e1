// The activations, elementwise ops, structure ops and losses of issue 5: gradients against
// central finite differences through the emitted code, forward values against references
// written here, multi-value blocks, dotted parameter names, and the diagnostics for misuse.
import { describe, expect, it, vi } from "vitest";
import { Diagnostics } from "../diagnostics/index.js";
import { analyze, formatDiagnostic } from "../compiler/index.js";
import { erf } from "../compiler/ops/erf.js";
import { parse, printAst } from "../grammar/index.js";
import type { Model } from "../cli/generated-types.js";
import { compileSource, finiteDiffCheck, makeRng, randomArray, randomizeWeights } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

// ---------------------------------------------------------------------------------------------
// Gradients through the emitted code
// ---------------------------------------------------------------------------------------------

type Target = "real" | "prob" | "onehot" | "class";

interface GradCase {
  name: string;
  /** Parameters the body uses: W, V [in, out], b [out]. */
  params: string;
  /** Defines `p`; OUT and IN are replaced by the widths. */
  body: string;
  /** Width of `p` given [in, out]; defaults to out. */
  width?: (i: number, o: number) => number;
  /** Defaults to `sum(p * y)`: every output element gets its own random cotangent. */
  loss?: string;
  target?: Target;
  blocks?: string;
  shapes?: [number, number][];
}

const SHAPES: [number, number][] = [[1, 1], [2, 4], [4, 2]];
const WIDE: [number, number][] = [[1, 2], [2, 4], [4, 2]]; // softmax-like ops need two or more outputs
const BATCHES = [1, 3, 5];
const Z = "z = x @ W + b\n  ";

const PAIR = "block pair(x, n) {\n  a = tanh(dense(x, n))\n  return a, sigmoid(dense(x, n)) * a\n}";
const NESTED = `${PAIR}
block outer(x, n) {
  u, v = pair(x, n)
  s, t = pair(u, n)
  return s + v, t * u
}`;

const CASES: GradCase[] = [
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
];

function gradSource(c: GradCase, inW: number, outW: number): string {
  const pw = c.width ? c.width(inW, outW) : outW;
  const shapes: Record<string, number[]> = { W: [inW, outW], V: [inW, outW], b: [outW] };
  const params = c.params.split(" ").filter(Boolean).map((p) => `  param ${p}[${shapes[p]!.join(", ")}] = normal(0, 1)`);
  return [
    c.blocks ?? "",
    "model t {",
    `  input x[${inW}]`,
    `  target ${c.target === "class" ? `y: class(${pw})` : `y[${pw}]`}`,
    ...params,
    `  ${c.body.replaceAll("OUT", String(outW)).replaceAll("IN", String(inW))}`,
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
  for (let r = 0; r < n; r++) y[r * width + Math.floor(rng() * width)] = 1;
  return y;
}

/** Checks one batch; returns the largest gradient seen, so a case can refuse all-zero gradients. */
function expectGradientsMatch(model: Model, x: Float64Array, y: Float64Array, n: number): number {
  const { loss } = model.gradients(x, y, n);
  expect(Number.isFinite(loss)).toBe(true);
  expect(Math.abs(loss - model.loss(x, y, n))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(loss)));
  const report = finiteDiffCheck(model, x, y, n); // |a − b| <= 1e-6 · max(1, |a|, |b|)
  expect(report.failures, `n = ${n}`).toEqual([]);
  expect(report.checked).toBe(model.info.paramCount);
  return report.maxGrad;
}

/** Runs the check on batches of 1, 3 and 5 rows (a clipped op may well be flat on one row). */
function expectGradientsMatchOnBatches(model: Model, rng: () => number, inW: number, data: (n: number) => Float64Array): void {
  let maxGrad = 0;
  for (const n of BATCHES) maxGrad = Math.max(maxGrad, expectGradientsMatch(model, randomArray(rng, n * inW, -2, 2), data(n), n));
  expect(maxGrad, "every gradient is zero: the case tests nothing").toBeGreaterThan(1e-6);
}

describe("gradients of the new ops and losses match central finite differences through the emitted code", () => {
  CASES.forEach((c, caseIndex) => {
    for (const [inW, outW] of c.shapes ?? SHAPES) {
      it(`${c.name} [in ${inW}, out ${outW}]`, async () => {
        const { module } = await compileSource(gradSource(c, inW, outW), { maxBatch: 5, verify: true });
        const rng = makeRng(7919 * caseIndex + 10 * inW + outW);
        const model = module.createModel();
        randomizeWeights(model, rng);
        const pw = c.width ? c.width(inW, outW) : outW;
        expectGradientsMatchOnBatches(model, rng, inW, (n) => targets(c.target ?? "real", rng, n, pw));
      });
    }
  });

  it("every activation as a layer of `layers`", async () => {
    const src = `model t {
  input x[3]
  target y: class(3)
  layers {
    dense 4 leaky_relu
    leaky_relu 0.2
    dense 4 elu
    elu 0.5
    dense 4 gelu
    dense 4 softplus
    dense 4 swish
    silu
    dense 4 identity
    dense 3 log_softmax
  }
  loss cross_entropy_logits
  train { batch 5 }
}`;
    const { module } = await compileSource(src, { maxBatch: 5, verify: true });
    const model = module.createModel({ seed: 3 });
    const rng = makeRng(17);
    expectGradientsMatchOnBatches(model, rng, 3, (n) => targets("class", rng, n, 3));
  });
});

// ---------------------------------------------------------------------------------------------
// Forward values against references written here
// ---------------------------------------------------------------------------------------------

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** erf by composite Simpson's rule on 2/√π e^{−t²}: independent of the compiler's algorithm. */
function erfReference(x: number): number {
  const steps = 4000;
  const h = x / steps;
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    total += w * Math.exp(-(i * h) * (i * h));
  }
  return ((total * h) / 3) * (2 / Math.sqrt(Math.PI));
}

const X = Float64Array.from([-2.5, -1, -0.3, 0, 0.4, 1.2, 3.7, -0.05, 0.9, -4, 2, 0.15]); // 3 rows of 4
const POSITIVE = X.map((v) => Math.abs(v) + 0.1);

interface ForwardCase {
  expr: string;
  /** Elementwise reference, or a whole-row one (`row`). */
  ref?: (v: number) => number;
  row?: (row: number[]) => number[];
  width?: number;
  x?: Float64Array;
  tol?: number;
}

const FORWARD: ForwardCase[] = [
  { expr: "leaky_relu(x)", ref: (v) => (v > 0 ? v : 0.01 * v) },
  { expr: "leaky_relu(x, 0.2)", ref: (v) => (v > 0 ? v : 0.2 * v) },
  { expr: "leaky_relu(x, alpha: -0.5)", ref: (v) => (v > 0 ? v : -0.5 * v) },
  { expr: "elu(x)", ref: (v) => (v > 0 ? v : Math.exp(v) - 1) },
  { expr: "elu(x, 0.5)", ref: (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1)) },
  { expr: "gelu(x)", ref: (v) => 0.5 * v * (1 + erfReference(v / Math.SQRT2)), tol: 1e-12 },
  { expr: "softplus(x)", ref: (v) => Math.log(1 + Math.exp(v)) },
  { expr: "swish(x)", ref: (v) => v * sigmoid(v) },
  { expr: "silu(x)", ref: (v) => v * sigmoid(v) },
  { expr: "mish(x)", ref: (v) => v * Math.tanh(Math.log1p(Math.exp(v))) },
  { expr: "identity(x) * 1.5", ref: (v) => 1.5 * v },
  {
    expr: "log_softmax(x)",
    row: (r) => {
      const total = r.reduce((s, v) => s + Math.exp(v), 0);
      return r.map((v) => Math.log(Math.exp(v) / total));
    },
  },
  { expr: "sqrt(x)", ref: Math.sqrt, x: POSITIVE },
  { expr: "abs(x)", ref: Math.abs },
  { expr: "square(x)", ref: (v) => v * v },
  { expr: "pow(x, 2)", ref: (v) => v * v },
  { expr: "pow(x, 3)", ref: (v) => v * v * v },
  { expr: "pow(x, 0.5)", ref: Math.sqrt, x: POSITIVE },
  { expr: "pow(x, -1)", ref: (v) => 1 / v, x: POSITIVE },
  { expr: "pow(x, 1.5)", ref: (v) => v * Math.sqrt(v), x: POSITIVE },
  { expr: "pow(x, -2)", ref: (v) => 1 / (v * v), x: POSITIVE },
  { expr: "pow(x, 0) + x", ref: (v) => 1 + v },
  { expr: "max(x, tanh(2 * x))", ref: (v) => Math.max(v, Math.tanh(2 * v)) },
  { expr: "max(x, 0.3)", ref: (v) => Math.max(v, 0.3) },
  { expr: "min(x, tanh(2 * x))", ref: (v) => Math.min(v, Math.tanh(2 * v)) },
  { expr: "min(-0.2, x)", ref: (v) => Math.min(v, -0.2) },
  { expr: "clip(x, -0.5, 0.25)", ref: (v) => Math.min(Math.max(v, -0.5), 0.25) },
  { expr: "concat(x, tanh(x))", row: (r) => [...r, ...r.map(Math.tanh)], width: 8 },
  { expr: "concat(sigmoid(x), x * x)", row: (r) => [...r.map(sigmoid), ...r.map((v) => v * v)], width: 8 },
];

function forwardSource(expr: string, width: number): string {
  return `model t {
  input x[4]
  target y[${width}]
  p = ${expr}
  output p
  loss mse(p, y)
}`;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-14): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

describe("forward values match references written here", () => {
  it.each(FORWARD.map((c) => [c.expr, c] as const))("%s", async (_, c) => {
    const width = c.width ?? 4;
    const { module } = await compileSource(forwardSource(c.expr, width), { maxBatch: 3 });
    const x = c.x ?? X;
    const expected: number[] = [];
    for (let r = 0; r < 3; r++) {
      const row = Array.from(x.subarray(r * 4, r * 4 + 4));
      expected.push(...(c.row ? c.row(row) : row.map(c.ref!)));
    }
    expectClose(module.createModel().predict(x, 3), expected, c.tol);
  });

  it("softplus and log_softmax are stable for huge inputs", async () => {
    const big = Float64Array.from([800, -800, 1000, 0.5]);
    const soft = (await compileSource(forwardSource("softplus(x)", 4))).module.createModel().predict(big, 1);
    expectClose(soft, [800, 0, 1000, Math.log1p(Math.exp(0.5))]);
    const logp = (await compileSource(forwardSource("log_softmax(x)", 4))).module.createModel().predict(big, 1);
    expectClose(logp, [-200, -1800, 0, -999.5]);
  });

  it("erf, which gelu uses, is accurate to a few ulp across its three ranges", () => {
    // Reference values of erf to 17 significant digits.
    const known: [number, number][] = [
      [0.5, 0.52049987781304654], [1, 0.84270079294971487], [2, 0.99532226501895273],
      [2.5, 0.99959304798255504], [3, 0.99997790950300141], [5, 0.99999999999846254],
    ];
    for (const [x, v] of known) {
      expect(Math.abs(erf(x) - v)).toBeLessThan(4e-16);
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(0)).toBe(0);
    expect(erf(6.5)).toBe(1);
    expect(erf(Number.NaN)).toBeNaN();
    for (let x = -4; x <= 4; x += 0.37) expect(Math.abs(erf(x) - erfReference(x))).toBeLessThan(1e-13);
  });

  it("swish and silu are one op; identity adds none", async () => {
    const predict = async (expr: string) => {
      const { result } = await compileSource(forwardSource(expr, 4));
      const node = result.model.forward.outputs.get("predict")!;
      return [node.op, ...node.inputs.map((i) => i.op)].join(" ");
    };
    expect(await predict("swish(x)")).toBe("silu input");
    expect(await predict("silu(x)")).toBe("silu input");
    expect(await predict("identity(x) * 1.5")).toBe("mul input const");
  });
});

describe("loss values match references written here", () => {
  const P = Float64Array.from([-0.9, 0.2, 1.7, 0.05, -2.2, 0.6]); // 3 rows of 2, used as logits or predictions
  const Y = Float64Array.from([-0.5, 1.4, 0.3, 0.0, -1.1, 0.8]);
  const PROB = Float64Array.from([0.2, 0.9, 0.5, 0.1, 0.7, 0.35]);
  const ONEHOT = Float64Array.from([1, 0, 0, 1, 0, 1]);
  const CLASSES = Float64Array.from([0, 1, 1]);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const terms = (f: (p: number, y: number) => number, y: ArrayLike<number>) => Array.from(P, (p, i) => f(p, y[i]!));
  const huber = (delta: number) => (p: number, y: number) => {
    const d = Math.abs(p - y);
    return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
  };
  const bceLogit = (z: number, y: number) => -(y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z)));
  const ceRows = (y: ArrayLike<number>) =>
    [0, 1, 2].map((r) => {
      const z = [P[2 * r]!, P[2 * r + 1]!];
      const lse = Math.log(Math.exp(z[0]!) + Math.exp(z[1]!));
      return -(y[2 * r]! * (z[0]! - lse) + y[2 * r + 1]! * (z[1]! - lse));
    });

  const CASES: [string, string, ArrayLike<number>, number][] = [
    ["mse(p, y)", "y[2]", Y, mean(terms((p, y) => (p - y) ** 2, Y))],
    ["mse(p, y, reduce: sum)", "y[2]", Y, sum(terms((p, y) => (p - y) ** 2, Y))],
    ["mae(p, y)", "y[2]", Y, mean(terms((p, y) => Math.abs(p - y), Y))],
    ["mae(p, y, reduce: sum)", "y[2]", Y, sum(terms((p, y) => Math.abs(p - y), Y))],
    ["huber(p, y)", "y[2]", Y, mean(terms(huber(1), Y))],
    ["huber(p, y, 0.4)", "y[2]", Y, mean(terms(huber(0.4), Y))],
    ["huber(p, y, delta: 0.4, reduce: sum)", "y[2]", Y, sum(terms(huber(0.4), Y))],
    ["bce_logits(p, y)", "y[2]", PROB, mean(terms(bceLogit, PROB))],
    ["bce_logits(p, y, reduce: sum)", "y[2]", PROB, sum(terms(bceLogit, PROB))],
    ["bce(sigmoid(p), y, reduce: sum)", "y[2]", PROB, sum(terms(bceLogit, PROB))],
    ["cross_entropy_logits(p, y)", "y[2]", ONEHOT, mean(ceRows(ONEHOT))],
    ["cross_entropy_logits(p, y)", "y: class(2)", CLASSES, mean(ceRows(ONEHOT))],
    ["cross_entropy_logits(p, y, reduce: sum)", "y: class(2)", CLASSES, sum(ceRows(ONEHOT))],
    ["cross_entropy(softmax(p), y, reduce: sum)", "y[2]", ONEHOT, sum(ceRows(ONEHOT))],
  ];

  it.each(CASES)("%s with target %s", async (loss, target, y, expected) => {
    const src = `model t {\n  input x[2]\n  target ${target}\n  p = 1 * x\n  h = tanh(p)\n  output h\n  loss ${loss}\n}`;
    const { module } = await compileSource(src, { maxBatch: 3 });
    const value = module.createModel().loss(P, Float64Array.from(y), 3);
    expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected)));
  });

  it("loss 0.5 * mse(p, y) + 0.01 * l2(h1.W) + 0.1 * l1(h1.b)", async () => {
    const src = `model t {
  input x[2]
  target y[2]
  h1 = dense(x, 2)
  output h1
  loss 0.5 * mse(h1, y) + 0.01 * l2(h1.W) + 0.1 * l1(h1.b)
}`;
    const { module } = await compileSource(src, { maxBatch: 3 });
    const model = module.createModel();
    model.setWeights({ "h1.W": { data: [0.5, -1.5, 2, 0.25] }, "h1.b": { data: [-0.3, 0.7] } });
    const p = model.predict(P, 3).slice();
    const mse = mean(Array.from(p, (v, i) => (v - Y[i]!) ** 2));
    const expected = 0.5 * mse + 0.01 * (0.25 + 2.25 + 4 + 0.0625) + 0.1 * (0.3 + 0.7);
    expect(Math.abs(model.loss(P, Y, 3) - expected)).toBeLessThanOrEqual(1e-14);
  });
});

// ---------------------------------------------------------------------------------------------
// Blocks returning several values, and the grammar of the additions
// ---------------------------------------------------------------------------------------------

describe("blocks that return several values", () => {
  it("`h, c = pair(x, W)` binds each returned value, and works inside blocks", async () => {
    const src = `block pair(x, W) {
  z = x @ W
  return tanh(z), sigmoid(z)
}
block swap(x, W) {
  a, b = pair(x, W)
  return b, a
}
model t {
  input x[2]
  target y[4]
  param W[2, 2]
  s, t = swap(x, W)
  p = concat(s, t)
  output p
  loss mse(p, y)
}`;
    const { module } = await compileSource(src, { maxBatch: 3 });
    const model = module.createModel();
    const W = [0.5, -1.5, 2, 0.25];
    model.setWeights({ W: { data: W } });
    const expected: number[] = [];
    for (let r = 0; r < 3; r++) {
      const z = [0, 1].map((j) => X[r * 2]! * W[j]! + X[r * 2 + 1]! * W[2 + j]!);
      expected.push(...z.map(sigmoid), ...z.map(Math.tanh));
    }
    expectClose(model.predict(X, 3), expected);
  });

  it("weights made inside are named after the first name", async () => {
    const { module } = await compileSource(gradSource(CASES.find((c) => c.name === "two-value block")!, 2, 3));
    expect(module.createModel().info.params.map((p) => p.name)).toEqual(["h.a.W", "h.a.b", "h.W", "h.b"]);
  });
});

describe("grammar", () => {
  const astOf = (src: string) => {
    const diags = new Diagnostics();
    const program = parse(src, diags);
    expect(diags.list).toEqual([]);
    return printAst(program);
  };

  it("dotted names and unpacking assignments", () => {
    expect(astOf("model m {\n  h, c = pair(x)\n  p = h1.dense2.W @ layer1.b\n  loss l2(h1.W)\n}")).toBe(
      "(model 1:1 m\n  (unpack 2:3 h, c (call pair 2:10 x@2:15))\n  (assign 3:3 p (@ 3:7 h1.dense2.W@3:7 layer1.b@3:21))\n  (loss 4:3 (call l2 4:8 h1.W@4:11)))\n",
    );
  });

  it("a dotted name spans all its parts", () => {
    const src = "model m {\n  p = x @ h1.W\n}";
    const diags = new Diagnostics();
    const program = parse(src, diags);
    const stmt = program.decls[0]!.body[0]!;
    expect(stmt.kind === "assign" && stmt.value.kind === "binary" ? stmt.value.right : undefined).toEqual({
      kind: "name",
      name: "h1.W",
      span: { line: 2, col: 11, start: 20, end: 24 },
    });
  });

  it.each([
    ["model m {\n  p = h1. + 2\n}", "t.net:2:11: error: expected a name but found '+'\n    p = h1. + 2\n            ^"],
    ["model m {\n  a, = f(x)\n}", "t.net:2:6: error: expected a name but found '='\n    a, = f(x)\n       ^"],
    ["model m {\n  p = .5 * x\n}", "t.net:2:7: error: expected an expression but found '.'\n    p = .5 * x\n        ^"],
  ])("syntax error in %j", (src, message) => {
    const diags = new Diagnostics();
    parse(src, diags);
    expect(diags.list.map((d) => formatDiagnostic(d, "t.net", src))).toEqual([message]);
  });

  it("a missing ')' before an unpacking line ends the statement there", () => {
    const src = "model m {\n  p = f(x, 1\n  a, b = g(x)\n}";
    const diags = new Diagnostics();
    parse(src, diags);
    expect(diags.list.map((d) => formatDiagnostic(d, "t.net", src))).toEqual([
      "t.net:2:13: error: expected ')' but found end of line\n    p = f(x, 1\n              ^",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Diagnostics for misuse, with exact text and position
// ---------------------------------------------------------------------------------------------

const PAIR2 = "block pair(x) {\n  return tanh(x), sigmoid(x)\n}\n";

/** A model around `body` (line 6 onwards; line 9 when the pair block comes first). */
function misuse(body: string, blocks = ""): string {
  return `${blocks}model m {\n  input x[3]\n  target y[3]\n  param W[3, 2]\n  param b[3]\n${body}\n}\n`;
}

function errorsOf(src: string): string[] {
  return analyze(src).diagnostics.map((d) => formatDiagnostic(d, "t.net", src));
}

const body = (line: string, out = "p") => `  ${line}\n  output ${out}\n  loss mse(${out}, y)`;

describe("diagnostics", () => {
  it.each([
    ["wrong argument count", misuse(body("p = leaky_relu(x, 0.1, 2)")), [
      "t.net:6:26: error: 'leaky_relu' expects 1 to 2 arguments, got 3\n    p = leaky_relu(x, 0.1, 2)\n                           ^",
    ]],
    ["missing argument", misuse(body("p = max(x)")), [
      "t.net:6:7: error: 'max' expects 2 arguments, got 1 (missing 'b')\n    p = max(x)\n        ^~~~~~",
    ]],
    ["unknown argument name", misuse(body("p = huber(x, y, width: 2)")), [
      "t.net:6:19: error: 'huber' has no argument named 'width' (its arguments: p, y, delta, reduce)\n    p = huber(x, y, width: 2)\n                    ^~~~~",
    ]],
    ["non-constant exponent", misuse(body("p = pow(x, x)")), [
      "t.net:6:14: error: argument 'k' of 'pow' must be a constant number, got a tensor of shape [B,3]\n    p = pow(x, x)\n               ^",
    ]],
    ["non-constant bound", misuse(body("p = clip(x, 0, b)")), [
      "t.net:6:18: error: argument 'hi' of 'clip' must be a constant number, got a tensor of shape [3]\n    p = clip(x, 0, b)\n                   ^",
    ]],
    ["empty clip range", misuse(body("p = clip(x, 1, -1)")), [
      "t.net:6:7: error: 'clip' needs lo <= hi, got 1 and -1\n    p = clip(x, 1, -1)\n        ^~~~~~~~~~~~~~",
    ]],
    ["non-constant alpha", misuse(body("p = elu(x, alpha: b)")), [
      "t.net:6:14: error: argument 'alpha' of 'elu' must be a constant number, got a tensor of shape [3]\n    p = elu(x, alpha: b)\n               ^~~~~~~~",
    ]],
    ["a number where a tensor is needed", misuse(body("p = x * sqrt(2)")), [
      "t.net:6:16: error: argument 'x' of 'sqrt' must be a tensor, got a number\n    p = x * sqrt(2)\n                 ^",
    ]],
    ["concat with different batch dimensions", misuse(body("p = concat(x, W)")), [
      "t.net:6:7: error: shape mismatch: 'concat' joins the last axis and needs every other dimension equal, but 'x' has shape [B,3] and 'W' has shape [3,2]\n    p = concat(x, W)\n        ^~~~~~~~~~~~",
    ]],
    ["concat of a batch and a vector", misuse(body("p = concat(x, b)")), [
      "t.net:6:7: error: shape mismatch: 'concat' joins the last axis and needs every other dimension equal, but 'x' has shape [B,3] and 'b' has shape [3]\n    p = concat(x, b)\n        ^~~~~~~~~~~~",
    ]],
    ["max of shapes that do not broadcast", misuse(body("p = max(x, W)")), [
      "t.net:6:7: error: shape mismatch: 'x' has shape [B,3] but 'W' has shape [3,2] ('max' needs shapes that broadcast)\n    p = max(x, W)\n        ^~~~~~~~~",
    ]],
    ["log_softmax of a scalar", misuse(body("p = x * log_softmax(sum(x))")), [
      "t.net:6:11: error: log_softmax needs a vector, got a scalar\n    p = x * log_softmax(sum(x))\n            ^~~~~~~~~~~~~~~~~~~",
    ]],
    ["more names than values", misuse(body("h, c, d = pair(x)", "h"), PAIR2), [
      "t.net:9:3: error: 3 names are assigned, but block 'pair' returns 2 values\n    h, c, d = pair(x)\n    ^~~~~~~",
    ]],
    ["fewer names than values, inside a block", misuse(body("h = outer(x)", "h"), `${PAIR2}block outer(x) {\n  u = pair(x)\n  return u\n}\n`), [
      "t.net:5:7: error: block 'pair' returns 2 values; assign them to as many names: 'a, b = pair(...)'\n    u = pair(x)\n        ^~~~~~~",
    ]],
    ["unpacking a single value", misuse(body("h, c = tanh(x)", "h")), [
      "t.net:6:3: error: 2 names are assigned, but 'tanh(x)' gives one value (only a block can return several)\n    h, c = tanh(x)\n    ^~~~",
    ]],
    ["unpacking into one name twice", misuse(body("h, h = pair(x)", "h"), PAIR2), [
      "t.net:9:6: error: duplicate definition of 'h' (first defined at line 9)\n    h, h = pair(x)\n       ^",
    ]],
    ["recursion through an unpacking assignment", misuse(body("h, c = pair(x)", "h"), "block pair(x) {\n  a, b = pair(x)\n  return a, b\n}\n"), [
      "t.net:2:10: error: recursive block: pair -> pair\n    a, b = pair(x)\n           ^~~~",
    ]],
    ["unknown dotted parameter", misuse("  h1 = tanh(dense(x, 3))\n  output h1\n  loss mse(h1, y) + l2(h1.Q)"), [
      "t.net:8:24: error: unknown parameter 'h1.Q'; did you mean 'h1.W'? (parameters: W, b, h1.W, h1.b)\n    loss mse(h1, y) + l2(h1.Q)\n                         ^~~~",
    ]],
    ["dotted parameter used before its layer", misuse("  p = x @ h1.W\n  h1 = tanh(dense(x, 3))\n  output h1\n  loss mse(h1, y)"), [
      "t.net:6:11: error: 'h1.W' is used before its definition (line 7)\n    p = x @ h1.W\n            ^~~~",
    ]],
    ["a dotted name is not a function", misuse(body("p = h.f(x)")), [
      "t.net:6:7: error: unknown function 'h.f'\n    p = h.f(x)\n        ^~~",
    ]],
    ["bad reduce", misuse("  p = tanh(x)\n  output p\n  loss mse(p, y, reduce: max)"), [
      "t.net:8:18: error: 'reduce' of 'mse' must be 'mean' or 'sum', got 'max'\n    loss mse(p, y, reduce: max)\n                   ^~~~~~~~~~~",
    ]],
    ["bad delta", misuse("  p = tanh(x)\n  output p\n  loss huber(p, y, delta: -1)"), [
      "t.net:8:20: error: 'delta' of 'huber' must be a positive constant number, got '-1'\n    loss huber(p, y, delta: -1)\n                     ^~~~~~~~~",
    ]],
    ["class target for an elementwise loss", "model m {\n  input x[3]\n  target y: class(3)\n  p = tanh(x)\n  output p\n  loss mae(p, y)\n}\n", [
      "t.net:6:15: error: 'mae' needs a target of the same shape as 'p', but 'y' is class(3); use cross_entropy\n    loss mae(p, y)\n                ^",
    ]],
  ])("%s", (_, src, expected) => {
    expect(errorsOf(src)).toEqual(expected);
  });
});
