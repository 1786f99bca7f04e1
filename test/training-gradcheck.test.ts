// Gradients of batchnorm, layernorm and dropout in training mode against central finite
// differences of the train-mode loss, all through the emitted code. Dropout's mask is held
// fixed by restoring the same training state (and so the same generator) before every call.
import { describe, expect, it, vi } from "vitest";
import type { Model } from "../cli/generated-types.js";
import { BACKENDS, compileSource, makeRng, randomArray, randomizeWeights } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000 }); // the wasm backend's first compile loads binaryen

interface Mismatch {
  name: string;
  index: number;
  analytic: number;
  numeric: number;
}

/** Every trainable element: |analytic − numeric| <= tol · max(1, |analytic|, |numeric|). */
function trainModeCheck(model: Model, x: Float64Array, y: Float64Array, n: number, h: number, tol: number) {
  const saved = model.getState();
  const { grads, loss } = model.gradients(x, y, n);
  model.setState(saved);
  // gradients() and loss(…, "train") see the same masks and batch statistics.
  expect(model.loss(x, y, n, "train")).toBe(loss);
  const weights = model.getWeights();
  const failures: Mismatch[] = [];
  let checked = 0;
  let maxGrad = 0;
  const at = (name: string, data: Float64Array) => {
    model.setWeights({ [name]: { data } });
    model.setState(saved);
    return model.loss(x, y, n, "train");
  };
  for (const [name, g] of Object.entries(grads)) {
    const data = weights[name]!.data.slice();
    for (let i = 0; i < data.length; i++) {
      const original = data[i]!;
      data[i] = original + h;
      const up = at(name, data);
      data[i] = original - h;
      const down = at(name, data);
      data[i] = original;
      model.setWeights({ [name]: { data } });
      const numeric = (up - down) / (2 * h);
      const analytic = g.data[i]!;
      checked++;
      maxGrad = Math.max(maxGrad, Math.abs(analytic));
      if (!(Math.abs(analytic - numeric) <= tol * Math.max(1, Math.abs(analytic), Math.abs(numeric)))) failures.push({ name, index: i, analytic, numeric });
    }
  }
  return { checked, maxGrad, failures, paramCount: Object.keys(grads).length };
}

const model = (inW: number, outW: number, body: string, loss = "mse(p, y)") => `model g {
  input x[${inW}]
  target y[${outW}]
  ${body}
  output p
  loss ${loss}
}`;

// [label, source, rows]
const CASES: [string, string, number][] = [
  ["batchnorm, 1 feature, 2 rows", model(3, 2, "h = batchnorm(dense(x, 1))\n  p = dense(tanh(h), 2)"), 2],
  ["batchnorm, 4 features, 5 rows", model(2, 3, "h = batchnorm(dense(x, 4), momentum: 0.2)\n  p = dense(tanh(h), 3)"), 5],
  ["batchnorm, 3 features, 16 rows", model(4, 2, "h = batchnorm(dense(x, 3), eps: 0.001)\n  p = dense(tanh(h), 2)"), 16],
  ["batchnorm straight on the output", model(3, 3, "p = batchnorm(dense(x, 3))"), 6],
  ["layernorm, 2 features, 1 row", model(3, 2, "h = layernorm(dense(x, 2))\n  p = dense(tanh(h), 2)"), 1],
  ["layernorm, 3 features, 4 rows", model(2, 2, "h = layernorm(dense(x, 3), eps: 0.01)\n  p = dense(tanh(h), 2)"), 4],
  ["layernorm, 6 features, 3 rows", model(4, 3, "h = layernorm(tanh(dense(x, 6)))\n  p = dense(h, 3)"), 3],
  ["dropout 0.2, 3 features, 2 rows", model(2, 2, "h = dropout(tanh(dense(x, 3)), 0.2)\n  p = dense(h, 2)"), 2],
  ["dropout 0.5, 5 features, 6 rows", model(3, 2, "h = dropout(dense(x, 5), p: 0.5)\n  p = dense(tanh(h), 2)"), 6],
  ["dropout 0.75 on the input", model(4, 1, "p = dense(tanh(dropout(x, 0.75)), 1)"), 5],
  ["two dropouts of different rates side by side", model(2, 2, "a = dropout(tanh(dense(x, 3)), 0.3)\n  b = dropout(tanh(dense(x, 3)), 0.6)\n  p = dense(a * b + b, 2)"), 4],
  [
    "dense → batchnorm → dropout → layernorm → softmax with cross_entropy",
    `model g {
  input x[3]
  target label: class(3)
  h1 = dropout(tanh(batchnorm(dense(x, 4))), 0.3)
  h2 = layernorm(dense(h1, 4)) + h1
  p = softmax(dense(h2, 3))
  output p
  loss cross_entropy(p, label)
}`,
    7,
  ],
  [
    "two batchnorms and a layernorm in one binding",
    model(2, 2, "p = dense(tanh(layernorm(batchnorm(batchnorm(dense(x, 3), momentum: 0.5)))), 2)"),
    4,
  ],
];

describe.each(BACKENDS)("train-mode gradients against central differences (%s)", (backend) => {
  it.each(CASES)("%s", async (_, source, n) => {
    const { module, result } = await compileSource(source, { maxBatch: n, backend });
    const m = module.createModel({ seed: 3 });
    const rng = makeRng(source.length * 31 + n);
    randomizeWeights(m, rng, -1, 1);
    const x = randomArray(rng, n * result.model.input.width, -2, 2);
    const classes = result.model.target.classes;
    const y = classes ? Float64Array.from({ length: n }, () => Math.floor(rng() * classes)) : randomArray(rng, n * result.model.target.width);
    const report = trainModeCheck(m, x, y, n, 1e-5, 1e-6);
    expect(report.failures).toEqual([]);
    expect(report.paramCount).toBe(result.model.params.length);
    expect(report.checked).toBeGreaterThan(0);
    expect(report.maxGrad).toBeGreaterThan(1e-3);
    // Dropout really is active in these losses (with p ≥ 0.2, some unit is dropped in train mode).
    if (source.includes("dropout")) expect(m.loss(x, y, n, "train")).not.toBe(m.loss(x, y, n, "eval"));
  });
});
