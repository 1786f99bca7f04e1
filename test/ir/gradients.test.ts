// Every op's derivative, checked against central finite differences through the emitted code
// (test/support/finite-differences.ts): one table of ops × shapes × batch sizes. Each case is a
// tiny model whose loss depends on the op; `gradients` (the generated backward pass) must agree
// with differences of `loss` (the generated forward pass) for every trainable weight. Layers
// that behave differently in training (batchnorm, dropout) are checked in training mode with the
// dropout mask held fixed.
import { describe, expect, it, vi } from "vitest";
import {
  ALL_OPS,
  compileExample,
  compileSource,
  EXAMPLES,
  exampleSource,
  HOSTILE_NAMES,
  makeRng,
} from "../support/helpers.js";
import { describeGradientTable } from "./gradient-table.js";
import {
  DEFAULT_BATCHES,
  expectGradientsMatchOnBatches,
  GRADIENT_CASES,
  modelData,
  usesModes,
} from "./gradient-cases.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

const HALF = Math.ceil(GRADIENT_CASES.length / 2);
describeGradientTable(
  "gradients match central finite differences through the emitted code (first half of the table)",
  GRADIENT_CASES.slice(0, HALF),
);

// The 20-layer examples have thousands of weights each: gradients.long.test.ts checks deep-plain,
// the tfjs cross-check (test/trust/crosscheck.long.test.ts) deep.
const SMALL_EXAMPLES = EXAMPLES.filter((name) => !name.startsWith("deep"));

describe("gradients of the examples, with their own initialization", () => {
  it("covers the small examples", () => {
    expect(SMALL_EXAMPLES).toEqual(
      expect.arrayContaining([
        "iris",
        "lecture",
        "logistic",
        "regression",
        "xor",
      ]),
    );
  });

  it.each(SMALL_EXAMPLES)("%s", async (name) => {
    const { module } = await compileExample(name, { maxBatch: 5 });
    const model = module.createModel();
    const rng = makeRng(name.length * 7919);
    expectGradientsMatchOnBatches(
      model,
      DEFAULT_BATCHES,
      (n) => modelData(model, rng, n),
      usesModes(exampleSource(name)),
    );
  });
});

const EVERY_ACTIVATION_AS_A_LAYER = `model t {
  input x[3]
  target y: class(3)
  layers {
    dense 4 leaky_relu
    leaky_relu 0.2
    dense 4 elu
    elu 0.5
    dense 4 gelu
    dense 4 softplus
    dense 4 swish
    silu
    dense 4 mish
    dense 4 identity
    dense 3 log_softmax
  }
  loss cross_entropy_logits
  train { batch 5 }
}`;

describe("gradients of larger models", () => {
  it.each([
    ["every op at once", ALL_OPS],
    ["names the emitter also uses", HOSTILE_NAMES],
    ["every activation as a layer of `layers`", EVERY_ACTIVATION_AS_A_LAYER],
  ])("%s", async (_, source) => {
    const { module } = await compileSource(source, {
      maxBatch: 5,
      verify: true,
    });
    const model = module.createModel({ seed: 3 });
    const rng = makeRng(source.length);
    expectGradientsMatchOnBatches(
      model,
      DEFAULT_BATCHES,
      (n) => modelData(model, rng, n),
      false,
    );
  });
});
