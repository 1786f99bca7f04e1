// netc against another autodiff (tfjs; the machinery and the tolerances are in crosscheck.ts):
// the small examples, every optimizer, and generated networks. The two 20-layer examples and the
// digits CNN are in crosscheck.long.test.ts; the sequence and transformer examples take SHORT
// steps here (tfjs runs their recurrences and attention op by op: 50 steps take 13 s) and all
// STEPS there.
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compileToGraph } from "../../compiler/index.js";
import { EXAMPLES } from "../support/helpers.js";
import { checkExampleAgainstTfjs, compare, expectAgreement, GENERATED, irModel, rowsOf, STEPS } from "./crosscheck.js";
import { netArb, printNet } from "./netgen.js";
import { loadUnformatted } from "./support.js";
import { EXAMPLE_MODELS, specModel } from "./tf-models.js";

vi.setConfig({ testTimeout: 120_000 });

const SEQUENCES = ["sequence", "transformer"];
const SHORT = 5;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("examples against tfjs", () => {
  it("every core example has a hand-written tfjs model", () => {
    for (const name of ["logistic", "xor", "lecture", "regression", "iris"]) expect(EXAMPLE_MODELS[name], name).toBeDefined();
  });

  // The 20-layer examples and the digits CNN are in crosscheck.long.test.ts.
  const core = EXAMPLES.filter((name) => !name.startsWith("deep") && name !== "digits" && !SEQUENCES.includes(name));
  it.each(core)(`%s: loss and gradients agree with tfjs; ${STEPS} SGD steps agree`, (name) => checkExampleAgainstTfjs(name));
  it.each(SEQUENCES)(`%s: loss and gradients agree with tfjs; ${SHORT} SGD steps agree`, (name) => checkExampleAgainstTfjs(name, SHORT));
});

const OPTIMIZERS = ["sgd(lr: 0.1, weight_decay: 0.01)", "momentum(lr: 0.05)", "nesterov(lr: 0.05, beta: 0.8)", "rmsprop(lr: 0.01)",
  "adagrad(lr: 0.1)", "adam(lr: 0.01)", "adamw(lr: 0.01, weight_decay: 0.1)"];

describe("every optimizer against a tfjs implementation of PyTorch's update rule", () => {
  for (const opt of OPTIMIZERS) {
    it(`${opt}: ${STEPS} steps`, async () => {
      const source = `model small {\n  input x[3]\n  target y[2]\n  h = tanh(dense(x, 4))\n  p = dense(h, 2)\n  output p\n  loss mse(p, y)\n  train { optimizer ${opt}; batch 8 }\n}\n`;
      const { create } = await loadUnformatted(source);
      const ir = compileToGraph(source).model;
      expectAgreement(opt, compare(create, ir, irModel(ir, rowsOf), 13, "free"));
    });
  }
});

describe(`${GENERATED} generated networks against tfjs`, () => {
  const specs = fc.sample(netArb, { seed: 424242, numRuns: GENERATED });
  specs.forEach((spec, i) => {
    const printed = printNet(spec);
    it(`network ${i}: ${printed.layers.length} layers, ${spec.head.kind} loss`, async () => {
      const ir = compileToGraph(printed.source).model;
      expect(ir.params.map((p) => p.name).sort()).toEqual(printed.layers.flatMap((l) => [l.W, l.b]).sort());
      const cases = [["IR interpreter", irModel(ir, rowsOf), "none"], ["from its structure", specModel(printed), "free"]] as const;
      for (const [label, loss, train] of cases) {
        const { create } = await loadUnformatted(printed.source);
        expectAgreement(`network ${i} (${label})\n${printed.source}`, compare(create, ir, loss, 100 + i, train));
      }
    });
  });
});
