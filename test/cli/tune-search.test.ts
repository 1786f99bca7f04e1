// netc tune's decisions without training: the configurations a seed draws, the rungs of
// successive halving, the ranking, the checkpoint's round trip and the winner's .net text.
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/index.js";
import { bestNetSource } from "../../cli/tune/report.js";
import { parseRecord, searchDifference, serializeRecord, type SearchKey, type TuneRecord } from "../../cli/tune/record.js";
import { compareScores, promote, promotedCount, rungEpochs, sampleTrials } from "../../cli/tune/search.js";
import type { TuneSpec } from "../../compiler/model.js";

const SOURCE = `# a comment that stays
model m {
  input x[4]
  tune { lr: loguniform(1e-4, 0.1); width: choice(16, 32, 64); act: uniform(0, 1); depth: int(1, 3) }   # the space
  target y[1]
  h = relu(dense(x, width)) * act
  h2 = dense(h, depth)
  p = dense(h2, 1)
  output p
  loss mse(p, y)
  train { optimizer adam(lr: lr); epochs 10 }
}
`;

function spec(source = SOURCE): TuneSpec {
  const { models, diagnostics } = analyze(source);
  expect(diagnostics).toEqual([]);
  return models[0]!.tune!;
}

describe("the configurations a seed draws", () => {
  it("are the same for the same seed, differ for another, and stay inside every distribution", () => {
    const s = spec();
    const a = sampleTrials(s.params, 50, 7);
    expect(sampleTrials(s.params, 50, 7)).toEqual(a);
    expect(sampleTrials(s.params, 50, 8)).not.toEqual(a);
    for (const trial of a) {
      const v = Object.fromEntries(trial.values);
      expect(v.lr).toBeGreaterThanOrEqual(1e-4);
      expect(v.lr).toBeLessThanOrEqual(0.1);
      expect([16, 32, 64]).toContain(v.width);
      expect(v.act).toBeGreaterThanOrEqual(0);
      expect(v.act).toBeLessThan(1);
      expect([1, 2, 3]).toContain(v.depth);
    }
    // loguniform covers the decades evenly: about a third of the draws below 1e-3.
    const small = a.filter((t) => t.values[0]![1] < 1e-3).length;
    expect(small).toBeGreaterThan(8);
    expect(small).toBeLessThan(26);
    // Every choice and every integer shows up.
    expect(new Set(a.map((t) => t.values[1]![1])).size).toBe(3);
    expect(new Set(a.map((t) => t.values[3]![1])).size).toBe(3);
  });

  it("do not repeat while the space has configurations left", () => {
    const small = spec(SOURCE.replace("loguniform(1e-4, 0.1)", "choice(0.1, 0.01)").replace("uniform(0, 1)", "choice(1)")).params;
    const draws = sampleTrials(small, 18, 3); // 2 × 3 × 1 × 3 = 18 configurations in all
    expect(new Set(draws.map((t) => JSON.stringify(t.values))).size).toBe(18);
  });
});

describe("successive halving", () => {
  it("trains to max epochs at the last rung, each earlier rung a third as long, as many rungs as the trials allow", () => {
    expect(rungEpochs(27, 9)).toEqual([3, 9, 27]);
    expect(rungEpochs(100, 24)).toEqual([11, 33, 100]);
    expect(rungEpochs(100, 100)).toEqual([1, 4, 11, 33, 100]);
    expect(rungEpochs(2, 24)).toEqual([2]); // a third of 2 epochs is less than one: no halving
    expect(rungEpochs(3, 24)).toEqual([1, 3]);
    expect(rungEpochs(50, 2)).toEqual([50]);
    expect(rungEpochs(1, 30)).toEqual([1]);
    expect([24, 8, 3, 2, 1].map(promotedCount)).toEqual([8, 2, 1, 1, 1]);
  });

  it("ranks by the metric, a diverged trial last, ties by trial number", () => {
    const t = (id: number, loss: number, accuracy: number | null) => ({ id, score: { loss, accuracy } });
    const trials = [t(1, 0.5, 0.8), t(2, 0.3, 0.8), t(3, NaN, null), t(4, 0.4, 0.9), t(5, 0.3, 0.8), { id: 6, score: null }];
    expect([...trials].sort((a, b) => compareScores("val_loss", a, b)).map((x) => x.id)).toEqual([2, 5, 4, 1, 3, 6]);
    expect([...trials].sort((a, b) => compareScores("val_acc", a, b)).map((x) => x.id)).toEqual([4, 2, 5, 1, 3, 6]);
    expect(promote("val_acc", trials).map((x) => x.id)).toEqual([4, 2]);
    // A rung where every trial diverged promotes nobody.
    expect(promote("val_loss", [t(1, NaN, null), t(2, Infinity, null), t(3, NaN, null)])).toEqual([]);
  });
});

describe("the checkpoint", () => {
  const key: SearchKey = { model: "m", source: "abc", data: "iris", seed: 1, trials: 2, val: 0.2, normalize: false, columns: { target: null, features: null, ignore: null }, metric: "val_loss", rungs: [3, 9], compute: { backend: "auto", precision: null } };
  it("round-trips every number exactly, tensors included", () => {
    const stats = { epoch: 3, train: { loss: 0.1 + 0.2, accuracy: 1 / 3, rows: 10 }, val: null };
    const record: TuneRecord = {
      search: key,
      trials: [
        { id: 1, values: [["lr", 0.000123457]], rungs: [stats], status: "running", message: null, state: { weights: { "h.W": { shape: [1, 2], data: Float64Array.from([Math.PI, -1e-310]) } }, training: { step: 3, epoch: 3, lr: 0.1, rng: { shuffle: [1, 2, 3, 4], dropout: [] }, buffers: { "h.W/m": [0.5, Number.MIN_VALUE] } } } },
        { id: 2, values: [["lr", 0.01]], rungs: [], status: "diverged", message: "the loss became NaN", state: null },
      ],
    };
    const back = parseRecord(serializeRecord(record), "x.tune.json");
    expect(back).toEqual(record);
    expect(back.trials[0]!.state!.weights["h.W"]!.data).toBeInstanceOf(Float64Array);
    expect(serializeRecord(record)).toMatch(/^\{"format":"netc-tune","version":1,"generator":"Generated by netc/);
  });

  it("names what differs from another search, and refuses a file that is not one", () => {
    expect(searchDifference(key, key)).toBeNull();
    expect(searchDifference(key, { ...key, seed: 2, source: "def" })).toBe("the .net file changed; seed 1 then, 2 now");
    expect(() => parseRecord("{", "a.json")).toThrow(/a\.json: is not a netc tune checkpoint \(not JSON\)/);
    expect(() => parseRecord('{"format":"netc-weights"}', "a.json")).toThrow(/is not a netc tune checkpoint of version 1/);
  });
});

describe("the winner as a .net file", () => {
  it("drops the tune block and writes each value where its name was used; the rest stays as written", () => {
    const values = new Map([["lr", 0.00123457], ["width", 32], ["act", 0.5], ["depth", 2]]);
    const text = bestNetSource(SOURCE, "m", values, spec(), "my.net (trial 3)");
    expect(text).toBe(`# Generated by netc tune from my.net (trial 3)
# a comment that stays
model m {
  input x[4]
  target y[1]
  h = relu(dense(x, 32)) * 0.5
  h2 = dense(h, 2)
  p = dense(h2, 1)
  output p
  loss mse(p, y)
  train { optimizer adam(lr: 0.00123457); epochs 10 }
}
`);
    const { diagnostics, models } = analyze(text);
    expect(diagnostics).toEqual([]);
    expect(models[0]!.train.optimizer.lr).toBe(0.00123457);
  });

  it("keeps a statement that shares the tune block's line, and writes a choice as it was written", () => {
    const source = "model m {\n  tune { lr: choice(1e-3, 0.01) }; input x[2]\n  target y[1]\n  p = dense(x, 1)\n  output p\n  loss mse(p, y)\n  train { optimizer sgd(lr: lr) }\n}\n";
    const text = bestNetSource(source, "m", new Map([["lr", 0.001]]), spec(source), "f.net");
    expect(text.split("\n").slice(1, 4)).toEqual(["model m {", "   input x[2]", "  target y[1]"]);
    expect(text).toContain("optimizer sgd(lr: 1e-3)");
    expect(analyze(text).diagnostics).toEqual([]);
  });
});
