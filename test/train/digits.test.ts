// examples/digits.net learns: two epochs on the bundled digits take it from chance to most
// validation digits right, and its standalone predictor classifies them as the trainer does.
// The whole run (≥ 97 %) is digits.long.test.ts.
import { describe, expect, it, vi } from "vitest";
import { standaloneAccuracy, trainDigits } from "./digits-support.js";

vi.setConfig({ testTimeout: 120_000 });

describe("examples/digits.net on --data digits", () => {
  it("two epochs lift validation accuracy from chance to over 85 %; the predictor alone agrees", async () => {
    const trained = await trainDigits(2);
    expect(trained.before).toBeLessThan(0.25);
    expect(trained.after).toBeGreaterThan(0.85);
    expect(await standaloneAccuracy(trained)).toBe(trained.after);
  });
});
