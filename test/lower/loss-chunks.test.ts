// Which losses can be computed in chunks (compiler/lower/loss-chunks.ts): decided from the loss
// graph, in each mode. The generated `loss` follows the decision (test/train/chunks.test.ts).
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/index.js";
import type { LossChunking } from "../../cli/generated-types.js";

/** lossChunks of a model with input x[3], target y[2] and output p = dense(h, 2); `net` and `loss` are lines 4 and 7. */
function chunks(loss: string, net = "h = tanh(dense(x, 4))", target = "y[2]"): { eval: LossChunking; train: LossChunking } {
  const source = `model m {\n  input x[3]\n  target ${target}\n  ${net}\n  p = dense(h, 2)\n  output p\n  loss ${loss}\n}\n`;
  const { models, diagnostics } = analyze(source);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return models[0]!.lossChunks;
}

const MEAN = { combine: "mean", reason: null };
const SUM = { combine: "sum", reason: null };

describe("losses whose chunks combine exactly", () => {
  it.each([
    ["mse(p, y)", MEAN],
    ["mse(p, y) + 0.01 * l2(h.W)", MEAN],
    ["0.5 * mae(p, y) - huber(p, y) / 4 + l1(h.b) * l2(h.W)", MEAN],
    ["mean(square(p - y))", MEAN],
    ["mse(p, y, reduce: sum)", SUM],
    ["mse(p, y, reduce: sum) + 2 * mae(p, y, reduce: sum)", SUM],
    ["sum(abs(p - y)) / 3", SUM],
  ])("%s", (loss, want) => {
    expect(chunks(loss)).toEqual({ eval: want, train: want });
  });

  it("cross-entropy on class indices, with a penalty", () => {
    expect(chunks("cross_entropy(softmax(p), y) + 0.001 * l2(h.W)", undefined, "y: class(2)").eval).toEqual(MEAN);
  });

  it("dropout in both modes: its masks are drawn row by row", () => {
    expect(chunks("mse(p, y)", "h = dropout(tanh(dense(x, 4)), 0.5)")).toEqual({ eval: MEAN, train: MEAN });
  });

  it("batchnorm in evaluation mode (running statistics), not in training mode (the batch's own)", () => {
    const { eval: evalMode, train } = chunks("mse(p, y)", "h = batchnorm(dense(x, 4))");
    expect(evalMode).toEqual(MEAN);
    expect(train).toEqual({ combine: null, reason: "in training mode batchnorm normalizes with the statistics of the whole batch (line 4)" });
  });
});

describe("losses whose chunks do not combine, with the reason", () => {
  it.each([
    ["mse(p, y, reduce: sum) + 0.01 * l2(h.W)", /^it adds a term that does not depend on the rows to a sum over rows \(reduce: sum\), so every chunk would count that term again \(line 7\)$/],
    ["mse(p, y) + mae(p, y, reduce: sum)", /^it adds a mean over rows to a sum over rows \(line 7\)$/],
    ["sqrt(mse(p, y))", /^it applies 'sqrt' to a value computed from all rows \(line 7\)$/],
    ["mse(p, y) * mae(p, y)", /^it multiplies two values computed from all rows \(line 7\)$/],
    ["mse(p, y) / mae(p, y)", /^it divides by a value computed from all rows \(line 7\)$/],
  ])("%s", (loss, reason) => {
    const { eval: evalMode, train } = chunks(loss);
    expect(evalMode.combine).toBeNull();
    expect(evalMode.reason).toMatch(reason);
    expect(train).toEqual(evalMode);
  });

  it("a network that centres each row on the batch's mean", () => {
    const { eval: evalMode } = chunks("mse(p, y)", "h = tanh(dense(x, 4)) - mean(x)");
    expect(evalMode).toEqual({ combine: null, reason: "it combines rows with a value computed from the whole batch (line 4)" });
  });
});
