// netc train and predict options: --epochs/--batch/--lr/--seed follow the train block's rules,
// --features/--ignore pick columns, --normalize standardizes (and every consumer of the weights
// applies it), regression metrics, the banner's settings, logits printed as probabilities.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseWeights } from "../../data/weights.js";
import { importJavaScript } from "../../cli/load.js";
import { netc, netcInProcess } from "./run.js";

vi.setConfig({ testTimeout: 180_000 });
const dir = mkdtempSync(join(tmpdir(), "netc-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe("--epochs, --batch, --lr, --seed follow the language's rules", () => {
  it("the real netc refuses --epochs 0 and writes nothing", async () => {
    const out = join(dir, "zero");
    const r = await netc(["train", "examples/xor.net", "--data", "xor", "--epochs", "0", "--out", out]);
    expect([r.status, r.stderr.trim()]).toEqual([2, "netc train: --epochs must be an integer >= 1, got '0'"]);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ["--epochs", "1.5", "--epochs must be an integer >= 1, got '1.5'"],
    ["--batch", "0", "--batch must be an integer >= 1, got '0'"],
    ["--batch", "1e10", "--batch must be an integer from 1 to 2147483647, got '1e10'"],
    ["--lr", "0", "--lr must be a positive number, got '0'"],
    ["--lr", "-0.1", "--lr must be a positive number, got '-0.1'"],
    ["--lr", "Infinity", "--lr must be a positive number, got 'Infinity'"],
    ["--seed", "NaN", "--seed must be an integer >= 0, got 'NaN'"],
    ["--seed", "-1", "--seed must be an integer >= 0, got '-1'"],
    ["--seed", "1.5", "--seed must be an integer >= 0, got '1.5'"],
    ["--seed", "", "--seed must be an integer >= 0, got ''"],
  ])("%s %s", async (flag, value, message) => {
    const r = await netcInProcess(["train", "examples/xor.net", "--data", "xor", flag, value, "--out", join(dir, "never")]);
    expect([r.status, r.stderr.trim()]).toEqual([2, `netc train: ${message}`]);
  });

  it("the messages are the train block's own", async () => {
    const net = file("e0.net", "model m {\n  input x[2]\n  target y[1]\n  layers { dense 1 sigmoid }\n  loss bce\n  train { epochs 0; seed 1.5 }\n}\n");
    const r = await netcInProcess(["check", net]);
    expect(r.stderr).toContain("error: 'epochs' must be an integer >= 1, got '0'");
    expect(r.stderr).toContain("error: 'seed' must be an integer >= 0, got '1.5'");
  });
});

const REGRESSION = `model reg {
  input x[3]
  target y[1]
  h = relu(dense(x, 16))
  p = dense(h, 1)
  output p
  loss mse(p, y)
  train { optimizer adam(lr: 0.01, weight_decay: 0.001); epochs 60; batch 16; schedule cosine(min: 0.001); warmup 3 }
}
`;

function regressionCsv(rows: number): string {
  const lines = ["id,a,b,c,y"];
  for (let i = 0; i < rows; i++) {
    const a = (i * 37) % 100, b = ((i * 11) % 10) - 5, c = 1000 + ((i * 53) % 1000);
    lines.push(`row${i},${a},${b},${c},${(0.02 * a + 0.5 * b + 0.001 * c).toFixed(4)}`);
  }
  return lines.join("\n");
}

describe("columns, standardization and regression metrics", () => {
  it("trains with --ignore and --normalize; predict and the predictor apply the same scaling", async () => {
    const net = file("reg.net", REGRESSION);
    const csv = file("reg.csv", regressionCsv(200));
    const out = join(dir, "reg");
    const r = await netcInProcess(["train", net, "--data", csv, "--ignore", "id", "--normalize", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^training model reg .*: 160 rows \+ 40 for validation, adam lr 0\.01, weight decay 0\.001, schedule cosine\(min 0\.001\), warm-up 3 epochs, batch 16, 60 epochs, seed 0, inputs standardized$/m);
    expect(r.stdout).toMatch(/^epoch 60\/60 {2}loss \S+ {2}mae \S+ {2}rmse \S+ {2}r2 \S+ {2}val_loss \S+ {2}val_mae \S+ {2}val_rmse \S+ {2}val_r2 \S+/m);
    expect(r.stdout).toMatch(/^ {2}validation loss \S+ {2}mae \S+ {2}rmse \S+ {2}r2 0\.9\d+ {2}\(40 rows\)$/m);

    const w = parseWeights(readFileSync(join(out, "reg.weights.json"), "utf8"), "w");
    expect(w.columns).toEqual({ features: ["a", "b", "c"], target: ["y"] });
    expect(w.normalization!.mean).toHaveLength(3);
    expect(w.normalization!.mean[2]).toBeGreaterThan(1000);
    expect(w.metrics!.validation!.regression!.r2).toBeGreaterThan(0.9);

    // predict finds the columns by name (the id column is left out as in training), scales,
    // and reports the errors against the target column.
    const p = await netcInProcess(["predict", net, "--weights", join(out, "reg.weights.json"), "--data", csv]);
    expect(p.status).toBe(0);
    expect(p.stderr).toMatch(/^mae \S+ {2}rmse \S+ {2}r2 0\.9\d+ \(200 rows, against the target column\)\n$/);
    const predicted = p.stdout.trim().split("\n");
    expect(predicted[0]).toBe("p");
    const js = join(dir, "reg.predict.mjs");
    expect((await netcInProcess(["predictor", net, "--weights", join(out, "reg.weights.json"), "-o", js])).status).toBe(0);
    const predictor = await importJavaScript<{ predict(x: number[]): Float64Array }>(readFileSync(js, "utf8"));
    const first = regressionCsv(1).split("\n")[1]!.split(",").slice(1, 4).map(Number);
    expect(predictor.predict(first)[0]).toBe(Number(predicted[1]));
  });

  it("--features picks and orders the inputs by name", async () => {
    const net = file("reg2.net", REGRESSION.replace("epochs 60", "epochs 2"));
    const csv = file("shuffled.csv", "c,y,id,b,a\n1000,1,x,2,3\n1100,2,y,3,4\n1200,3,z,4,5\n");
    const r = await netcInProcess(["train", net, "--data", csv, "--features", "a,b,c", "--target", "y", "--out", join(dir, "reg2")]);
    expect(r.status).toBe(0);
    const w = parseWeights(readFileSync(join(dir, "reg2/reg.weights.json"), "utf8"), "w");
    expect(w.columns).toEqual({ features: ["a", "b", "c"], target: ["y"] });
    const bad = await netcInProcess(["train", net, "--data", csv, "--features", "a,b,q", "--out", join(dir, "reg2")]);
    expect(bad.stderr.trim()).toBe(`netc train: ${csv}:1: no column named 'q' for --features (columns: c, y, id, b, a)`);
    const left = await netcInProcess(["train", net, "--data", csv, "--features", "a,b,c", "--out", join(dir, "reg2")]);
    expect(left.stderr.trim()).toBe(`netc train: ${csv}:1: the header has 2 columns left after --features (y, id), but model reg takes 3 features (x[3]) and 1 target column (y[1])`);
  });

  it("resuming keeps the standardization the weights were trained with", async () => {
    const out = join(dir, "reg");
    const net = join(dir, "reg.net");
    const r = await netcInProcess(["train", net, "--data", join(dir, "reg.csv"), "--epochs", "1", "--resume", join(out, "reg.weights.json"), "--out", join(dir, "reg-resumed")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("inputs standardized");
    const before = parseWeights(readFileSync(join(out, "reg.weights.json"), "utf8"), "w");
    const after = parseWeights(readFileSync(join(dir, "reg-resumed/reg.weights.json"), "utf8"), "w");
    expect(after.normalization).toEqual(before.normalization);
  });
});

describe("logits", () => {
  it("a cross_entropy_logits model's predictions are printed as softmax probabilities, and says so", async () => {
    const net = file("logits.net", "model lg {\n  input x[4]\n  target label: class(3)\n  z = dense(relu(dense(x, 8)), 3)\n  output z\n  loss cross_entropy_logits(z, label)\n  train { optimizer adam(lr: 0.01); epochs 20; batch 16 }\n}\n");
    const t = await netcInProcess(["train", net, "--data", "iris", "--out", join(dir, "lg")]);
    expect(t.status).toBe(0);
    const p = await netcInProcess(["predict", net, "--weights", join(dir, "lg/lg.weights.json"), "--data", "iris"]);
    expect(p.status).toBe(0);
    expect(p.stderr).toContain("netc predict: 'z' holds logits (the loss is cross_entropy_logits); the prob_setosa, prob_versicolor, prob_virginica columns are softmax probabilities");
    const [header, ...rows] = p.stdout.trim().split("\n");
    expect(header).toBe("class,prob_setosa,prob_versicolor,prob_virginica");
    for (const row of rows) {
      const probs = row.split(",").slice(1).map(Number);
      expect(probs.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    expect(p.stderr).toMatch(/accuracy [\d.]+% \(\d+ of 150 rows match the target column\)/);
  });
});
