// Numerics at the edges: saturated sigmoids, huge logits, probabilities of exactly 0 and 1,
// log(0) and exp overflow. Where the math has a finite answer the emitted code must give it
// (stable log-sum-exp and softplus in the fused losses; bce and cross_entropy clamp log at −100
// like PyTorch). Where it has none (exp(1000), log(0)), the step must not poison the weights.
import { describe, expect, it, vi } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { loadUnformatted } from "./support.js";

vi.setConfig({ testTimeout: 60_000 });

const finite = (a: ArrayLike<number>) => Array.from(a).every(Number.isFinite);

function allGradsFinite(m: Model, x: Float64Array, y: Float64Array, n: number): boolean {
  const { loss, grads } = m.gradients(x, y, n);
  return Number.isFinite(loss) && Object.values(grads).every((g) => finite(g.data));
}

/** A model whose logits are x @ W for hand-set W, so a test can choose them exactly. */
async function logits(width: number, head: string, loss: string, target = `y[${width}]`) {
  const source = `model m {\n  input x[1]\n  target ${target}\n  param W[1, ${width}]\n  z = x @ W\n  ${head}\n  output p\n  loss ${loss}\n}\n`;
  const { model } = await loadUnformatted(source);
  return (w: number[]) => {
    model.setWeights({ W: { data: w } });
    return model;
  };
}

const ONE = new Float64Array([1]);

describe("numerics", () => {
  it("softmax of logits ±1e4 gives probabilities that sum to 1; fused cross-entropy stays finite", async () => {
    const set = await logits(3, "p = softmax(z)", "cross_entropy(p, y)");
    const m = set([1e4, -1e4, 0]);
    const p = m.predict(ONE, 1);
    expect([...p]).toEqual([1, 0, 0]);
    for (const y of [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0]]) {
      const loss = m.loss(ONE, new Float64Array(y), 1);
      expect(Number.isFinite(loss), `y = ${y}`).toBe(true);
      expect(allGradsFinite(m, ONE, new Float64Array(y), 1), `y = ${y}`).toBe(true);
    }
    expect(m.loss(ONE, new Float64Array([0, 1, 0]), 1)).toBeCloseTo(2e4, 6); // −log p₁ = 2e4 exactly, no clamping
  });

  it("class(K) targets at logits 1e4: loss exact, gradient p − y", async () => {
    const set = await logits(3, "p = softmax(z)", "cross_entropy(p, y)", "y: class(3)");
    const m = set([1e4, -1e4, 0]);
    const { loss, grads } = m.gradients(ONE, new Float64Array([2]), 1);
    expect(loss).toBeCloseTo(1e4, 6);
    expect([...grads.W!.data]).toEqual([1, 0, -1]);
  });

  it("fused sigmoid + bce at logits ±1000 (softplus form): finite loss, gradient σ(z) − y", async () => {
    const set = await logits(2, "p = sigmoid(z)", "bce(p, y)");
    const m = set([1000, -1000]);
    expect([...m.predict(ONE, 1)]).toEqual([1, 0]);
    const y = new Float64Array([0, 1]);
    const { loss, grads } = m.gradients(ONE, y, 1);
    expect(loss).toBeCloseTo(1000, 9); // mean of two terms of 1000
    expect([...grads.W!.data]).toEqual([0.5, -0.5]);
  });

  it("bce on a prediction of exactly 0 or 1 (not fused) clamps log at −100, like PyTorch", async () => {
    const set = await logits(2, "p = sigmoid(z)\n  q = p * 1", "bce(q, y)");
    const m = set([1000, -1000]);
    const y = new Float64Array([0, 1]);
    expect(m.loss(ONE, y, 1)).toBe(100);
    expect(allGradsFinite(m, ONE, y, 1)).toBe(true);
    expect(m.loss(ONE, new Float64Array([1, 0]), 1)).toBe(0);
  });

  it("cross_entropy on a probability of exactly 0 (not fused) clamps log at −100", async () => {
    const set = await logits(2, "p = softmax(z)\n  q = p * 1", "cross_entropy(q, y)");
    const m = set([1e4, -1e4]);
    const y = new Float64Array([0, 1]);
    expect(m.loss(ONE, y, 1)).toBe(100);
    expect(allGradsFinite(m, ONE, y, 1)).toBe(true);
  });

  it("sigmoid, tanh and softmax stay finite for inputs of ±1e300", async () => {
    for (const head of ["p = sigmoid(z)", "p = tanh(z)", "p = softmax(z)"]) {
      const set = await logits(2, head, "mse(p, y)");
      const m = set([1e300, -1e300]);
      expect(finite(m.predict(ONE, 1)), head).toBe(true);
      expect(allGradsFinite(m, ONE, new Float64Array([0.5, 0.5]), 1), head).toBe(true);
    }
  });

  it("exp overflow and log(0) make the loss non-finite; trainStep then keeps the weights and fit says why", async () => {
    for (const head of ["p = exp(z)", "p = log(relu(z))"]) {
      const set = await logits(1, head, "mse(p, y)");
      const m = set([head.startsWith("p = exp") ? 1000 : -1]);
      const before = m.getWeights().W!.data.slice();
      const loss = m.trainStep(ONE, ONE, 1);
      expect(Number.isFinite(loss), head).toBe(false);
      expect(m.getWeights().W!.data, head).toEqual(before);
      expect(() => m.fit(ONE, ONE, 1, { epochs: 1 }), head).toThrow(/loss became (Infinity|NaN)/);
      expect(m.getWeights().W!.data, head).toEqual(before);
    }
  });

  it("exp of −1000 underflows to 0 without NaN", async () => {
    const set = await logits(1, "p = exp(z)", "mse(p, y)");
    const m = set([-1000]);
    expect([...m.predict(ONE, 1)]).toEqual([0]);
    expect(allGradsFinite(m, ONE, ONE, 1)).toBe(true);
  });
});
