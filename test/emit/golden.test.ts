// Golden files of the emitted TypeScript for every example, and determinism: the same input
// compiles to the same bytes and the same seed trains to the same bits.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { compile } from "../../compiler/index.js";
import { loadGenerated } from "../../cli/load.js";
import type { Model } from "../../cli/generated-types.js";
import { compileExample, EXAMPLES, exampleSource, makeRng, randomArray } from "../support/helpers.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

const GOLDEN_DIR = new URL("../golden/trainer/", import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/**
 * The first hunk where `actual` departs from `expected`, as a unified-style diff (`-` golden,
 * `+` emitted), aligned by a longest-common-subsequence over a window of lines.
 */
function firstDiff(expected: string, actual: string, context = 3, maxLines = 60, window = 400): string {
  const ea = expected.split("\n");
  const eb = actual.split("\n");
  let start = 0;
  while (start < ea.length && start < eb.length && ea[start] === eb[start]) start++;
  const a = ea.slice(start, start + window);
  const b = eb.slice(start, start + window);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out = [`@@ golden line ${start + 1}, emitted line ${start + 1} @@`];
  for (let k = Math.max(0, start - context); k < start; k++) out.push(`  ${ea[k]}`);
  let i = 0, j = 0, same = 0, changed = 0;
  while ((i < a.length || j < b.length) && same <= context && changed < maxLines) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++, j++, same++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i++]}`);
      same = 0, changed++;
    } else {
      out.push(`+ ${b[j++]}`);
      same = 0, changed++;
    }
  }
  if (changed >= maxLines) out.push("  ...");
  return out.join("\n");
}

describe("golden files of the emitted code", () => {
  it.each(EXAMPLES)("%s.net matches its golden file", async (name) => {
    const { result } = await compileExample(name);
    const path = new URL(`${name}.ts`, GOLDEN_DIR);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(path, result.code);
      return;
    }
    if (!existsSync(path)) throw new Error(`test/golden/${name}.ts is missing; create it with UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`);
    const golden = readFileSync(path, "utf8");
    if (golden !== result.code) {
      throw new Error(
        `emitted code for ${name}.net differs from test/golden/${name}.ts ` +
          `(if intended: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts)\n${firstDiff(golden, result.code)}`,
      );
    }
  });

  it("the diff printer shows the first differing lines", () => {
    expect(firstDiff("a\nb\nc\nd", "a\nb\nX\nd", 1)).toBe("@@ golden line 3, emitted line 3 @@\n  b\n- c\n+ X\n  d");
    expect(firstDiff("a\nb", "a\nb\nc", 1)).toBe("@@ golden line 3, emitted line 3 @@\n  b\n+ c");
    // An insertion is shown as one, not as every later line changed.
    const golden = Array.from({ length: 50 }, (_, k) => `line ${k}`);
    const emitted = [...golden.slice(0, 10), "new 1", "new 2", ...golden.slice(10)];
    expect(firstDiff(golden.join("\n"), emitted.join("\n"), 2)).toBe(
      "@@ golden line 11, emitted line 11 @@\n  line 8\n  line 9\n+ new 1\n+ new 2\n  line 10\n  line 11\n  line 12",
    );
  });
});

async function train(model: Model, seed: number): Promise<Model> {
  const { input, target } = model.info;
  const rng = makeRng(seed);
  const n = 24;
  const x = randomArray(rng, n * input.width);
  const y = target.classes !== null
    ? Float64Array.from({ length: n }, () => Math.floor(rng() * target.classes!))
    : randomArray(rng, n * target.width, 0, 1);
  model.fit(x, y, n, { epochs: 15 });
  return model;
}

function flatWeights(model: Model): Float64Array {
  const parts = Object.entries(model.getWeights()).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, w]) => [...w.data]);
  return Float64Array.from(parts.flat());
}

describe("determinism", () => {
  it.each(EXAMPLES)("%s.net compiles to byte-identical output twice", async (name) => {
    const source = exampleSource(name);
    const first = await compile(source, { file: `examples/${name}.net` });
    const second = await compile(source, { file: `examples/${name}.net` });
    expect(second.code === first.code).toBe(true);
  });

  it.each(["iris", "xor", "regression"])("%s.net: the same seed trains to bit-identical weights, another seed does not", async (name) => {
    const source = exampleSource(name);
    // Two separately compiled and loaded modules, so no state can be shared between the models.
    const a = await loadGenerated((await compile(source)).code);
    const b = await loadGenerated((await compile(source)).code);
    const w1 = flatWeights(await train(a.createModel({ seed: 123 }), 9));
    const w2 = flatWeights(await train(b.createModel({ seed: 123 }), 9));
    const w3 = flatWeights(await train(b.createModel({ seed: 124 }), 9));
    expect(w1.length).toBeGreaterThan(0);
    expect(w1.every((v, i) => Object.is(v, w2[i]))).toBe(true);
    expect(w1.some((v, i) => v !== w3[i])).toBe(true);
  });

  it("the default seed comes from the train block and is reproducible", async () => {
    const { module } = await compileExample("xor");
    const a = module.createModel().getWeights();
    const b = module.createModel({ seed: 7 }).getWeights();
    const c = module.createModel({ seed: 8 }).getWeights();
    expect(a["layer1.W"]!.data).toEqual(b["layer1.W"]!.data);
    expect(a["layer1.W"]!.data).not.toEqual(c["layer1.W"]!.data);
  });
});
