// The 20-layer examples trained for their full 100 epochs on the spirals (test:long): the
// residual net with batchnorm learns them, the plain stack of the same depth does not.
import { describe, expect, it } from "vitest";
import { BUNDLED_DATA } from "../../data/bundled-data.js";
import { encodeTable } from "../../data/dataset.js";
import { argmax, compileExample } from "../support/helpers.js";

describe("examples/deep.net on spirals", () => {
  async function train(name: string) {
    const { module, result } = await compileExample(name, { maxBatch: 200 });
    const data = encodeTable(BUNDLED_DATA.spirals!.load(1), result.model);
    const model = module.createModel();
    const history = model.fit(data.x, data.y!, data.n).losses;
    const out = model.predict(data.x, data.n);
    let correct = 0;
    for (let r = 0; r < data.n; r++) if (argmax(out, r * 2, 2) === data.classes![r]) correct++;
    return { n: data.n, history, accuracy: correct / data.n, loss: model.loss(data.x, data.y!, data.n) };
  }
  let deep: ReturnType<typeof train> | undefined;
  const trainedDeep = () => (deep ??= train("deep"));

  it("the 20-layer residual net with batchnorm fits the 200 points to >= 95 % (eval mode)", async () => {
    const { n, history, accuracy } = await trainedDeep();
    expect(n).toBe(200);
    expect(history).toHaveLength(100);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it("the same depth without normalization or skip connections ends with a far worse loss", async () => {
    const good = await trainedDeep();
    const plain = await train("deep-plain");
    expect(plain.accuracy).toBeLessThan(0.8);
    // Eval-mode loss on the training set after training, and the best epoch's training loss
    // (the epoch losses of the batchnorm net are noisy: they use each minibatch's statistics).
    expect(plain.loss).toBeGreaterThan(10 * good.loss);
    expect(Math.min(...plain.history)).toBeGreaterThan(10 * Math.min(...good.history));
  }, 120_000);
});
