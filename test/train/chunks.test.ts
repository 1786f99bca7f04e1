// predict and loss on more rows than the compiled maximum batch: computed in chunks, they agree
// with a module compiled for the whole batch; a loss whose chunks do not combine exactly is
// refused with its reason (the decision itself: test/lower/loss-chunks.test.ts).
import { describe, expect, it } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { evaluate, trainerBatch } from "../../cli/train-loop.js";
import type { Dataset } from "../../data/dataset.js";
import { compileSource, makeRng, randomArray } from "../support/helpers.js";

const N = 23; // five chunks of 5 rows, the last one short

function source(loss: string, net = "h = tanh(dense(x, 4))", target = "y[2]"): string {
  return `model m {\n  input x[3]\n  target ${target}\n  ${net}\n  p = dense(h, 2)\n  output p\n  loss ${loss}\n  train { optimizer sgd(lr: 0.1); batch 5 }\n}\n`;
}

/** The model compiled for 5 rows and for all N, with the same weights. */
async function pair(src: string): Promise<{ small: Model; whole: Model }> {
  const small = (await compileSource(src, { maxBatch: 5 })).module.createModel();
  const whole = (await compileSource(src, { maxBatch: N })).module.createModel();
  whole.setWeights(small.getWeights());
  return { small, whole };
}

const rng = makeRng(5);
const x = randomArray(rng, N * 3, -2, 2);
const y = randomArray(rng, N * 2);

describe("predict on any number of rows", () => {
  it("gives the whole-batch result bit for bit, into a new array or into out", async () => {
    const { small, whole } = await pair(source("mse(p, y)"));
    const expected = whole.predict(x, N).slice();
    const fresh = small.predict(x, N);
    expect(fresh).toEqual(expected);
    const out = new Float64Array(N * 2 + 3).fill(7);
    expect(small.predict(x, N, out)).toBe(out);
    expect(out.subarray(0, N * 2)).toEqual(expected);
    expect([...out.subarray(N * 2)]).toEqual([7, 7, 7]); // nothing past n rows is written
    // Up to the compiled batch, out is used too; without it the result is the internal view.
    const three = new Float64Array(6);
    expect(small.predict(x, 3, three)).toBe(three);
    expect(three).toEqual(expected.subarray(0, 6));
    expect(small.predict(x, 3)).toEqual(expected.subarray(0, 6));
  });

  it("refuses an out array too short for n rows, or not a Float64Array, before computing anything", async () => {
    const { small } = await pair(source("mse(p, y)"));
    expect(() => small.predict(x, N, new Float64Array(N * 2 - 1))).toThrow(/^predict: out must be a Float64Array of at least 46 values for 23 rows, got 45 values$/);
    expect(() => small.predict(x, 2, [0, 0, 0, 0] as unknown as Float64Array)).toThrow(/got object$/);
    expect(() => small.predict(x, 0)).toThrow(/^predict: n must be a positive integer, got 0$/);
    expect(() => small.predict(x, N + 1)).toThrow(/^predict: x holds 69 values, 24 rows need 72$/);
  });

  it("the wasm backend chunks the same way (its kernels read the chunk copies)", async () => {
    const { small } = await pair(source("mse(p, y)"));
    const wasm = (await compileSource(source("mse(p, y)"), { maxBatch: 5, backend: "wasm" })).module.createModel();
    wasm.setWeights(small.getWeights());
    expect(wasm.predict(x, N)).toEqual(small.predict(x, N));
    expect(wasm.loss(x, y, N)).toBe(small.loss(x, y, N));
  }, 60_000);
});

describe("loss on any number of rows", () => {
  it.each([
    ["a mean over rows", "mse(p, y)"],
    ["a mean plus a penalty", "mse(p, y) + 0.01 * l2(h.W)"],
    ["a sum over rows", "mse(p, y, reduce: sum)"],
  ])("%s: the chunks' losses combine to the whole batch's", async (_, loss) => {
    const { small, whole } = await pair(source(loss));
    const expected = whole.loss(x, y, N);
    expect(small.loss(x, y, N)).toBeCloseTo(expected, 12);
    expect(small.loss(x, y, N, "train")).toBeCloseTo(expected, 12);
    expect(small.loss(x, y, 4)).toBe(whole.loss(x, y, 4)); // one call within the compiled batch
  });

  it("cross-entropy on class indices: a bad label is named by its row in y, not in its chunk", async () => {
    const src = source("cross_entropy(softmax(p), y) + 0.001 * l2(h.W)", undefined, "y: class(2)");
    const { small, whole } = await pair(src);
    const labels = new Float64Array(N).map((_, i) => i % 2);
    expect(small.loss(x, labels, N)).toBeCloseTo(whole.loss(x, labels, N), 12);
    labels[17] = 2;
    expect(() => small.loss(x, labels, N)).toThrow(/^class label 2 in row 17 is not an integer in \[0, 2\)$/);
  });

  it("a sum plus a penalty is refused above the compiled batch, with the reason", async () => {
    const { small, whole } = await pair(source("mse(p, y, reduce: sum) + 0.01 * l2(h.W)"));
    expect(small.info.lossChunks.eval.combine).toBeNull();
    expect(() => small.loss(x, y, N)).toThrow(
      /^loss: 23 rows are more than the compiled maximum batch \(5\), and this model's loss cannot be computed in chunks: it adds a term that does not depend on the rows to a sum over rows \(reduce: sum\), so every chunk would count that term again \(line 7\); pass at most 5 rows, or compile with --max-batch 23$/,
    );
    expect(small.loss(x, y, 5)).toBe(whole.loss(x, y, 5));
  });

  it("batchnorm: in chunks in evaluation mode; in training mode only within the compiled batch", async () => {
    const { small, whole } = await pair(source("mse(p, y)", "h = batchnorm(dense(x, 4))"));
    expect(small.loss(x, y, N)).toBeCloseTo(whole.loss(x, y, N), 12);
    expect(small.predict(x, N)).toEqual(whole.predict(x, N));
    expect(() => small.loss(x, y, N, "train")).toThrow(/^loss: 23 rows .* this model's training-mode loss cannot be computed in chunks: in training mode batchnorm normalizes with the statistics of the whole batch \(line 4\);/);
    expect(small.loss(x, y, 5, "train")).toBe(whole.loss(x, y, 5, "train"));
  });
});

describe("netc train's evaluation follows the module's rule", () => {
  const data = (n: number): Dataset => ({ source: "t", n, x, y, classes: null, labels: null, columns: { features: [], target: [] }, warnings: [] });

  it.each([
    ["a mean", "mse(p, y) + 0.01 * l2(h.W)"],
    ["a sum", "mse(p, y, reduce: sum)"],
  ])("%s over more rows than the compiled batch is the loss of all rows", async (_, loss) => {
    const { small, whole } = await pair(source(loss));
    const { result } = await compileSource(source(loss), { maxBatch: 5 });
    const metrics = evaluate(small, result.model, data(N));
    expect(metrics.loss).toBeCloseTo(whole.loss(x, y, N), 12);
    expect(metrics.regression!.mae).toBeCloseTo(evaluate(whole, result.model, data(N)).regression!.mae, 14);
  });

  it("a loss without an exact combination gets a trainer that holds the largest split", async () => {
    const chunked = (await compileSource(source("mse(p, y, reduce: sum)"), { maxBatch: 5 })).result.model;
    const whole = (await compileSource(source("mse(p, y, reduce: sum) + 0.01 * l2(h.W)"), { maxBatch: 5 })).result.model;
    expect(trainerBatch(chunked, 16, 10_000, 4096)).toBe(4096);
    expect(trainerBatch(chunked, 16, 100, 4096)).toBe(100);
    expect(trainerBatch(whole, 16, 10_000, 4096)).toBe(10_000);
    expect(trainerBatch(whole, 16, 8, 4096)).toBe(16);
  });
});
