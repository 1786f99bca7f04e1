// Golden files of the emitted code: the trainer of every example (deep.net's is checked at IR
// level, test/ir/golden.test.ts) and the standalone predictor of the small ones; and
// determinism: the same input compiles to the same bytes and the same seed trains to the same bits.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run test/emit/golden.test.ts
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { emitPredictor } from "../../compiler/emit/predictor.js";
import type { Model } from "../../cli/generated-types.js";
import { expectGolden, firstDiff } from "../support/golden.js";
import { compileExample, EXAMPLES, exampleSource, loadModule, makeRng, randomArray } from "../support/helpers.js";

const THIS_FILE = "test/emit/golden.test.ts";
/** deep.net's trainer is 11,000 lines; its IR golden says the same in 700. */
const TRAINERS = EXAMPLES.filter((name) => name !== "deep");
/** The predictors of the 20-layer examples, digits (8,000 weights) and the transformer (9,800) would be mostly a base64 string of their weights. */
const PREDICTORS = EXAMPLES.filter((name) => !name.startsWith("deep") && name !== "digits" && name !== "transformer");
const LABELS: Record<string, string[]> = { iris: ["setosa", "versicolor", "virginica"] };

describe("golden files of the emitted code", () => {
  it.each(TRAINERS)("%s.net: the trainer matches test/golden/trainer/%s.ts", async (name) => {
    const { result } = await compileExample(name, { format: true });
    expectGolden(`trainer/${name}.ts`, result.code, THIS_FILE);
  });

  it.each(PREDICTORS)("%s.net: the predictor (initial weights) matches test/golden/predictor/%s.predict.ts", async (name) => {
    const { result, module } = await compileExample(name);
    const weights = Object.fromEntries(Object.entries(module.createModel().getWeights()).map(([k, t]) => [k, t.data]));
    const code = await emitPredictor({ model: result.model, evalGraph: result.evalGraph, source: exampleSource(name), file: `examples/${name}.net`, weights, labels: LABELS[name] ?? null });
    expectGolden(`predictor/${name}.predict.ts`, code, THIS_FILE);
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
    // Unformatted: prettier is deterministic, the question is whether netc is.
    const source = exampleSource(name);
    const first = await compile(source, { file: `examples/${name}.net`, format: false });
    const second = await compile(source, { file: `examples/${name}.net`, format: false });
    expect(second.code === first.code).toBe(true);
  });

  it.each(["iris", "xor", "regression"])("%s.net: the same seed trains to bit-identical weights, another seed does not", async (name) => {
    const source = exampleSource(name);
    // Two separately compiled and loaded modules, so no state can be shared between the models.
    const a = await loadModule((await compile(source, { format: false })).code);
    const b = await loadModule((await compile(source, { format: false })).code);
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
