// The generated inputGradients against central finite differences of the same output, on nets
// of every kind, and integrated gradients' completeness (netc explain's two methods).
import { describe, expect, it, vi } from "vitest";
import { integratedGradients, type Target } from "../../cli/attribution.js";
import type { Model } from "../../cli/generated-types.js";
import type { Backend } from "../../compiler/index.js";
import { couplesRows } from "../../compiler/pipeline.js";
import { ALL_OPS, argmax, compileExample, compileSource, HOSTILE_NAMES, makeRng, randomArray, randomizeWeights } from "../support/helpers.js";

vi.setConfig({ testTimeout: 120_000 });

// Softmax classifiers, binary sigmoid classifiers, regression, batchnorm and dropout (evaluation
// mode), every op, and names that collide with the emitter's (an input called `n`).
interface Net {
  model: Model;
  classifier: "argmax" | "threshold" | null;
  /** The prediction of a row depends on the other rows (a mean over the batch): use one row. */
  coupled: boolean;
}
const NAMES = ["iris", "logistic", "regression", "xor", "deep", "lecture", "digits", "all-ops", "hostile-names"];
// On wasm (matmuls in wasm, the rest JavaScript over its memory): a softmax and a sigmoid
// classifier, a net that mixes rows, and the emitter's own names; deep only for time.
const WASM_NAMES = ["iris", "logistic", "all-ops", "hostile-names"];
async function net(name: string, backend: Backend = "js"): Promise<Net> {
  const options = { backend, format: false };
  const { result, module } =
    name === "all-ops" ? await compileSource(ALL_OPS, options) : name === "hostile-names" ? await compileSource(HOSTILE_NAMES, options) : await compileExample(name, options);
  return { model: module.createModel({ seed: 5 }), classifier: result.model.classifier, coupled: couplesRows(result.explainGraph) };
}

/** The value inputGradients differentiates for row r: output k, or 1 − p for a binary classifier's class 0. */
function selected(model: Model, x: Float64Array, rows: number, r: number, output: number, sign: number): number {
  const v = model.predict(x, rows)[r * model.info.output.width + output]!;
  return sign === 1 ? v : 1 - v;
}

describe("inputGradients", () => {
  it("knows which models mix the rows of a batch", async () => {
    expect((await net("iris")).coupled).toBe(false);
    expect((await net("deep")).coupled).toBe(false); // batchnorm in evaluation mode uses running statistics
    expect((await net("all-ops")).coupled).toBe(true); // mean(x @ W) is over the batch
  });

  it.each([...NAMES.map((name) => [name, "js"] as const), ...WASM_NAMES.map((name) => [name, "wasm"] as const)])("%s (%s): equals central finite differences of the same output", async (name, backend) => {
    const { model, classifier, coupled } = await net(name, backend);
    const rng = makeRng(11);
    randomizeWeights(model, rng, -0.8, 0.8);
    const { input, output, maxBatch } = model.info;
    const rows = coupled ? 1 : Math.min(3, maxBatch);
    const x = randomArray(rng, rows * input.width, -1.5, 1.5);
    const p = model.predict(x, rows).slice();
    const decoy = randomArray(rng, rows * input.width, -1.5, 1.5);
    // The default output (when there is one), then every output index.
    const hasDefault = classifier !== null || output.width === 1;
    for (const which of [...(hasDefault ? [undefined] : []), ...Array.from({ length: output.width }, (_, k) => k)]) {
      // Another input first: nothing of the last call (the wasm backend's copy of x) may leak into this one.
      model.predict(decoy, rows);
      const grad = model.inputGradients(x, rows, which).slice();
      for (let r = 0; r < rows; r++) {
        const k = which ?? (classifier === "argmax" ? argmax(p, r * output.width, output.width) : 0);
        const sign = which === undefined && classifier === "threshold" && p[r]! < 0.5 ? -1 : 1;
        for (let i = 0; i < input.width; i++) {
          const h = 1e-6;
          const xp = x.slice(), xm = x.slice();
          xp[r * input.width + i]! += h;
          xm[r * input.width + i]! -= h;
          const fd = (selected(model, xp, rows, r, k, sign) - selected(model, xm, rows, r, k, sign)) / (2 * h);
          expect(Math.abs(grad[r * input.width + i]! - fd), `row ${r}, output ${which ?? "default"}, feature ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });
  it("rejects a bad output index, a bad row count and, for several regression outputs, a missing index", async () => {
    const iris = (await compileExample("iris")).module.createModel();
    const x = new Float64Array(8);
    expect(() => iris.inputGradients(x, 1, 3)).toThrow(/output must be an integer from 0 to 2, got 3/);
    expect(() => iris.inputGradients(x, 1, 0.5)).toThrow(RangeError);
    expect(() => iris.inputGradients(x, 3)).toThrow(/inputGradients: x holds 8 values, 3 rows need 12/);
    const multi = (await compileSource("model m { input x[2]\n target y[2]\n p = dense(x, 2)\n output p\n loss mse(p, y) }")).module.createModel();
    expect(() => multi.inputGradients(new Float64Array(2), 1)).toThrow(/has 2 outputs; pass the index/);
    expect(multi.inputGradients(new Float64Array(2), 1, 1).length).toBe(2);
  });

  it("works when the gradient needs no kernel (output = x + constant: the gradient is the seed)", async () => {
    const m = (await compileSource("model m { input x[3]\n target y[3]\n p = pow(x, 0) + x\n output p\n loss mse(p, y) }")).module.createModel();
    const x = Float64Array.from([0.5, -1, 2, 3, 4, 5]);
    expect(Array.from(m.inputGradients(x, 2, 1))).toEqual([0, 1, 0, 0, 1, 0]);
    expect(Array.from(m.inputGradients(x, 1, 2))).toEqual([0, 0, 1]);
  });

  it("allocates its result once: the same view for the same row count", async () => {
    const iris = (await compileExample("iris")).module.createModel();
    const x = new Float64Array(8).fill(0.3);
    expect(iris.inputGradients(x, 2)).toBe(iris.inputGradients(x, 2, 1));
  });
});

describe("integrated gradients", () => {
  it.each(NAMES)("%s: attributions sum to f(x) − f(0) within 1%% (32 steps)", async (name) => {
    const { model, coupled } = await net(name);
    const rng = makeRng(23);
    const width = model.info.input.width;
    for (let trial = 0; trial < 3; trial++) {
      const row = randomArray(rng, width, -1.5, 1.5);
      const t: Target = { output: trial % model.info.output.width, sign: 1 };
      const a = integratedGradients(model, row, t, 32, coupled ? 1 : 32);
      const total = a.values.reduce((s, v) => s + v, 0);
      const delta = a.fx - a.fBaseline;
      expect(Math.abs(total - delta), `trial ${trial}: Σ ${total} vs Δ ${delta}`).toBeLessThanOrEqual(0.01 * Math.abs(delta) + 1e-9);
    }
  });
});
