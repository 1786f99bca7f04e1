// The gradient of every one of deep-plain.net's 19,170 weights against central finite
// differences, through the emitted code (test:long). deep.net is left to the tfjs cross-check
// (crosscheck.long.test.ts): its batchnorm standardizes some 600 ReLU inputs per row to about
// N(0, 1), so a step of 1e-5 carries some of them across the kink at 0 (at steps of 1e-6 and
// below the differences agree with its emitted gradients to 1e-7).
import { describe, it, vi } from "vitest";
import { compileExample, makeRng } from "../support/helpers.js";
import { DEFAULT_BATCHES, expectGradientsMatchOnBatches, modelData } from "./gradient-cases.js";

vi.setConfig({ testTimeout: 600_000 });

describe("gradients of a 20-layer example, with its own initialization", () => {
  it("deep-plain", async () => {
    const { module } = await compileExample("deep-plain", { maxBatch: 5 });
    const model = module.createModel();
    const rng = makeRng("deep-plain".length * 7919);
    expectGradientsMatchOnBatches(model, DEFAULT_BATCHES, (n) => modelData(model, rng, n), false);
  });
});
