// The sequence examples learn: a few epochs of examples/sequence.net on --data parity and one
// of examples/transformer.net on part of --data sorting lift per-position validation accuracy
// well above what they start from, and their standalone predictors, run alone under plain node,
// classify every position as the trainers do. The whole runs are sequences.long.test.ts.
import { describe, expect, it, vi } from "vitest";
import { standaloneAccuracy, trainExample } from "./sequences-support.js";

vi.setConfig({ testTimeout: 120_000 });

describe("the sequence examples on their bundled generators", () => {
  it("sequence.net (a GRU) learns running parity in four epochs; its predictor alone agrees", async () => {
    const trained = await trainExample("sequence", "parity", 4);
    expect(trained.before).toBeLessThan(0.6);
    expect(trained.after).toBeGreaterThan(0.95);
    expect(await standaloneAccuracy(trained)).toBe(trained.after);
  });

  it("transformer.net learns much of sorting in one epoch on 2,000 rows; its predictor alone agrees", async () => {
    const trained = await trainExample("transformer", "sorting", 1, 2000);
    expect(trained.before).toBeLessThan(0.3);
    expect(trained.after).toBeGreaterThan(0.6);
    expect(await standaloneAccuracy(trained)).toBe(trained.after);
  });
});
