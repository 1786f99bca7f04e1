// The prelude (compiler/prelude/): the model-independent code of every generated module, written
// as ordinary TypeScript and inlined at emit time. A module carries exactly the declarations it
// uses, verbatim; the formatter never touches them, so the source files are kept formatted.
import { readdirSync, readFileSync } from "node:fs";
import * as prettier from "prettier";
import { describe, expect, it, vi } from "vitest";
import { identifiers, preludeFor, preludeNames } from "../compiler/emit/prelude.js";
import { typeErrors } from "../compiler/emit/verify.js";
import { scheduledLr, type Schedule } from "../compiler/prelude/training.js";
import { compileSource } from "./support/helpers.js";

vi.setConfig({ testTimeout: 60_000 });

const DIR = new URL("../compiler/prelude/", import.meta.url);
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".ts"));

const DROPOUT = `model d {
  input x[3]
  target y[1]
  param W[3, 4] = normal(0, 0.5)
  param b[4]
  param scale[4] = ones
  h = dropout(relu(x @ W + b) * scale, 0.2)
  p = sigmoid(dense(h, 1))
  output p
  loss bce(p, y)
}`;

describe("prelude sources", () => {
  it.each(FILES)("%s is formatted as the generated code around it is", async (file) => {
    const text = readFileSync(new URL(file, DIR), "utf8");
    expect(await prettier.check(text, { parser: "babel-ts", filepath: file, printWidth: 110 })).toBe(true);
  });

  it("declares every name once, and the inliner knows every file", () => {
    const names = preludeNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["Model", "sfc32", "checkRows", "assembleModel", "decodeFloat64"]));
  });
});

describe("inlining", () => {
  it("takes what the code uses and everything that uses in turn, in prelude order, without export unless public", () => {
    const text = preludeFor("const s = seededRng(seed); initHe(W, 4, s); // initNormal is mentioned, not called");
    const declared = [...text.matchAll(/^(?:export )?(?:function|interface|type) (\w+)/gm)].map((m) => m[1]);
    expect(declared).toEqual(["sfc32", "seedRng", "seededRng", "gaussian", "initHe"]);
    expect(text).not.toMatch(/^export /m);
    expect(preludeFor("const m: Model = make();")).toMatch(/^export interface Model \{/m);
  });

  it("reads identifiers outside comments and quoted strings, inside template literals", () => {
    const found = identifiers('a /* b */ c // d\n"e" \'f\' `g ${h}` i_1 $j');
    expect([...found].sort()).toEqual(["$", "$j", "a", "c", "g", "h", "i_1"]);
  });

  it("a trainer carries only the initializers and generators its parameters and layers use", async () => {
    const xor = (await compileSource("model x { input x[2]\n target y[1]\n layers { dense 3 tanh; dense 1 sigmoid }\n loss bce }", { format: false })).result.code;
    expect(xor).toMatch(/initXavier\(layer1_W, 2, 3, rng\);/);
    expect(xor).not.toMatch(/initParam|"zeros"|initXavier\(layer1_b|function (gaussian|initNormal|initHe|initUniform|readSample)\b/);
    expect(xor).not.toMatch(/nextDropout|seededRng\(seed \+ 2\)/);
    expect(xor).toContain("dropoutRng: null");

    const drop = (await compileSource(DROPOUT, { format: false })).result.code;
    expect(drop).toMatch(/initNormal\(W, 0, 0\.5, rng\);/);
    expect(drop).toMatch(/function gaussian\(/);
    expect(drop).toMatch(/const scale = [^;\n]*\.fill\(1\);/);
    expect(drop).not.toMatch(/init\w+\((b|scale),/);
    expect(drop).toContain("const dropoutRng = seededRng(seed + 2);");
    expect(drop).toMatch(/function nextDropout\(\): number/);
  });

  it("a generated module exports the prelude's API types verbatim", async () => {
    const code = (await compileSource(DROPOUT, { format: false })).result.code;
    const api = readFileSync(new URL("api.ts", DIR), "utf8");
    const exported = api.split("\n\n").filter((chunk) => /^(\/\*\*[\s\S]*?\*\/\n)?export /.test(chunk));
    expect(exported.length).toBe(11);
    for (const declaration of exported) expect(code).toContain(declaration);
  });
});

describe("prelude functions", () => {
  it("warm-up multiplies the whole scheduled rate, cosine included (README: scheduled rate × min(1, epoch/N))", () => {
    const cosine: Schedule = { kind: "cosine", lr: 0.1, min: 0.01, epochs: 10, warmup: 4 };
    for (let epoch = 1; epoch <= 14; epoch++) {
      const scheduled = 0.01 + (0.1 - 0.01) * 0.5 * (1 + Math.cos((Math.PI * Math.min(epoch - 1, 10)) / 10));
      expect(scheduledLr(cosine, epoch)).toBe(scheduled * Math.min(1, epoch / 4));
    }
    expect(scheduledLr({ kind: "step", lr: 0.1, every: 2, gamma: 0.5, warmup: 0 }, 5)).toBe(0.025);
  });
});

describe("--verify's type check", () => {
  it("reports each error with its position, and nothing for a clean module", () => {
    expect(typeErrors("export const a: number = 1;\n")).toEqual([]);
    expect(typeErrors("export const a: number = 1;\nexport const b: string = a;\n")).toEqual(["model.ts:2:14: Type 'number' is not assignable to type 'string'."]);
    // Strict, and without Node's or the DOM's globals.
    expect(typeErrors("export function f(x) { return Buffer.from(document.title); }\n")).toHaveLength(3);
  });
});
