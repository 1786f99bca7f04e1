// The activations, elementwise ops, structure ops and losses: forward values and loss values of
// the emitted code against references written here, multi-value blocks and dotted parameter
// names. (Their gradients are in test/ir/gradient-cases.ts, their misuse in test/cases/.)
import { describe, expect, it, vi } from "vitest";
import { Diagnostics } from "../../diagnostics/index.js";
import { erf } from "../../compiler/ops/erf.js";
import { parse, printAst } from "../../grammar/index.js";
import { compileSource } from "../support/helpers.js";
import { GRADIENT_CASES, gradientSource } from "../ir/gradient-cases.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

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
    const { module } = await compileSource(gradientSource(GRADIENT_CASES.find((c) => c.name === "two-value block")!, 2, 3));
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
});
