// Non-finite values never get into the weights (issue 12): the generated module refuses NaN and
// ±Infinity in its inputs before anything changes, naming row and column; a step that would make
// a weight non-finite writes nothing and is reported like a non-finite loss; the standalone predictor
// refuses strings, NaN and ±Infinity. None of these tests reads the code, so nothing is formatted.
import { describe, expect, it, vi } from "vitest";
import { compileToGraph } from "../compiler/index.js";
import { emitPredictor } from "../compiler/emit/predictor.js";
import { importJavaScript } from "../cli/load.js";
import type { Model } from "../cli/generated-types.js";
import { compileSource } from "./support/helpers.js";

vi.setConfig({ testTimeout: 60_000 });

const CLASSIFIER = `model c {
  input x[3]
  target y: class(2)
  layers { dense 4 relu; dense 2 softmax }
  loss cross_entropy
  train { optimizer adam(lr: 0.01); batch 4; seed 3 }
}`;

const X = new Float64Array([0.5, -1, 2, 1, 0.25, -0.5, -2, 1.5, 0, 0.75, 1, -1]);
const Y = new Float64Array([0, 1, 1, 0]);

async function classifier(): Promise<Model> {
  return (await compileSource(CLASSIFIER, { format: false })).module.createModel();
}

/** Everything a call could change: weights, counters, learning rate, generators, optimizer buffers. */
function snapshot(model: Model): string {
  const weights = Object.entries(model.getWeights()).map(([k, t]) => [k, Array.from(t.data)]);
  return JSON.stringify({ weights, state: model.getState() });
}

const withValue = (data: Float64Array, at: number, value: number): Float64Array => {
  const copy = data.slice();
  copy[at] = value;
  return copy;
};

describe("the generated module refuses non-finite inputs before any update", () => {
  it.each([NaN, Infinity, -Infinity])("trainStep, loss, gradients and predict name the row and column of %s in x", async (bad) => {
    const model = await classifier();
    model.trainStep(X, Y, 4);
    const before = snapshot(model);
    const x = withValue(X, 2 * 3 + 1, bad); // row 2, column 1
    const where = new RegExp(`x has ${String(bad)} at row 2, column 1 \\(counting from 0\\)`);
    expect(() => model.trainStep(x, Y, 4)).toThrow(RangeError);
    expect(() => model.trainStep(x, Y, 4)).toThrow(new RegExp(`^trainStep: ${where.source}`));
    expect(() => model.loss(x, Y, 4)).toThrow(new RegExp(`^loss: ${where.source}`));
    expect(() => model.loss(x, Y, 4, "train")).toThrow(new RegExp(`^loss: ${where.source}`));
    expect(() => model.gradients(x, Y, 4)).toThrow(new RegExp(`^gradients: ${where.source}`));
    expect(() => model.predict(x, 4)).toThrow(new RegExp(`^predict: ${where.source}`));
    expect(snapshot(model)).toBe(before);
    // Rows past n are not the call's input and are not checked.
    expect(Number.isFinite(model.loss(x, Y, 2))).toBe(true);
  });

  it("a non-finite target is named as y's", async () => {
    const model = await classifier();
    const before = snapshot(model);
    expect(() => model.trainStep(X, withValue(Y, 3, NaN), 4)).toThrow(/^trainStep: y has NaN at row 3, column 0/);
    expect(() => model.loss(X, withValue(Y, 1, -Infinity), 4)).toThrow(/^loss: y has -Infinity at row 1, column 0/);
    expect(snapshot(model)).toBe(before);
  });

  it("fit checks every row first, naming it by its index in x, and changes nothing", async () => {
    const model = await classifier();
    const n = 40;
    const x = Float64Array.from({ length: n * 3 }, (_, i) => Math.sin(i));
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    const before = snapshot(model);
    expect(() => model.fit(withValue(x, 37 * 3 + 2, Infinity), y, n, { epochs: 2 })).toThrow(/^fit: x has Infinity at row 37, column 2/);
    expect(() => model.fit(x, withValue(y, 21, NaN), n, { epochs: 2 })).toThrow(/^fit: y has NaN at row 21, column 0/);
    expect(snapshot(model)).toBe(before);
    expect(model.fit(x, y, n, { epochs: 2 }).losses).toHaveLength(2);
  });

  it("a mode other than eval or train is an error", async () => {
    const model = await classifier();
    expect(() => model.loss(X, Y, 4, "Train" as "train")).toThrow(/^loss: mode must be "eval" or "train", got the string "Train"$/);
    expect(model.loss(X, Y, 4, "train")).toBe(model.loss(X, Y, 4, "eval")); // no dropout or batchnorm: the same graph
  });
});

describe("a step that would make a trained value non-finite writes nothing", () => {
  // sqrt's derivative at 0 is infinite: the loss is finite, the gradient of `a` is not.
  const SQRT_AT_ZERO = `model s {
  input x[2]
  target y[1]
  param a[2] = zeros
  p = sigmoid(dense(x * sqrt(a), 1))
  output p
  loss bce(p, y)
  train { optimizer momentum(lr: 0.1); batch 2; seed 1 }
}`;
  // A learning rate near the largest double overflows the update although the gradient is finite.
  const HUGE_LR = `model h {
  input x[1]
  target y[1]
  layers { dense 1 }
  loss mse
  train { optimizer sgd(lr: 1e308); batch 2; seed 1 }
}`;
  const x = new Float64Array([1, 2, 3, 4]);

  it("a non-finite gradient: trainStep returns NaN, and weights, optimizer state and step counter stay", async () => {
    const model = (await compileSource(SQRT_AT_ZERO, { format: false })).module.createModel();
    const y = new Float64Array([1, 0]);
    const before = snapshot(model);
    const { loss, grads } = model.gradients(x, y, 2);
    expect(Number.isFinite(loss)).toBe(true);
    expect(grads.a!.data.every(Number.isFinite)).toBe(false);
    expect(model.trainStep(x, y, 2)).toBeNaN();
    expect(snapshot(model)).toBe(before);
    const error = (() => {
      try {
        model.fit(x, y, 2, { epochs: 1 });
      } catch (e) {
        return e as Error & { epoch: number; batch: number; loss: number };
      }
      throw new Error("fit did not throw");
    })();
    expect(error.name).toBe("NonFiniteLossError");
    expect(error.message).toBe("fit: at epoch 1, batch 1 the gradient of 'a' was not finite; the weights from before that step are kept. Try a smaller learning rate.");
    expect([error.epoch, error.batch, error.loss]).toEqual([1, 1, NaN]);
    expect(JSON.parse(snapshot(model)).weights).toEqual(JSON.parse(before).weights);
  });

  it("an update that would overflow: trainStep returns NaN and the weights stay; fit says so", async () => {
    const model = (await compileSource(HUGE_LR, { format: false })).module.createModel();
    const y = new Float64Array([100, -100]);
    const before = snapshot(model);
    expect(Object.values(model.gradients(x, y, 2).grads).every((g) => g.data.every(Number.isFinite))).toBe(true);
    expect(model.trainStep(x, y, 2)).toBeNaN();
    expect(snapshot(model)).toBe(before);
    expect(() => model.fit(x, y, 2, { epochs: 1, shuffle: false })).toThrow(
      "fit: at epoch 1, batch 1 the update would have made a weight, running statistic or optimizer state non-finite (an overflow); the weights from before that step are kept",
    );
    expect(JSON.parse(snapshot(model)).weights).toEqual(JSON.parse(before).weights);
  });
});

describe("the standalone predictor refuses what is not a finite number", () => {
  async function predictor(): Promise<Record<string, any>> {
    const { model, evalGraph } = compileToGraph(CLASSIFIER);
    const weights = Object.fromEntries([...model.params, ...model.state].map((p) => [p.name, new Float64Array(p.shape.reduce((a, b) => a * b, 1)).fill(0.25)]));
    const js = await emitPredictor({ model, evalGraph, source: CLASSIFIER, file: "c.net", weights, labels: ["no", "yes"] }, { language: "javascript", format: false });
    return importJavaScript(js, "c.predict.js");
  }

  it.each([
    [[NaN, 0, 0], "predict: input 0 is NaN; every value must be a finite number"],
    [[0, Infinity, 0], "predict: input 1 is Infinity; every value must be a finite number"],
    [[0, 0, -Infinity], "predict: input 2 is -Infinity; every value must be a finite number"],
    [["a", "b", "c"], 'predict: input 0 is the string "a"; every value must be a finite number'],
    [[1, 2, "3"], 'predict: input 2 is the string "3"; every value must be a finite number'],
    [[1, 2, undefined], "predict: input 2 is undefined; every value must be a finite number"],
    [[1, 2], "predict: expected 3 input values, got 2"],
  ])("predict and classify(%j) throw", async (input, message) => {
    const p = await predictor();
    expect(() => p.predict(input)).toThrow(message);
    expect(() => p.classify(input)).toThrow(message);
    expect(["no", "yes"]).toContain(p.classify([1, 2, 3]));
  });

  it("predictBatch names the row and column, in a Float64Array or a plain array", async () => {
    const p = await predictor();
    expect(() => p.predictBatch(withValue(X, 7, NaN), 4)).toThrow("predictBatch: x has NaN at row 2, column 1 (counting from 0); every value must be a finite number");
    expect(() => p.predictBatch([1, 2, 3, 4, "5", 6], 2)).toThrow('predictBatch: x has the string "5" at row 1, column 1');
    expect(() => p.predictBatch(Array.from(withValue(X, 11, -Infinity)), 4)).toThrow("predictBatch: x has -Infinity at row 3, column 2");
    expect(Array.from(p.predictBatch(Array.from(X), 4))).toEqual(Array.from(p.predictBatch(X, 4)));
  });
});
