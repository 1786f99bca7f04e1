// The sequence examples trained as their train blocks say: examples/sequence.net reaches 98 %
// per-position accuracy on --data parity and examples/transformer.net 95 % on --data sorting,
// and so do their standalone predictors, run alone under plain node.
import { describe, expect, it, vi } from "vitest";
import { standaloneAccuracy, trainExample } from "./sequences-support.js";

vi.setConfig({ testTimeout: 1_200_000 });

describe("the sequence examples trained in full", () => {
  it.each([
    ["sequence", "parity", 0.98],
    ["transformer", "sorting", 0.95],
  ] as const)("%s.net on --data %s reaches its accuracy, and its predictor alone does too", async (name, data, accuracy) => {
    const { compileExample } = await import("../support/helpers.js");
    const epochs = (await compileExample(name)).result.model.train.epochs;
    const trained = await trainExample(name, data, epochs);
    expect(trained.after).toBeGreaterThanOrEqual(accuracy);
    expect(await standaloneAccuracy(trained)).toBe(trained.after);
  });
});
