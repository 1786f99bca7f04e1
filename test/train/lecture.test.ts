// The lecture's worked example by hand, and the examples trained end to end on small data sets.
import { describe, expect, it, vi } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { argmax, compileExample, compileSource, makeGaussian, makeRng } from "../support/helpers.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

// The lecture's weights: one row per unit, the first column is the bias.
const layer1 = [
  [0.2, -2.1, 1.4],
  [-0.4, 1.1, 2.2],
];
const layer2 = [-0.1, 3.1, -1.2];

/** lecture.net's parameters from the lecture's table: W1[i][j] = layer1[j][i + 1], [in, out] row-major. */
function lectureWeights() {
  return {
    W1: { shape: [2, 2], data: [layer1[0]![1]!, layer1[1]![1]!, layer1[0]![2]!, layer1[1]![2]!] },
    b1: { shape: [2], data: [layer1[0]![0]!, layer1[1]![0]!] },
    W2: { shape: [2, 1], data: [layer2[1]!, layer2[2]!] },
    b2: { shape: [1], data: [layer2[0]!] },
  };
}

/** The lecture's computation, written out unit by unit. */
function byHand(x1: number, x2: number) {
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const z1 = layer1.map(([w0, w1, w2]) => w0! + x1 * w1! + x2 * w2!);
  const h = z1.map(sigmoid);
  const z2 = layer2[0]! + h[0]! * layer2[1]! + h[1]! * layer2[2]!;
  return { h, p: sigmoid(z2) };
}

async function lectureModel(): Promise<Model> {
  const { module } = await compileExample("lecture");
  const model = module.createModel();
  model.setWeights(lectureWeights());
  return model;
}

function expectClose(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

describe("the lecture's worked example (lecture.net)", () => {
  it("is compiled for the lecture's batch of 2", async () => {
    const { module } = await compileExample("lecture");
    expect(module.createModel().info.maxBatch).toBe(2);
  });

  it("predict on x = [0.3, 0.6] equals the hand computation", async () => {
    const model = await lectureModel();
    const out = model.predict(Float64Array.of(0.3, 0.6), 1);
    expect(out.length).toBe(1);
    const { p } = byHand(0.3, 0.6);
    expect(p).toBeCloseTo(0.6965, 4); // the lecture's own answer, anchoring the hand computation
    expectClose(out[0]!, p);
  });

  it("the batched form with rows [0.3, 0.6] and [0.9, 0.7] gives each row's hand value", async () => {
    const model = await lectureModel();
    const out = model.predict(Float64Array.of(0.3, 0.6, 0.9, 0.7), 2);
    expect(out.length).toBe(2);
    expectClose(out[0]!, byHand(0.3, 0.6).p);
    expectClose(out[1]!, byHand(0.9, 0.7).p);
  });

  it("gradients equal backpropagation by hand (target 1)", async () => {
    const model = await lectureModel();
    const [x1, x2] = [0.3, 0.6];
    const { h, p } = byHand(x1, x2);
    const { loss, grads } = model.gradients(Float64Array.of(x1, x2), Float64Array.of(1), 1);
    expectClose(loss, -Math.log(p));
    const dz2 = p - 1; // sigmoid + bce: p − y
    const dz1 = h.map((hj, j) => dz2 * layer2[j + 1]! * hj * (1 - hj));
    expect(grads["b2"]!.data[0]).toBeCloseTo(dz2, 12);
    [0, 1].forEach((j) => expectClose(grads["W2"]!.data[j]!, h[j]! * dz2));
    [0, 1].forEach((j) => expectClose(grads["b1"]!.data[j]!, dz1[j]!));
    [x1, x2].forEach((xi, i) => [0, 1].forEach((j) => expectClose(grads["W1"]!.data[i * 2 + j]!, xi * dz1[j]!)));
  });
});

/** Fraction of rows whose thresholded (one output) or argmax (several) prediction matches. */
function accuracy(model: Model, x: Float64Array, y: Float64Array, n: number): number {
  const width = model.info.output.width;
  const out = model.predict(x, n);
  let right = 0;
  for (let r = 0; r < n; r++) {
    const predicted = width === 1 ? (out[r]! >= 0.5 ? 1 : 0) : argmax(out, r * width, width);
    if (predicted === y[r]) right++;
  }
  return right / n;
}

describe("training the examples", () => {
  it("logistic.net classifies the lecture's four rows after fit, and the loss decreases", async () => {
    const { module } = await compileExample("logistic");
    const model = module.createModel();
    const x = Float64Array.of(0.3, 0.6, 0.5, 0.1, 0.9, 0.9, 0.4, 0.5);
    const y = Float64Array.of(1, 0, 0, 1);
    const before = model.loss(x, y, 4);
    const history = model.fit(x, y, 4).losses;
    expect(history.length).toBe(2000); // the train block's epochs
    expect(history[history.length - 1]!).toBeLessThan(history[0]!);
    expect(model.loss(x, y, 4)).toBeLessThan(before);
    expect(accuracy(model, x, y, 4)).toBe(1);
  });

  it("xor.net reaches 100% on the four XOR rows", async () => {
    const { module } = await compileExample("xor");
    const model = module.createModel();
    const x = Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1);
    const y = Float64Array.of(0, 1, 1, 0);
    const history = model.fit(x, y, 4).losses;
    expect(history[history.length - 1]!).toBeLessThan(history[0]!);
    expect(accuracy(model, x, y, 4)).toBe(1);
  });

  it("regression.net fits a seeded smooth function to under 25% of its initial loss", async () => {
    const n = 256;
    const { module } = await compileExample("regression", { maxBatch: n });
    const model = module.createModel();
    const rng = makeRng(11);
    const x = new Float64Array(n * 3);
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const [a, b, c] = [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1];
      x.set([a, b, c], r * 3);
      y[r] = 0.8 * a - 0.5 * b + 0.3 * c + 0.4 * a * b + 0.05 * (rng() - 0.5);
    }
    const initial = model.loss(x, y, n);
    const history = model.fit(x, y, n).losses;
    expect(history.length).toBe(500);
    expect(model.loss(x, y, n)).toBeLessThan(0.25 * initial);
  });

  it("iris.net separates three seeded Gaussian blobs with at least 90% accuracy", async () => {
    const perClass = 50;
    const n = 3 * perClass;
    const { module } = await compileExample("iris", { maxBatch: n });
    const model = module.createModel();
    const centers = [
      [0, 0, 0, 0],
      [3, 3, 0, 0],
      [0, 3, 3, 3],
    ];
    const gauss = makeGaussian(makeRng(5));
    const x = new Float64Array(n * 4);
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const label = r % 3;
      y[r] = label;
      centers[label]!.forEach((c, k) => (x[r * 4 + k] = c + 0.6 * gauss()));
    }
    const initial = model.loss(x, y, n);
    const history = model.fit(x, y, n).losses;
    expect(history[history.length - 1]!).toBeLessThan(history[0]!);
    expect(model.loss(x, y, n)).toBeLessThan(initial);
    expect(accuracy(model, x, y, n)).toBeGreaterThanOrEqual(0.9);
  });

  it("a model without a train block trains with the default optimizer", async () => {
    const { module } = await compileSource("model plain {\n  input x[1]\n  target y[1]\n  layers { dense 1 }\n  loss mse\n}\n");
    const model = module.createModel();
    const x = Float64Array.from({ length: 8 }, (_, i) => i / 8);
    const y = x.map((v) => 2 * v + 1);
    const before = model.loss(x, y, 8);
    for (let step = 0; step < 50; step++) model.trainStep(x, y, 8);
    const after = model.loss(x, y, 8);
    expect(Number.isFinite(after)).toBe(true);
    expect(after).toBeLessThan(before);
    for (const w of Object.values(model.getWeights())) expect(w.data.every(Number.isFinite)).toBe(true);
  });
});
