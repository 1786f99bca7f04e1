// The gradients of the two 20-layer examples (test:long): every one of their thousands of
// weights against central finite differences, deep.net in training mode (batchnorm's batch
// statistics), through the emitted code.
import { describe, it, vi } from "vitest";
import { compileExample, exampleSource, makeRng } from "../support/helpers.js";
import { expectGradientsMatchOnBatches, modelData, usesModes } from "./gradient-cases.js";

vi.setConfig({ testTimeout: 600_000 });

describe("gradients of the deep examples, with their own initialization", () => {
  it.each(["deep-plain", "deep"])("%s", async (name) => {
    const { module } = await compileExample(name, { maxBatch: 5 });
    const model = module.createModel();
    const rng = makeRng(name.length * 7919);
    expectGradientsMatchOnBatches(model, [2, 5], (n) => modelData(model, rng, n), usesModes(exampleSource(name)));
  });
});
