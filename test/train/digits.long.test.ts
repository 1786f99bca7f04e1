// examples/digits.net trained as its train block says reaches 97 % validation accuracy on the
// bundled digits, and so does its standalone predictor, run alone under plain node.
import { describe, expect, it, vi } from "vitest";
import { standaloneAccuracy, trainDigits } from "./digits-support.js";

vi.setConfig({ testTimeout: 600_000 });

describe("examples/digits.net trained in full", () => {
  it("reaches at least 97 % validation accuracy, and its predictor alone does too", async () => {
    const trained = await trainDigits(15);
    expect(trained.after).toBeGreaterThanOrEqual(0.97);
    expect(await standaloneAccuracy(trained)).toBe(trained.after);
  });
});
