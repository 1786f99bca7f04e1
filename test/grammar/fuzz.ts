// Random and damaged input for the parser: it never throws, and every diagnostic's span is well
// formed (line:col names the same place as the offset). Seeded, so a failure reproduces.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, printAst } from "../../grammar/index.js";
import type { Program } from "../../grammar/ast.js";
import { Diagnostics } from "../../diagnostics/index.js";

const EXAMPLES = ["logistic", "xor", "lecture", "iris", "regression"];
function example(name: string): string {
  return readFileSync(new URL(`../../examples/${name}.net`, import.meta.url), "utf8");
}

export function describeGrammarFuzz(count: { bytes: number; soups: number; edits: number }): void {
describe("robustness", () => {
  /** mulberry32: a tiny seeded PRNG so failures reproduce. */
  function prng(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function checkInvariants(source: string): void {
    const diags = new Diagnostics();
    let program: Program | undefined;
    expect(() => (program = parse(source, diags)), JSON.stringify(source)).not.toThrow();
    expect(() => printAst(program!)).not.toThrow();
    for (const d of diags.list) {
      const context = `${JSON.stringify(source)} → ${d.message}`;
      expect(d.message, context).not.toMatch(/^internal/);
      expect(d.span.line, context).toBeGreaterThanOrEqual(1);
      expect(d.span.col, context).toBeGreaterThanOrEqual(1);
      expect(d.span.start, context).toBeLessThanOrEqual(d.span.end);
      expect(d.span.end, context).toBeLessThanOrEqual(source.length);
      // line:col must name the same place as the offset.
      const before = source.slice(0, d.span.start).split("\n");
      expect([d.span.line, d.span.col], context).toEqual([before.length, before[before.length - 1]!.length + 1]);
    }
  }

  it(`${count.bytes} random byte strings never throw and give well-formed spans`, () => {
    const random = prng(1);
    for (let i = 0; i < count.bytes; i++) {
      const length = Math.floor(random() * 80);
      const chars = Array.from({ length }, () => {
        const r = random();
        return String.fromCharCode(r < 0.9 ? Math.floor(random() * 256) : Math.floor(random() * 0x10000));
      });
      checkInvariants(chars.join(""));
    }
  });

  it(`${count.soups} random token soups never throw and give well-formed spans`, () => {
    const vocabulary = [
      "model", "block", "input", "target", "param", "output", "loss", "layers", "train", "return",
      "x", "dense", "class", "lr", "0", "2", "0.5", "1e-8", "1.2.3", "3x", "1e400",
      "{", "}", "(", ")", "[", "]", ",", ":", ";", "=", "+", "-", "*", "/", "@",
      "\n", "\n", "\r\n", " ", "\t", "# note\n", "é", "\u0000", "😀",
    ];
    const random = prng(2);
    for (let i = 0; i < count.soups; i++) {
      const length = Math.floor(random() * 60);
      const words = Array.from({ length }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
      checkInvariants(words.join(random() < 0.5 ? " " : ""));
    }
  });

  it(`${count.edits} examples with a few characters deleted, duplicated or swapped never throw`, () => {
    const random = prng(3);
    const sources = EXAMPLES.map(example);
    for (let i = 0; i < count.edits; i++) {
      let source = sources[i % sources.length]!;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * source.length);
        const other = Math.floor(random() * source.length);
        const r = random();
        if (r < 0.4) source = source.slice(0, at) + source.slice(at + 1);
        else if (r < 0.7) source = source.slice(0, at) + source[other] + source.slice(at);
        else source = source.slice(0, at) + source[other] + source.slice(at + 1);
      }
      checkInvariants(source);
    }
  });
});
}
