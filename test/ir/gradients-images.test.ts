// The derivatives of the image and sequence ops — conv2d (with stride, padding wider than the
// kernel, several channels), max and average pooling (with rows and columns no window covers),
// flatten, and dense, layernorm, softmax and a broadcast table on [B,T,d] — checked against
// central finite differences through the emitted code, as the op table does for vector ops; the
// convolution models again on the wasm backend.
import { describe, it } from "vitest";
import { compileSource, makeRng, randomizeWeights } from "../support/helpers.js";
import { expectGradientsMatchOnBatches, modelData } from "./gradient-cases.js";

const model = (input: string, body: string, width: number) => `model t {
  input x[${input}]
  target y[${width}]
  ${body}
  output p
  loss sum(p * y)
  train { batch 3 }
}`;

const CASES: [string, string][] = [
  [
    "conv2d with stride 2 and padding 1 on 2 channels, then maxpool2d leaving a column out",
    // [2,7,6] → conv [3,4,3] → maxpool 2 → [3,2,1]
    model("2, 7, 6", "h = tanh(conv2d(x, 3, kernel: 3, stride: 2, padding: 1))\n  p = flatten(maxpool2d(h, 2))", 6),
  ],
  [
    "conv2d whose padding is wider than its kernel, then avgpool2d leaving rows out",
    // [1,5,5] → conv [2,8,8] (its outer ring sees only padding) → avgpool 3 → [2,2,2]
    model("1, 5, 5", "h = conv2d(x, 2, kernel: 2, padding: 2)\n  p = flatten(avgpool2d(h * h, 3))", 8),
  ],
  [
    // Planes of more than 256 taps loop over their interior; the padded border stays straight-line code.
    "two padded conv2d over a 13x11 image: interior loops, straight-line border",
    model("1, 13, 11", "h = tanh(conv2d(x, 2, kernel: 3, padding: 1))\n  p = flatten(maxpool2d(conv2d(h, 2, kernel: 3, padding: 1), 3))", 24),
  ],
  [
    // Borders of more than 1024 taps loop too, checking each tap (here for both derivatives).
    "conv2d with kernel 5, stride 2, padding 2 over 41x40: checked border loops",
    model("1, 41, 40", "h = tanh(conv2d(x, 1, kernel: 1))\n  p = flatten(avgpool2d(conv2d(h, 2, kernel: 5, stride: 2, padding: 2), 4))", 50),
  ],
  [
    // Kernels and windows of more than 11×11 loop over their taps instead of unrolling them.
    "a 12x12 kernel and 12x12 pooling windows: tap loops",
    model(
      "1, 14, 13",
      "h = tanh(conv2d(x, 1, kernel: 1))\n  c = conv2d(h, 2, kernel: 12, padding: 1)\n  p = concat(concat(flatten(c), flatten(maxpool2d(h, 12))), flatten(avgpool2d(h * h, 12)))",
      42,
    ),
  ],
  [
    "conv2d without padding as a layer line, flatten and dense",
    `model t {
  input x[2, 4, 4]
  target y[3]
  layers {
    conv2d 2 tanh
    conv2d 2 kernel: 2 relu
    flatten
    dense 3
  }
  loss mse
  train { batch 3 }
}`,
  ],
  [
    "dense, @, layernorm, softmax and a position table on a sequence [T,d]",
    `model t {
  input x[3, 4]
  target y[6]
  param P[3, 4] = normal(0, 1)
  param Q[3, 2] = normal(0, 1)
  param W[2, 2] = normal(0, 1)
  h = layernorm(x + P)
  z = dense(h, 2) + Q
  p = flatten(softmax(tanh(z) @ W))
  output p
  loss sum(p * y)
  train { batch 3 }
}`,
  ],
];

describe("gradients of image and sequence ops match central finite differences through the emitted code", () => {
  it.each(CASES)("%s", async (_, source) => {
    const { module } = await compileSource(source, { maxBatch: 3, verify: true });
    const net = module.createModel({ seed: 5 });
    const rng = makeRng(source.length);
    randomizeWeights(net, rng);
    expectGradientsMatchOnBatches(net, [1, 3], (n) => modelData(net, rng, n), false);
  });
});

// The wasm backend runs the convolutions (forward, stride-1 input derivative, weight derivative)
// and max pooling as wasm kernels; the same finite-difference checks on its float64 module.
describe("the same on the wasm backend", { timeout: 60_000 }, () => {
  it.each(CASES.filter(([name]) => /conv2d/.test(name) && !/12x12/.test(name)))("%s", async (_, source) => {
    const { module } = await compileSource(source, { maxBatch: 3, backend: "wasm" });
    const net = module.createModel({ seed: 5 });
    const rng = makeRng(source.length);
    randomizeWeights(net, rng);
    expectGradientsMatchOnBatches(net, [1, 3], (n) => modelData(net, rng, n), false);
  });
});
