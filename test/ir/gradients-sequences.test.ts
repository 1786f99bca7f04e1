// The derivatives of the sequence ops — embedding (ids repeated within a row, so the
// scatter-add sums), the recurrent layers rnn, gru and lstm (backpropagation through time over
// every step, gradients reaching the hidden states from every position and from the last
// alone), last, mean over an axis, and attention with one or several heads, causal or not — checked against central finite differences through the
// emitted code, as the op table does for vector ops.
import { describe, it } from "vitest";
import { compileSource, makeRng, randomizeWeights } from "../support/helpers.js";
import { expectGradientsMatchOnBatches, modelData } from "./gradient-cases.js";

const model = (input: string, body: string, width: number) => `model t {
  input ${input}
  target y[${width}]
  ${body}
  output p
  loss sum(p * y)
  train { batch 3 }
}`;

const CASES: [string, string][] = [
  ["embedding of 5 ids from a vocabulary of 3: repeated ids add up", model("s[5]: index(3)", "p = flatten(tanh(embedding(s, 2)))", 10)],
  ["rnn over 4 steps, every hidden state", model("x[4, 3]", "p = flatten(rnn(x, 3))", 12)],
  ["rnn and lstm of width 5: full and partial register tiles", model("x[3, 2]", "p = flatten(lstm(rnn(x, 5), 5))", 15)],
  ["gru of width 9: several register tiles back through time", model("x[3, 1]", "p = flatten(gru(x, 9))", 27)],
  ["lstm over 4 steps, every hidden state", model("x[4, 2]", "p = flatten(lstm(x, 3))", 12)],
  ["gru over 4 steps, every hidden state", model("x[4, 2]", "p = flatten(gru(x, 3))", 12)],
  ["lstm then its last state", model("x[5, 2]", "p = dense(last(lstm(x, 3)), 2)", 2)],
  ["gru over embeddings, mean over positions (axis 0)", model("s[4]: index(5)", "p = mean(gru(embedding(s, 3), 2), axis: 0)", 2)],
  ["two stacked recurrent layers in one binding", model("x[3, 2]", "p = flatten(rnn(lstm(x, 2), 2))", 6)],
  ["mean over the last axis of [T, d] (axis 1)", model("x[3, 4]", "p = mean(tanh(dense(x, 2)), axis: 1)", 3)],
  ["attention, one head", model("x[3, 4]", "p = flatten(attention(x))", 12)],
  ["attention, two heads of width 3", model("x[4, 6]", "p = flatten(tanh(attention(x, heads: 2)))", 24)],
  ["causal attention, three heads, then a second attention block", model("x[4, 3]", "a = x + attention(x, heads: 3, causal: true)\n  p = flatten(attention(layernorm(a), causal: true))", 12)],
];

describe("gradients of sequence ops match central finite differences through the emitted code", () => {
  it.each(CASES)("%s", async (_, source) => {
    const { module } = await compileSource(source, { maxBatch: 3 });
    const net = module.createModel({ seed: 5 });
    const rng = makeRng(source.length);
    randomizeWeights(net, rng);
    expectGradientsMatchOnBatches(net, [1, 3], (n) => modelData(net, rng, n), false);
  });
});
