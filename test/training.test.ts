// Training end to end: resuming from getWeights/getState is bit-identical to never stopping,
// the deep residual example learns the spirals while the plain deep stack does not, and the
// train block's diagnostics say exactly what is wrong and where.
import { describe, expect, it, vi } from "vitest";

vi.setConfig({ testTimeout: 30_000 }); // compiling and training take seconds on a busy machine
import { analyze, formatDiagnostic } from "../compiler/index.js";
import { TRAIN_SETTINGS } from "../compiler/lower/train.js";
import { OPTIMIZER_DEFAULTS } from "../compiler/optim/index.js";
import { BUNDLED_DATA } from "../data/bundled-data.js";
import { encodeTable } from "../data/dataset.js";
import type { Model, TrainingState, Weights } from "../cli/generated-types.js";
import { argmax, compileExample, compileSource, makeRng, randomArray } from "./helpers.js";

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
    const history = straight.fit(x, y, n, { epochs: 6 });

    const first = module.createModel();
    const early = first.fit(x, y, n, { epochs: 3 });
    const saved = checkpoint(first);
    // Another seed: every bit of the result has to come from the checkpoint.
    const resumed = module.createModel({ seed: 99 });
    restore(resumed, saved);
    const late = resumed.fit(x, y, n, { epochs: 3 });

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
    const history = once.fit(x, y, n, { epochs: 4 });
    const stepwise = module.createModel();
    const epochs = [1, 2, 3, 4].flatMap(() => stepwise.fit(x, y, n, { epochs: 1 }));
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

describe("examples/deep.net on spirals", () => {
  async function train(name: string) {
    const { module, result } = await compileExample(name, { maxBatch: 200 });
    const data = encodeTable(BUNDLED_DATA.spirals!.load(1), result.model);
    const model = module.createModel();
    const history = model.fit(data.x, data.y!, data.n);
    const out = model.predict(data.x, data.n);
    let correct = 0;
    for (let r = 0; r < data.n; r++) if (argmax(out, r * 2, 2) === data.classes![r]) correct++;
    return { n: data.n, history, accuracy: correct / data.n, loss: model.loss(data.x, data.y!, data.n) };
  }
  let deep: ReturnType<typeof train> | undefined;
  const trainedDeep = () => (deep ??= train("deep"));

  it("the 20-layer residual net with batchnorm fits the 200 points to >= 95 % (eval mode)", async () => {
    const { n, history, accuracy } = await trainedDeep();
    expect(n).toBe(200);
    expect(history).toHaveLength(100);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it("the same depth without normalization or skip connections ends with a far worse loss", async () => {
    const good = await trainedDeep();
    const plain = await train("deep-plain");
    expect(plain.accuracy).toBeLessThan(0.8);
    // Eval-mode loss on the training set after training, and the best epoch's training loss
    // (the epoch losses of the batchnorm net are noisy: they use each minibatch's statistics).
    expect(plain.loss).toBeGreaterThan(10 * good.loss);
    expect(Math.min(...plain.history)).toBeGreaterThan(10 * Math.min(...good.history));
  }, 120_000);
});

describe("train block diagnostics", () => {
  const OPTIMIZERS = Object.keys(OPTIMIZER_DEFAULTS).join(", ");
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
  // [setting on line 9, column of the caret, message, caret]
  const CASES: [string, number, string, string][] = [
    ["learning_rate 0.1", 5, `unknown training setting 'learning_rate' (expected one of: ${TRAIN_SETTINGS.join(", ")})`, "^~~~~~~~~~~~~"],
    ["optimizer adamax(lr: 0.1)", 15, `unknown optimizer 'adamax'; did you mean 'adam'? (expected one of: ${OPTIMIZERS})`, "^~~~~~"],
    ["optimizer lbfgs", 15, `unknown optimizer 'lbfgs' (expected one of: ${OPTIMIZERS})`, "^~~~~"],
    ["optimizer sgd(momentum: 0.9)", 19, "'sgd' has no argument named 'momentum' (its arguments: lr, weight_decay)", "^~~~~~~~"],
    ["optimizer sgd(lr: 0)", 19, "'lr' of 'sgd' must be a positive number, got 0", "^~~~~"],
    ["optimizer adam(lr: 0.1, beta1: 1)", 29, "'beta1' of 'adam' must be a number in [0, 1), got 1", "^~~~~~~~"],
    ["optimizer rmsprop(alpha: 1.5)", 23, "'alpha' of 'rmsprop' must be a number in [0, 1), got 1.5", "^~~~~~~~~~"],
    ["optimizer momentum(weight_decay: -0.01)", 24, "'weight_decay' of 'momentum' must be a non-negative number, got -0.01", "^~~~~~~~~~~~~~~~~~~"],
    ["optimizer adam(eps: x)", 20, "'eps' of 'adam' must be a number, got 'x'", "^~~~~~"],
    ["schedule linear(every: 3)", 14, "unknown schedule 'linear' (expected one of: constant, step, exponential, cosine)", "^~~~~~"],
    ["schedule step(every: 0)", 19, "'every' of 'step' must be an integer >= 1, got 0", "^~~~~~~~"],
    ["schedule step(every: 2.5)", 19, "'every' of 'step' must be an integer >= 1, got 2.5", "^~~~~~~~~~"],
    ["schedule exponential(gamma: 0)", 26, "'gamma' of 'exponential' must be a positive number, got 0", "^~~~~~~~"],
    ["schedule cosine(min: -1)", 21, "'min' of 'cosine' must be a non-negative number, got -1", "^~~~~~~"],
    ["schedule cosine(every: 3)", 21, "'cosine' has no argument named 'every' (its arguments: min)", "^~~~~"],
    ["warmup -1", 12, "'warmup' must be an integer >= 0, got '-1'", "^~"],
    ["batch 1e10", 11, "'batch' must be an integer from 1 to 2147483647, got '1e10'", "^~~~"],
    ["clip_norm 0", 15, "'clip_norm' must be a positive number, got '0'", "^"],
    ["param_lr h1.W", 5, "'param_lr' takes a parameter and a learning rate: param_lr h1.W, 0.001", "^~~~~~~~~~~~~"],
    ["param_lr h1.W, 0.1, 0.2", 5, "'param_lr' takes a parameter and a learning rate: param_lr h1.W, 0.001", "^~~~~~~~~~~~~~~~~~~~~~~"],
    ["param_lr h1.W, 0", 20, "the learning rate of 'param_lr' must be a positive number, got '0'", "^"],
    ["param_lr h3, 0.1", 14, "no parameter named 'h3' (parameters: h1.W, h1.b, p.W, p.b)", "^~"],
    ["freeze h3", 12, "no parameter named 'h3' (parameters: h1.W, h1.b, p.W, p.b)", "^~"],
    ["freeze h1.W, h3.b", 18, "no parameter named 'h3.b' (parameters: h1.W, h1.b, p.W, p.b)", "^~~~"],
    ["freeze h", 12, "no parameter named 'h' (parameters: h1.W, h1.b, p.W, p.b)", "^"],
    ["freeze 3", 12, "expected a parameter name like h1.W or a prefix like h1, got '3'", "^"],
    ["epochs 3, 4", 5, "'epochs' takes one value", "^~~~~~~~~~~"],
    ["epochs 3; epochs 4", 15, "'epochs' is set twice", "^~~~~~"],
  ];

  it.each(CASES)("%s", (line, col, message, caret) => {
    const text = source(line);
    const got = analyze(text).diagnostics.map((d) => formatDiagnostic(d, "t.net", text));
    expect(got).toEqual([`t.net:9:${col}: error: ${message}\n      ${line}\n  ${" ".repeat(col - 1)}${caret}`]);
  });

  it("accepts every setting at once, with prefixes and repeats", () => {
    const text = source("optimizer adamw(lr: 0.01, weight_decay: 0.1); epochs 5; batch 4; seed 2; schedule cosine(min: 0.001); warmup 2; clip_norm 5; freeze h1.b; freeze p.b; param_lr h1, 0.1");
    const { models, diagnostics } = analyze(text);
    expect(diagnostics).toEqual([]);
    expect(models[0]!.train).toMatchObject({ epochs: 5, batch: 4, seed: 2, warmup: 2, clipNorm: 5, frozen: ["h1.b", "p.b"], paramLr: [{ name: "h1", lr: 0.1 }] });
  });
});
