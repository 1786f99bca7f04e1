// conv2d (strided, padded, several channels), max and average pooling, flatten, dense,
// layernorm and softmax over a sequence's positions, embedding, the recurrent layers (against
// PyTorch's equations unrolled in tfjs ops) and attention with per-position targets, against tfjs's own conv2d, pooling and
// autodiff through the tfjs interpreter of the IR (tf-ir.ts): the loss and every gradient
// before training, then 50 SGD steps on both sides (the machinery is crosscheck.ts).
import { beforeAll, describe, it, vi } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compileToGraph } from "../../compiler/index.js";
import { compare, expectAgreement, irModel, rowsOf } from "./crosscheck.js";
import { loadUnformatted } from "./support.js";

vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const MODELS: [string, string][] = [
  [
    "conv2d (stride 2, padding 1, 2 channels in) → maxpool2d → conv2d (kernel 2) → avgpool2d → dense",
    `model images {
  input img[2, 9, 8]
  target y: class(3)
  c1 = tanh(conv2d(img, 4, kernel: 3, stride: 2, padding: 1))
  c2 = tanh(conv2d(maxpool2d(c1, 2), 3, kernel: 2, padding: 1))
  p = softmax(dense(flatten(avgpool2d(c2, 2)), 3))
  output p
  loss cross_entropy
  train { optimizer sgd(lr: 0.1); batch 8 }
}`,
  ],
  [
    "dense, layernorm and softmax on every position of a sequence, with a learned position table",
    `model sequence {
  input s[5, 3]
  target y[2]
  param P[5, 3] = normal(0, 0.5)
  h = layernorm(tanh(dense(s + P, 4)))
  a = softmax(dense(h, 4)) * h
  p = dense(flatten(a), 2)
  output p
  loss mse
  train { optimizer sgd(lr: 0.05); batch 8 }
}`,
  ],
  [
    "embedding, an lstm and a gru stacked, last and mean over positions",
    `model recurrent {
  input s[6]: index(7)
  target y: class(3)
  e = embedding(s, 4)
  h = lstm(e, 5)
  g = gru(h, 4)
  p = softmax(dense(last(g) + mean(rnn(h, 4), axis: 0), 3))
  output p
  loss cross_entropy
  train { optimizer sgd(lr: 0.1); batch 8 }
}`,
  ],
  [
    "attention (two heads, then causal with three) with a class per position",
    `model attend {
  input s[5]: index(9)
  target y[5]: class(4)
  param pos[5, 6] = normal(0, 0.5)
  x = embedding(s, 6) + pos
  a = x + attention(layernorm(x), heads: 2)
  b = a + attention(a, heads: 3, causal: true)
  p = softmax(dense(b, 4))
  output p
  loss cross_entropy
  train { optimizer sgd(lr: 0.1); batch 8 }
}`,
  ],
];

describe("image and sequence ops against tfjs", () => {
  it.each(MODELS)("%s: loss, gradients and 50 SGD steps agree", async (_, source) => {
    const ir = compileToGraph(source).model;
    const { create } = await loadUnformatted(source);
    expectAgreement(ir.name, compare(create, ir, irModel(ir, rowsOf), 21, "free"));
  });
});
