// Training end to end: resuming from getWeights/getState is bit-identical to never stopping,
// parameter groups, and a train block using every setting.
// (The 20-layer examples trained on spirals: deep.long.test.ts.)
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/index.js";
import type { Model, TrainingState, Weights } from "../../cli/generated-types.js";
import { compileSource, makeRng, randomArray } from "../support/helpers.js";

/** Byte-for-byte equality of every tensor (so −0 ≠ 0 and NaN payloads count). */
function expectSameWeights(a: Weights, b: Weights): void {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const name of Object.keys(a)) {
    const [x, y] = [a[name]!.data, b[name]!.data];
    if (!Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))) {
      expect.fail(`${name} differs: ${Array.from(x).join(", ")} vs ${Array.from(y).join(", ")}`);
    }
  }
}

/** What a checkpoint file would hold: plain JSON. */
function checkpoint(model: Model): string {
  const weights = Object.fromEntries(Object.entries(model.getWeights()).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }]));
  return JSON.stringify({ weights, state: model.getState() });
}

function restore(model: Model, text: string): void {
  const { weights, state } = JSON.parse(text) as { weights: Record<string, { shape: number[]; data: number[] }>; state: TrainingState };
  model.setWeights(weights);
  model.setState(state);
}

const classifier = (body: string, train: string) => `model res {
  input x[3]
  target label: class(3)
  ${body}
  p = softmax(dense(h, 3))
  output p
  loss cross_entropy(p, label)
  train { ${train} }
}`;

const RESUME: [string, string][] = [
  ["adam with weight decay, clipping, warm-up and a cosine schedule", classifier("h = tanh(dense(x, 8))", "optimizer adam(lr: 0.02, weight_decay: 0.001); batch 8; epochs 8; seed 4; schedule cosine(min: 0.001); warmup 2; clip_norm 1")],
  ["dropout + batchnorm with adamw and a step schedule", classifier("h = dropout(relu(batchnorm(dense(x, 8), momentum: 0.2)), 0.3)", "optimizer adamw(lr: 0.01); batch 8; seed 5; schedule step(every: 2, gamma: 0.5)")],
  ["dropout + batchnorm with nesterov and a frozen layer", classifier("h0 = dense(x, 6)\n  h = dropout(tanh(batchnorm(dense(h0, 8))), 0.5)", "optimizer nesterov(lr: 0.05); batch 7; freeze h0; param_lr p, 0.02")],
];

describe("resuming training", () => {
  const n = 50; // not a multiple of the batch, so every epoch ends with a short batch
  const rng = makeRng(21);
  const x = randomArray(rng, n * 3, -2, 2);
  const y = Float64Array.from({ length: n }, () => Math.floor(rng() * 3));

  it.each(RESUME)("%s: N epochs = N/2, checkpoint, fresh model, N/2 more (bit-identical)", async (_, source) => {
    const { module } = await compileSource(source, { maxBatch: 8 });
    const straight = module.createModel();
    const history = straight.fit(x, y, n, { epochs: 6 }).losses;

    const first = module.createModel();
    const early = first.fit(x, y, n, { epochs: 3 }).losses;
    const saved = checkpoint(first);
    // Another seed: every bit of the result has to come from the checkpoint.
    const resumed = module.createModel({ seed: 99 });
    restore(resumed, saved);
    const late = resumed.fit(x, y, n, { epochs: 3 }).losses;

    expect([...early, ...late]).toEqual(history);
    expectSameWeights(resumed.getWeights(), straight.getWeights());
    expect(resumed.getState()).toEqual(straight.getState());
    expect(Array.from(resumed.predict(x, 8))).toEqual(Array.from(straight.predict(x, 8)));
    // Restoring the weights alone is not enough: the optimizer state and generators matter.
    const weightsOnly = module.createModel({ seed: 99 });
    weightsOnly.setWeights(JSON.parse(saved).weights);
    weightsOnly.fit(x, y, n, { epochs: 3 });
    expect(Array.from(weightsOnly.getWeights()["p.W"]!.data)).not.toEqual(Array.from(straight.getWeights()["p.W"]!.data));
  });

  it("fit over k epochs is k one-epoch fits (the CLI trains one epoch per call)", async () => {
    const { module } = await compileSource(RESUME[1]![1], { maxBatch: 8 });
    const once = module.createModel();
    const history = once.fit(x, y, n, { epochs: 4 }).losses;
    const stepwise = module.createModel();
    const epochs = [1, 2, 3, 4].flatMap(() => stepwise.fit(x, y, n, { epochs: 1 }).losses);
    expect(epochs).toEqual(history);
    expectSameWeights(stepwise.getWeights(), once.getWeights());
  });
});

describe("parameter groups", () => {
  it("freeze by prefix: 'h1' freezes h1.W and h1.b but not h12.W", async () => {
    const source = `model f {
  input x[2]
  target y[1]
  h1 = tanh(dense(x, 3))
  h12 = dense(h1, 1)
  output h12
  loss mse(h12, y)
  train { optimizer sgd(lr: 0.1); freeze h1 }
}`;
    const { module } = await compileSource(source, { maxBatch: 4 });
    const model = module.createModel();
    const x = new Float64Array([0.3, -0.8, 1.2, 0.4]);
    const y = new Float64Array([0.5, -0.25]);
    const before = model.getWeights();
    const { grads } = model.gradients(x, y, 2);
    expect(Object.keys(grads).sort()).toEqual(["h12.W", "h12.b"]);
    model.trainStep(x, y, 2);
    const after = model.getWeights();
    expect(after["h1.W"]!.data).toEqual(before["h1.W"]!.data);
    expect(after["h1.b"]!.data).toEqual(before["h1.b"]!.data);
    const expected = Array.from(before["h12.W"]!.data, (v, i) => v - 0.1 * grads["h12.W"]!.data[i]!);
    expect(Math.max(...Array.from(after["h12.W"]!.data, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-12);
  });
});

describe("the train block", () => {
  // Its diagnostics are files: test/cases/train/.
  const source = (line: string) => `model m {
  input x[2]
  target y[1]
  h1 = tanh(dense(x, 3))
  p = sigmoid(dense(h1, 1))
  output p
  loss bce(p, y)
  train {
    ${line}
  }
}
`;
  it("accepts every setting at once, with prefixes and repeats", () => {
    const text = source("optimizer adamw(lr: 0.01, weight_decay: 0.1); epochs 5; batch 4; seed 2; schedule cosine(min: 0.001); warmup 2; clip_norm 5; freeze h1.b; freeze p.b; param_lr h1, 0.1");
    const { models, diagnostics } = analyze(text);
    expect(diagnostics).toEqual([]);
    expect(models[0]!.train).toMatchObject({ epochs: 5, batch: 4, seed: 2, warmup: 2, clipNorm: 5, frozen: ["h1.b", "p.b"], paramLr: [{ name: "h1", lr: 0.1 }] });
  });
});
