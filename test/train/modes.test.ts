// Train and eval modes: batchnorm (batch statistics vs. running statistics, and how the running
// statistics move), layernorm, and dropout (compiled out of predict, seeded masks), each
// compared with the same computation written out by hand here.
import { describe, expect, it } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { compileSource, makeRng, randomArray } from "../support/helpers.js";

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

/** x[n, k] @ W[k, m], row-major. */
function matmul(x: ArrayLike<number>, w: ArrayLike<number>, n: number, k: number, m: number): number[] {
  const out = new Array<number>(n * m).fill(0);
  for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) for (let i = 0; i < k; i++) out[r * m + j] += x[r * k + i]! * w[i * m + j]!;
  return out;
}

const mse = (p: ArrayLike<number>, y: ArrayLike<number>) => Array.from(p, (v, i) => (v - y[i]!) ** 2).reduce((a, b) => a + b, 0) / p.length;

/** Per-column mean and biased variance of h[n, m]. */
function columnStats(h: number[], n: number, m: number): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: m }, (_, j) => h.filter((_, i) => i % m === j).reduce((a, b) => a + b, 0) / n);
  const variance = Array.from({ length: m }, (_, j) => h.filter((_, i) => i % m === j).reduce((a, v) => a + (v - mean[j]!) ** 2, 0) / n);
  return { mean, variance };
}

describe("batchnorm", () => {
  const source = (args: string) => `model bn {
  input x[3]
  target y[2]
  param W[3, 2] = uniform(-1, 1)
  h = x @ W
  p = batchnorm(h${args})
  output p
  loss mse(p, y)
  train { optimizer sgd(lr: 0.1) }
}`;
  const n = 5;
  const rng = makeRng(11);
  const x = randomArray(rng, n * 3, -2, 2);
  const y = randomArray(rng, n * 2);
  const stats = { "p.gamma": [1.5, -0.5], "p.beta": [0.2, 0.1], "p.mean": [0.3, -0.2], "p.var": [2.0, 0.5] };

  async function make(args = ", momentum: 0.3"): Promise<Model> {
    const { module } = await compileSource(source(args), { maxBatch: 8 });
    const model = module.createModel();
    model.setWeights(Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, { data: v }])));
    return model;
  }

  const normalize = (h: number[], mean: number[], variance: number[]) =>
    h.map((v, i) => ((v - mean[i % 2]!) / Math.sqrt(variance[i % 2]! + 1e-5)) * stats["p.gamma"][i % 2]! + stats["p.beta"][i % 2]!);

  it("saves its running statistics with the weights, starting at mean 0 and variance 1", async () => {
    const { module } = await compileSource(source(""), { maxBatch: 8 });
    const model = module.createModel();
    expect(model.info.state).toEqual([{ name: "p.mean", shape: [2] }, { name: "p.var", shape: [2] }]);
    const w = model.getWeights();
    expect(Array.from(w["p.mean"]!.data)).toEqual([0, 0]);
    expect(Array.from(w["p.var"]!.data)).toEqual([1, 1]);
    expect(Array.from(w["p.gamma"]!.data)).toEqual([1, 1]);
    expect(Array.from(w["p.beta"]!.data)).toEqual([0, 0]);
    expect(model.info.params.map((p) => p.name)).toEqual(["W", "p.gamma", "p.beta"]);
  });

  it("predicts with the running statistics, so each row's output is independent of the batch", async () => {
    const model = await make();
    const h = matmul(x, model.getWeights().W!.data, n, 3, 2);
    const expected = normalize(h, stats["p.mean"], stats["p.var"]);
    expectClose(model.predict(x, n), expected);
    for (let r = 0; r < n; r++) expectClose(model.predict(x.subarray(r * 3), 1), expected.slice(r * 2, r * 2 + 2));
    expect(Math.abs(model.loss(x, y, n) - mse(expected, y))).toBeLessThan(1e-12);
  });

  it("uses the batch statistics (biased variance) in train mode, which differs from eval mode", async () => {
    const model = await make();
    const h = matmul(x, model.getWeights().W!.data, n, 3, 2);
    const { mean, variance } = columnStats(h, n, 2);
    const train = model.loss(x, y, n, "train");
    expect(Math.abs(train - mse(normalize(h, mean, variance), y))).toBeLessThan(1e-12);
    expect(Math.abs(train - model.loss(x, y, n, "eval"))).toBeGreaterThan(1e-3);
    expect(model.gradients(x, y, n).loss).toBe(train);
  });

  it("moves the running statistics by momentum in trainStep only: (1 − m)·old + m·batch, unbiased variance", async () => {
    for (const [args, m] of [[", momentum: 0.3", 0.3], ["", 0.1]] as const) {
      const model = await make(args);
      const W = model.getWeights().W!.data;
      const h = matmul(x, W, n, 3, 2);
      const { mean, variance } = columnStats(h, n, 2);
      // Nothing but trainStep touches them.
      model.predict(x, n);
      model.loss(x, y, n);
      model.loss(x, y, n, "train");
      const { grads } = model.gradients(x, y, n);
      expect(Array.from(model.getWeights()["p.mean"]!.data)).toEqual(stats["p.mean"]);
      expect(Array.from(model.getWeights()["p.var"]!.data)).toEqual(stats["p.var"]);

      expect(Math.abs(model.trainStep(x, y, n) - mse(normalize(h, mean, variance), y))).toBeLessThan(1e-12);
      const after = model.getWeights();
      expectClose(after["p.mean"]!.data, stats["p.mean"].map((old, j) => (1 - m) * old + m * mean[j]!));
      expectClose(after["p.var"]!.data, stats["p.var"].map((old, j) => (1 - m) * old + m * variance[j]! * (n / (n - 1))));
      // The weights took their sgd step from the same (train-mode) gradients.
      expectClose(after.W!.data, Array.from(W, (w, i) => w - 0.1 * grads.W!.data[i]!));
    }
  });

  it("a one-row training step leaves the running statistics alone (there is no variance to learn from)", async () => {
    const model = await make();
    model.trainStep(x, y, 1);
    const after = model.getWeights();
    expect(Array.from(after["p.mean"]!.data)).toEqual(stats["p.mean"]);
    expect(Array.from(after["p.var"]!.data)).toEqual(stats["p.var"]);
    // The step itself happened: one row normalizes to 0, so the output is β and β moved toward y.
    expectClose(after["p.beta"]!.data, stats["p.beta"].map((b, j) => b - 0.1 * (b - y[j]!)));
  });
});

describe("layernorm", () => {
  const source = `model ln {
  input x[4]
  target y[4]
  p = layernorm(x, eps: 0.001)
  output p
  loss mse(p, y)
}`;

  it("normalizes each row over its features (biased variance), then scales and shifts; same in both modes", async () => {
    const { module } = await compileSource(source, { maxBatch: 4 });
    const model = module.createModel();
    const gamma = [0.5, -1.25, 2, 0.75];
    const beta = [0.1, 0, -0.3, 0.6];
    model.setWeights({ "p.gamma": { data: gamma }, "p.beta": { data: beta } });
    const rng = makeRng(5);
    const n = 3;
    const x = randomArray(rng, n * 4, -3, 3);
    const y = randomArray(rng, n * 4);
    const expected: number[] = [];
    for (let r = 0; r < n; r++) {
      const row = Array.from(x.subarray(r * 4, r * 4 + 4));
      const mean = row.reduce((a, b) => a + b, 0) / 4;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / 4;
      row.forEach((v, j) => expected.push(((v - mean) / Math.sqrt(variance + 0.001)) * gamma[j]! + beta[j]!));
    }
    expectClose(model.predict(x, n), expected);
    expect(Math.abs(model.loss(x, y, n) - mse(expected, y))).toBeLessThan(1e-12);
    expect(model.loss(x, y, n, "train")).toBe(model.loss(x, y, n, "eval"));
    expect(model.info.state).toEqual([]);
  });
});

describe("dropout", () => {
  const source = `model dr {
  input x[3]
  target y[2]
  param W[3, 4] = uniform(-1, 1)
  param V[4, 2] = uniform(-1, 1)
  h = dropout(tanh(x @ W), 0.4)
  p = h @ V
  output p
  loss mse(p, y)
}`;
  const n = 4;
  const rng = makeRng(3);
  const x = randomArray(rng, n * 3, -2, 2);
  const y = randomArray(rng, n * 2);

  it("is compiled out of predict and the eval loss: both equal the computation without dropout", async () => {
    const { module, result } = await compileSource(source, { maxBatch: 4 });
    expect(result.evalGraph.nodes.some((node) => node.op.startsWith("dropout"))).toBe(false);
    expect(result.graph.nodes.some((node) => node.op === "dropout_mask")).toBe(true);
    const model = module.createModel();
    const w = model.getWeights();
    const expected = matmul(matmul(x, w.W!.data, n, 3, 4).map(Math.tanh), w.V!.data, n, 4, 2);
    const rngBefore = model.getState().rng.dropout;
    expectClose(model.predict(x, n), expected);
    expectClose(model.predict(x, n), expected);
    expect(Math.abs(model.loss(x, y, n) - mse(expected, y))).toBeLessThan(1e-12);
    expect(model.getState().rng.dropout).toEqual(rngBefore);
  });

  it("train-mode losses are reproducible from a saved state and differ between dropout states and seeds", async () => {
    const { module } = await compileSource(source, { maxBatch: 4 });
    const model = module.createModel({ seed: 7 });
    const saved = model.getState();
    const first = model.loss(x, y, n, "train");
    expect(model.getState().rng.dropout).not.toEqual(saved.rng.dropout);
    const second = model.loss(x, y, n, "train");
    expect(second).not.toBe(first);
    model.setState(saved);
    expect(model.loss(x, y, n, "train")).toBe(first);
    expect(model.loss(x, y, n, "train")).toBe(second);
    expect(first).not.toBe(model.loss(x, y, n, "eval"));

    // Same seed, same masks; another seed (same weights), other masks.
    const twin = module.createModel({ seed: 7 });
    expect(twin.loss(x, y, n, "train")).toBe(first);
    const other = module.createModel({ seed: 8 });
    other.setWeights(model.getWeights());
    expect(other.loss(x, y, n, "train")).not.toBe(first);
    other.setState(saved);
    expect(other.loss(x, y, n, "train")).toBe(first);
  });

  const maskModel = (width: number, body: string) => `model mask {
  input x[${width}]
  target y[${width}]
  param s[${width}] = ones
  param t[${width}] = ones
  ${body}
  output p
  loss sum(p * y)
}`;

  it("keeps about 1 − p of the units, scaled by 1/(1 − p)", async () => {
    const width = 2000;
    const { module } = await compileSource(maskModel(width, "p = dropout(x * s, 0.3) + 0 * t"), { maxBatch: 1 });
    const model = module.createModel({ seed: 1 });
    const ones = new Float64Array(width).fill(1);
    for (let trial = 0; trial < 3; trial++) {
      const saved = model.getState();
      // ∂loss/∂s is the mask itself when x and y are all ones.
      const mask = model.gradients(ones, ones, 1).grads.s!.data;
      const kept = mask.filter((v) => v !== 0);
      expect(kept.every((v) => v === 1 / 0.7)).toBe(true);
      // 1400 expected, standard deviation √(2000·0.3·0.7) ≈ 20.5: allow 4 of them.
      expect(Math.abs(kept.length - 1400)).toBeLessThan(82);
      model.setState(saved);
      expect(model.loss(ones, ones, 1, "train")).toBeCloseTo(kept.length / 0.7, 9);
    }
  });

  it("draws a fresh mask for every row, every dropout and every step", async () => {
    const width = 400;
    const { module } = await compileSource(maskModel(width, "p = dropout(x * s, 0.5) + dropout(x * t, 0.5)"), { maxBatch: 2 });
    const model = module.createModel({ seed: 2 });
    const x = new Float64Array(2 * width).fill(1);
    // Row 0 weighs 1 and row 1 weighs 1000, so the gradient of s holds both rows' masks (0 or 2 each).
    const y = new Float64Array(2 * width).fill(1).fill(1000, width);
    const { grads } = model.gradients(x, y, 2);
    const split = (g: Float64Array) => [Array.from(g, (v) => v % 1000), Array.from(g, (v) => Math.floor(v / 1000))];
    const [s0, s1] = split(grads.s!.data);
    const [t0] = split(grads.t!.data);
    expect(new Set([...s0!, ...s1!, ...t0!])).toEqual(new Set([0, 2]));
    const agreement = (a: number[], b: number[]) => a.filter((v, i) => v === b[i]).length / a.length;
    for (const [a, b] of [[s0, s1], [s0, t0]]) {
      // Independent masks agree on about half the units (σ = 2.5 %), the same mask on all of them.
      expect(Math.abs(agreement(a!, b!) - 0.5)).toBeLessThan(0.1);
    }
    const [next0] = split(model.gradients(x, y, 2).grads.s!.data);
    expect(Math.abs(agreement(s0!, next0!) - 0.5)).toBeLessThan(0.1);
  });
});
