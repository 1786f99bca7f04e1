// Gradients of whole models (the small examples with their own initialization, and larger
// models that combine every op) against central finite differences through the emitted code,
// for one backend: gradients.test.ts runs them on JavaScript, gradients-wasm.test.ts on wasm.
import { afterAll, describe, expect, it } from "vitest";
import type { Backend } from "../../compiler/index.js";
import {
  ALL_OPS,
  compileExample,
  compileSource,
  EXAMPLES,
  exampleSource,
  HOSTILE_NAMES,
  makeRng,
} from "../support/helpers.js";
import {
  DEFAULT_BATCHES,
  expectGradientsMatchOnBatches,
  modelData,
  usesModes,
} from "./gradient-cases.js";
import { typecheck } from "../support/typecheck.js";

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

// The 20-layer examples have thousands of weights each: gradients.long.test.ts checks deep-plain,
// the tfjs cross-check (test/trust/crosscheck.long.test.ts) deep; digits' 8,000 weights are
// checked by the cross-check too, its ops on small models in gradients-images.test.ts, and so
// are the transformer's 9,800 (test/trust/crosscheck.test.ts; its ops in gradients-sequences.test.ts).
const SMALL_EXAMPLES = EXAMPLES.filter((name) => !name.startsWith("deep") && name !== "digits" && name !== "transformer");

export function describeModelGradients(backend: Backend): void {
  describe(`gradients of the examples, with their own initialization (${backend})`, () => {
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
      const { module } = await compileExample(name, { maxBatch: 5, backend });
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

  describe(`gradients of larger models (${backend})`, () => {
    // Type-checked under --strict together, in one program (one per module would parse
    // TypeScript's library each time).
    const emitted = new Map<string, string>();
    afterAll(() => expect(typecheck(emitted)).toBe(""), 120_000);
    it.each([
      ["every op at once", ALL_OPS],
      ["names the emitter also uses", HOSTILE_NAMES],
      ["every activation as a layer of `layers`", EVERY_ACTIVATION_AS_A_LAYER],
    ])("%s", async (name, source) => {
      const { module, result } = await compileSource(source, {
        maxBatch: 5,
        verify: true,
        typecheck: false,
        backend,
      });
      emitted.set(name, result.code);
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
}
