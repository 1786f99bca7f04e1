// The package's compile API (lib/index.ts, imported as "netc" — the sources, see vitest.config.ts)
// beyond what the CLI tests reach: its options, and the JavaScript it returns running as imported.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, type Model, type ModelOptions } from "netc";
import { ROOT } from "../support/helpers.js";

const XOR = readFileSync(join(ROOT, "examples/xor.net"), "utf8");

async function importJavaScript(code: string): Promise<{ createModel(options?: ModelOptions): Model }> {
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

describe("compile (the package API)", () => {
  it("maxBatch sizes the module's buffers (format: false: unformatted, the same code)", async () => {
    const options = { file: "xor.net", language: "javascript", format: false } as const;
    const sized = await compile(XOR, { ...options, maxBatch: 40 });
    const plain = await compile(XOR, options);
    expect(sized.diagnostics).toEqual([]);
    const big = (await importJavaScript(sized.code!)).createModel({ seed: 1 });
    const small = (await importJavaScript(plain.code!)).createModel({ seed: 1 });
    expect(big.info.maxBatch).toBe(40);
    expect(small.info.maxBatch).toBe(4); // xor.net's train block: batch 4
    const x = Float64Array.from({ length: 80 }, (_, i) => (i % 3) / 2);
    expect(Array.from(big.predict(x, 40))).toEqual(Array.from(small.predict(x, 40, new Float64Array(40))));
  });

  it("refuses a maxBatch that is not a whole number of rows", async () => {
    for (const maxBatch of [0, 2.5, -1, Number.NaN]) {
      await expect(compile(XOR, { maxBatch })).rejects.toThrow(new RangeError(`compile: maxBatch must be a whole number of rows, at least 1 (got ${maxBatch})`));
    }
  });
});
