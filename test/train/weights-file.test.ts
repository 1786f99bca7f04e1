// model.loadWeightsFile: a weights file as netc train writes it (cli/train-outputs.ts, the same
// code), parsed with JSON.parse, loads into a trainer whole — weights, training state, labels and
// standardization — or not at all, with a message that says what does not fit.
import { describe, expect, it } from "vitest";
import type { Model, WeightsFileJson } from "../../cli/generated-types.js";
import { weightsRecord, type RunRecord } from "../../cli/train-outputs.js";
import type { Snapshot } from "../../cli/train-loop.js";
import { serializeWeights } from "../../data/weights.js";
import { applyNormalization, fitNormalization, type Normalization } from "../../data/normalize.js";
import { compileSource, makeRng, randomArray } from "../support/helpers.js";

const CLASSIFIER = `model flowers {
  input x[3]
  target kind: class(3)
  h = relu(dense(x, 6))
  p = softmax(dense(h, 3))
  output p
  loss cross_entropy(p, kind) + 0.001 * l2(h.W)
  train { optimizer adam(lr: 0.05); batch 4; seed 2 }
}`;

const rng = makeRng(17);
const n = 10;
const x = randomArray(rng, n * 3, 0, 50); // far from standardized
const y = Float64Array.from({ length: n }, (_, i) => i % 3);

const make = async (src = CLASSIFIER, seed?: number): Promise<Model> =>
  (await compileSource(src, { maxBatch: 4 })).module.createModel(seed === undefined ? {} : { seed });

/** The file netc train would write for the model as it is now. */
async function weightsFile(model: Model, extra: { labels?: string[] | null; normalization?: Normalization | null; src?: string } = {}): Promise<WeightsFileJson> {
  const { result } = await compileSource(extra.src ?? CLASSIFIER, { maxBatch: 4 });
  const run: RunRecord = {
    ir: result.model,
    labels: extra.labels ?? null,
    normalization: extra.normalization ?? null,
    columns: undefined,
    training: { source: "t.net", data: "t.csv", epochs: 3, batch: 4, optimizer: "adam", lr: 0.05, seed: 2, validation: 0, resumedFrom: null },
  };
  const split = { loss: 1, accuracy: null, rows: n };
  const snapshot: Snapshot = { stats: { epoch: model.getState().epoch, train: split, val: null }, weights: model.getWeights(), state: model.getState() };
  return JSON.parse(serializeWeights(weightsRecord(run, snapshot, snapshot)));
}

describe("loadWeightsFile", () => {
  it("loads the weights and the training state: training continues exactly as the saved model would", async () => {
    const trained = await make();
    trained.fit(x, y, n, { epochs: 3 });
    const file = await weightsFile(trained);
    const loaded = await make(CLASSIFIER, 99);
    loaded.loadWeightsFile(file);
    expect(loaded.getWeights()).toEqual(trained.getWeights());
    expect(loaded.getState()).toEqual(trained.getState());
    expect(loaded.fit(x, y, n, { epochs: 2 })).toEqual(trained.fit(x, y, n, { epochs: 2 }));
    expect(loaded.getWeights()).toEqual(trained.getWeights());
  });

  it("{ state: false } loads the weights alone", async () => {
    const trained = await make();
    trained.fit(x, y, n, { epochs: 2 });
    const loaded = await make();
    loaded.loadWeightsFile(await weightsFile(trained), { state: false });
    expect(loaded.getWeights()).toEqual(trained.getWeights());
    expect(loaded.getState().epoch).toBe(0);
  });

  it("exposes the labels; classify names each row's most probable class", async () => {
    const trained = await make();
    trained.fit(x, y, n, { epochs: 3 });
    const loaded = await make();
    expect(loaded.labels).toBeNull();
    loaded.loadWeightsFile(await weightsFile(trained, { labels: ["iris", "rose", "tulip"] }));
    expect(loaded.labels).toEqual(["iris", "rose", "tulip"]);
    const p = loaded.predict(x, n).slice();
    const argmax = (r: number) => [0, 1, 2].reduce((b, k) => (p[r * 3 + k]! > p[r * 3 + b]! ? k : b), 0);
    expect(loaded.classify(x, n)).toEqual(Array.from({ length: n }, (_, r) => ["iris", "rose", "tulip"][argmax(r)]));
    expect(trained.classify(x, n)).toEqual(Array.from({ length: n }, (_, r) => argmax(r))); // no labels: indices
  });

  it("applies the file's standardization to every x: the loaded trainer takes raw inputs", async () => {
    const norm = fitNormalization(x, n, 3);
    const scaled = x.slice();
    applyNormalization(scaled, n, norm);
    const trained = await make();
    trained.fit(scaled, y, n, { epochs: 2 });
    const loaded = await make();
    loaded.loadWeightsFile(await weightsFile(trained, { normalization: norm }));
    expect(loaded.normalization).toEqual(norm);
    expect(loaded.predict(x, n)).toEqual(trained.predict(scaled, n)); // in chunks of 4
    expect(loaded.predict(x, 3)).toEqual(trained.predict(scaled, 3));
    expect(loaded.loss(x, y, n)).toBe(trained.loss(scaled, y, n));
    expect(loaded.loss(x, y, 4)).toBe(trained.loss(scaled, y, 4));
    expect(loaded.gradients(x, y, 4)).toEqual(trained.gradients(scaled, y, 4));
    // Input gradients are with respect to the raw inputs: the standardized ones' divided by std.
    const raw = loaded.inputGradients(x, 4).slice();
    const standardized = trained.inputGradients(scaled, 4);
    raw.forEach((g, i) => expect(g).toBeCloseTo(standardized[i]! / norm.std[i % 3]!, 14));
    expect(loaded.trainStep(x, y, 4)).toBe(trained.trainStep(scaled, y, 4));
    expect(loaded.fit(x, y, n, { epochs: 2 })).toEqual(trained.fit(scaled, y, n, { epochs: 2 }));
    expect(loaded.getWeights()).toEqual(trained.getWeights());
    // A file without standardization turns it off again.
    loaded.loadWeightsFile(await weightsFile(trained));
    expect(loaded.normalization).toBeNull();
    expect(loaded.predict(scaled, n)).toEqual(trained.predict(scaled, n));
  });

  it("reads version 1 files (decimal values)", async () => {
    const trained = await make();
    trained.fit(x, y, n, { epochs: 1 });
    const v2 = await weightsFile(trained);
    const v1 = {
      ...v2,
      version: 1,
      encoding: undefined,
      tensors: Object.entries(trained.getWeights()).map(([name, t]) => ({ name, shape: t.shape, values: Array.from(t.data) })),
      state: { ...trained.getState() },
    };
    const loaded = await make();
    loaded.loadWeightsFile(v1);
    expect(loaded.getWeights()).toEqual(trained.getWeights());
    expect(loaded.getState()).toEqual(trained.getState());
  });

  it("says what does not fit and changes nothing", async () => {
    const trained = await make();
    trained.fit(x, y, n, { epochs: 1 });
    const good = await weightsFile(trained, { labels: ["a", "b", "c"], normalization: fitNormalization(x, n, 3) });
    const loaded = await make();
    const before = { weights: loaded.getWeights(), state: loaded.getState() };
    const edit = (f: (file: Record<string, any>) => void): WeightsFileJson => {
      const copy = structuredClone(good) as Record<string, any>;
      f(copy);
      return copy as WeightsFileJson;
    };
    const infinity = Buffer.from(new Float64Array([Infinity, 0, 0, 0, 0, 0]).buffer).toString("base64");
    const cases: [WeightsFileJson, RegExp][] = [
      [[] as unknown as WeightsFileJson, /^loadWeightsFile: expected the parsed weights file \(JSON.parse of MODEL.weights.json\), got a value of type object$/],
      [edit((f) => (f.format = "other")), /not a netc weights file \(expected "format": "netc-weights"\)$/],
      [edit((f) => (f.version = 3)), /weights format version 3 is not supported; this module reads versions 1 and 2$/],
      [edit((f) => (f.model = "iris")), /^loadWeightsFile: the weights are for model "iris", not model flowers$/],
      [edit((f) => (f.structure.input.width = 4)), /input is x\[4\] in the file but x\[3\] in model flowers$/],
      [edit((f) => f.tensors.pop()), /tensor 'p.b' \[3\] of model flowers is missing from the file$/],
      [edit((f) => f.tensors.push({ ...f.tensors[0], name: "extra.W" })), /tensor 'extra.W' in the file is not a tensor of model flowers$/],
      [edit((f) => f.tensors.push(f.tensors[0])), /tensor 'h.W' appears twice in "tensors"$/],
      [edit((f) => (f.tensors[1].shape = [3, 2])), /tensor 'h.b' has shape \[3, 2\] in the file but \[6\] in model flowers$/],
      [edit((f) => (f.tensors[1].data = "not base64!")), /tensor 'h.b' "data" must be base64 of float64 values$/],
      [edit((f) => (f.tensors[1].data = "AAAA")), /tensor 'h.b' "data" holds 3 bytes, not a whole number of float64 values$/],
      [edit((f) => (f.tensors[1].data = infinity)), /^loadWeightsFile: 'h.b'\[0\] is Infinity, not a finite number$/],
      [edit((f) => (f.labels = ["a", "b"])), /2 class labels, but model flowers has 3 classes$/],
      [edit((f) => (f.labels = ["a", "b", "a"])), /class label "a" appears twice in "labels"$/],
      [edit((f) => (f.normalization.std[1] = 0)), /"normalization" must hold "mean" and "std", 3 finite numbers each \(std positive\)$/],
      [edit((f) => (f.state.rng.shuffle = [1, 2])), /the file's training state does not fit this model \(setState: rng.shuffle must be 4 unsigned 32-bit integers\); pass \{ state: false \} to load the rest$/],
      [edit((f) => f.state.buffers.pop()), /the file's training state does not fit this model \(setState: optimizer buffer 'p.b\/v' needs 3 values\)/],
    ];
    for (const [file, message] of cases) {
      expect(() => loaded.loadWeightsFile(file)).toThrow(message);
      expect(loaded.getWeights()).toEqual(before.weights);
      expect(loaded.getState()).toEqual(before.state);
      expect(loaded.labels).toBeNull();
      expect(loaded.normalization).toBeNull();
    }
    loaded.loadWeightsFile(good);
    expect(loaded.labels).toEqual(["a", "b", "c"]);
  });

  it("a model that is not a classifier has no labels and no classify", async () => {
    const src = CLASSIFIER.replace("target kind: class(3)", "target kind[3]").replace("softmax(dense(h, 3))", "dense(h, 3)").replace("cross_entropy(p, kind)", "mse(p, kind)");
    const m = await make(src);
    expect(() => m.classify(x, 2)).toThrow(/^classify: model flowers is not a classifier/);
    const file = await weightsFile(m, { src });
    expect(() => m.loadWeightsFile({ ...file, labels: ["a", "b", "c"] })).toThrow(/3 class labels, but model flowers is not a classifier$/);
  });
});
