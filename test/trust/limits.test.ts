// Resource limits: a model that would need more memory than netc will preallocate is refused at
// compile time with a diagnostic that states how much it needs — quickly, without the compiler
// itself allocating or looping over the elements it is refusing.
import { describe, expect, it } from "vitest";
import { compileToGraph, MEMORY_LIMIT_BYTES, NetcError } from "../../compiler/index.js";
import { badPosition } from "./support.js";

function refusal(source: string): { message: string; ms: number; rssGrowth: number } {
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  try {
    compileToGraph(source, { file: "big.net" });
  } catch (err) {
    const ms = performance.now() - started;
    if (!(err instanceof NetcError)) throw err;
    for (const d of err.diagnostics) expect(badPosition(d, source), d.message).toBeUndefined();
    return { message: err.message, ms, rssGrowth: process.memoryUsage().rss - rss };
  }
  throw new Error("compiled, but should have been refused");
}

const model = (decls: string, body: string, train = "") =>
  `model big {\n  ${decls}\n  ${body}\n  output p\n  loss mse(p, y)\n${train}}\n`;

describe("resource limits", () => {
  it(`a 10^6 × 10^6 layer: a clear diagnostic with the memory it needs (limit ${MEMORY_LIMIT_BYTES} bytes)`, () => {
    const r = refusal(model("input x[1000000]\n  target y[1000000]", "p = dense(x, 1000000)"));
    // (10^12 weights + 10^6 biases) · 8 bytes = 8.000008e12 bytes = 7.28 TiB.
    // The diagnostic points at the layer that asks for the memory, and names its tensor.
    expect(r.message).toMatch(/^big\.net:4:7: error: model 'big' needs 7\.28 TiB .*more than the 2\.00 GiB limit \(the largest, 'p\.W' \[1000000, 1000000\], needs 7\.28 TiB\)/);
    expect(r.ms).toBeLessThan(2_000);
    expect(r.rssGrowth).toBeLessThan(200 * 2 ** 20);
  });

  it("hand-declared parameters and a huge class count are measured the same way", () => {
    expect(refusal(model("input x[2]\n  target y[1]\n  param W[1000000, 1000000]", "p = dense(x, 1) + sum(W)")).message).toMatch(/needs 7\.28 TiB/);
    const classes = "input x[2]\n  target y: class(1000000000)";
    expect(refusal(model(classes, "p = softmax(dense(x, 1000000000))").replace("mse", "cross_entropy")).message).toMatch(/needs 22\.4 GiB/);
  });

  it("a batch too large for the work buffers is refused with the batch named", () => {
    // The input rows are the caller's arrays; the hidden layer's [1000000, 1000] buffer is netc's.
    const r = refusal(model("input x[10]\n  target y[1]", "p = dense(tanh(dense(x, 1000)), 1)", "  train { batch 1000000 }\n"));
    expect(r.message).toMatch(/needs [\d.]+ GiB of preallocated memory at batch 1000000, more than the 2\.00 GiB limit/);
  });

  it("sizes beyond 2^53 elements still give a number, not NaN or Infinity", () => {
    const r = refusal(model("input x[4294967296]\n  target y[4294967296]", "p = dense(x, 4294967296)"));
    expect(r.message).toMatch(/needs [\d.]+ PiB/);
    expect(r.message).not.toMatch(/NaN|Infinity/);
  });

  it("dimensions that are not safe integers are refused before any sizing", () => {
    for (const dim of ["1e300", "99999999999999999999", "2.5", "0"]) {
      const r = refusal(model(`input x[${dim}]\n  target y[1]`, "p = dense(x, 1)"));
      expect(r.message, dim).toMatch(/dimension must be a positive integer/);
    }
  });
});
