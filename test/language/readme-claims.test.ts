// What the README says about schedules, batchnorm and --stats, checked against the code.
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { loadGenerated } from "../../cli/load.js";
import { netcInProcess } from "../cli/run.js";

const model = async (train: string, body = "  layers { dense 3 tanh; dense 1 sigmoid }\n  loss bce") => {
  const { code } = await compile(`model m {\n  input x[2]\n  target y[1]\n${body}\n  train { ${train} }\n}\n`, { format: false });
  return (await loadGenerated(code)).createModel();
};
const x = new Float64Array([0, 1, 1, 0, 1, 1, 0, 0]);
const y = new Float64Array([1, 1, 0, 0]);

describe("learning-rate schedules", () => {
  it("cosine follows the formula and stays at `min` after `epochs` epochs", async () => {
    const m = await model("optimizer sgd(lr: 0.1); epochs 4; batch 4; schedule cosine(min: 0.01)");
    const rates: number[] = [];
    m.fit(x, y, 4, { epochs: 6, onEpoch: () => void rates.push(m.getState().lr) });
    const formula = (epoch: number) => 0.01 + (0.1 - 0.01) * (1 + Math.cos((Math.PI * Math.min(epoch - 1, 4)) / 4)) / 2;
    rates.forEach((lr, i) => expect(lr).toBeCloseTo(formula(i + 1), 15));
    expect(rates.slice(4)).toEqual([0.01, 0.01].map((v) => expect.closeTo(v, 15)));
  });

  it("a loop of trainStep neither schedules nor warms up: only fit does", async () => {
    const m = await model("optimizer sgd(lr: 0.1); epochs 10; batch 4; schedule exponential(gamma: 0.5); warmup 5");
    for (let i = 0; i < 20; i++) m.trainStep(x, y, 4);
    expect(m.getState().lr).toBe(0.1);
    m.fit(x, y, 4, { epochs: 1 });
    expect(m.getState().lr).toBeCloseTo(0.1 * (1 / 5), 15); // epoch 1: warm-up 1/5 of gamma^0
  });
});

describe("the generated loss", () => {
  it("refuses a mode other than \"train\" or \"eval\"", async () => {
    const m = await model("batch 4");
    expect(m.loss(x, y, 4, "eval")).toBe(m.loss(x, y, 4));
    expect(() => m.loss(x, y, 4, "Train" as "train")).toThrow(new RangeError('loss: mode must be "eval" or "train", got the string "Train"'));
  });
});

describe("batchnorm", () => {
  it("a one-row training batch leaves the running statistics unchanged", async () => {
    const m = await model("optimizer sgd(lr: 0.1); batch 4", "  h = batchnorm(tanh(dense(x, 3)))\n  p = sigmoid(dense(h, 1))\n  output p\n  loss bce(p, y)");
    const before = m.getWeights();
    m.trainStep(x.subarray(0, 2), y.subarray(0, 1), 1);
    const after = m.getWeights();
    expect(after["h.mean"]!.data).toEqual(before["h.mean"]!.data);
    expect(after["h.var"]!.data).toEqual(before["h.var"]!.data);
    m.trainStep(x, y, 4);
    expect(m.getWeights()["h.mean"]!.data).not.toEqual(before["h.mean"]!.data);
  });
});

describe("netc compile --stats", () => {
  it("has a running-stats line only for a model with running statistics", { timeout: 60_000 }, async () => {
    const [iris, deep] = await Promise.all([netcInProcess(["compile", "examples/iris.net", "--stats"]), netcInProcess(["compile", "examples/deep.net", "--stats"])]);
    expect(iris.stdout).not.toContain("running stats");
    expect(iris.stdout).toMatch(/^ {2}total {13}\S+ \S+$/m);
    expect(deep.stdout).toMatch(/^ {2}running stats {5}\S+ \S+/m);
  });
});
