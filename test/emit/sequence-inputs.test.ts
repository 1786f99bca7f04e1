// The generated module's checks on sequence data: every function that takes an index input
// refuses an id that is not a whole number in range, naming row and column, before anything
// runs; a per-position class target's bad label names its row and position.
import { describe, expect, it } from "vitest";
import { compileSource } from "../support/helpers.js";

const TAGGER = `model tagger {
  input s[4]: index(5)
  target y[4]: class(3)
  h = gru(embedding(s, 4), 6)
  p = softmax(dense(h, 3))
  output p
  loss cross_entropy
  train { batch 4 }
}`;

describe("index inputs and per-position targets in the generated module", () => {
  it("refuses bad ids in predict, loss, trainStep, gradients and fit, and bad labels by position", async () => {
    const { module } = await compileSource(TAGGER, { format: false });
    const model = module.createModel();
    const good = Float64Array.from([0, 1, 2, 3, 4, 3, 2, 1]);
    const y = Float64Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(model.predict(good, 2)).toHaveLength(24);
    const bad = good.slice();
    bad[6] = 5;
    const message = "x has 5 at row 1, column 2 (counting from 0); the index input takes whole numbers from 0 to 4";
    expect(() => model.predict(bad, 2)).toThrow(`predict: ${message}`);
    expect(() => model.loss(bad, y, 2)).toThrow(`loss: ${message}`);
    expect(() => model.trainStep(bad, y, 2)).toThrow(`trainStep: ${message}`);
    expect(() => model.gradients(bad, y, 2)).toThrow(`gradients: ${message}`);
    expect(() => model.fit(bad, y, 2, { epochs: 1 })).toThrow(`fit: ${message}`);
    bad[6] = 1.5;
    expect(() => model.predict(bad, 2)).toThrow("predict: x has 1.5 at row 1, column 2");
    const weights = model.getWeights();
    const badY = y.slice();
    badY[6] = 3;
    expect(() => model.trainStep(good, badY, 2)).toThrow("class label 3 in row 1, position 2 is not an integer in [0, 3)");
    for (const [name, w] of Object.entries(model.getWeights())) expect(w.data, name).toEqual(weights[name]!.data);
  });
});
