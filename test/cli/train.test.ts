// The train / predict / predictor / graph commands end to end, through `main` with a capturing
// output (fast), plus real processes to show bad input never ends in a stack trace.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseWeights } from "../../data/weights.js";
import { netcProcess, scratchCli, STACK_TRACE } from "../support/cli.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
let dir = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "netc-cli-"));
  // Weights that predict, predictor and the bad-input cases load.
  const r = await run("train", "examples/iris.net", "--data", "iris", "--epochs", "40", "--out", "@trained");
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `main` in-process; an argument starting with `@` names a file in the test's directory. */
const { run, file } = scratchCli(() => dir);

describe("netc train", () => {
  it("trains iris from the bundled data and writes trainer, weights, predictor and loss curve", async () => {
    const r = await run("train", "examples/iris.net", "--data", "iris", "--epochs", "30", "--out", "@out");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^training model iris \(examples\/iris\.net\) on iris .*: 120 rows \+ 30 for validation, adam lr 0\.01, batch 16, 30 epochs, seed 42$/m);
    expect(r.stdout).toMatch(/^epoch 30\/30 {2}loss \d\.\d{4} {2}acc [\d.]+% {2}val_loss \d\.\d{4} {2}val_acc [\d.]+%/m);
    expect(r.stdout).toMatch(/^ {2}validation loss \d\.\d{4} {2}accuracy [\d.]+% {2}\(30 rows\)$/m);
    const w = parseWeights(readFileSync(join(dir, "out/iris.weights.json"), "utf8"), "w");
    expect(w.labels).toEqual(["setosa", "versicolor", "virginica"]);
    expect(w.metrics!.train.accuracy).toBeGreaterThan(0.8);
    expect(w.training).toMatchObject({ data: "iris", epochs: 30, batch: 16, optimizer: "adam", lr: 0.01, seed: 42, validation: 0.2 });
    const svg = readFileSync(join(dir, "out/iris.loss.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    for (const text of ["validation", "train", "epoch", "accuracy"]) expect(svg).toContain(`>${text}<`);
    expect(readFileSync(join(dir, "out/iris.ts"), "utf8")).toContain("export function createModel");
    expect(readFileSync(join(dir, "out/iris.predict.ts"), "utf8")).toContain("export function classify");
  });

  it("overrides the train block from flags, resumes from weights and overwrites its own files", async () => {
    const first = await run("train", "examples/xor.net", "--data", "xor", "--epochs", "5", "--lr", "0.5", "--batch", "8", "--seed", "3", "--val", "0.25", "--out", "@xor");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("150 rows + 50 for validation, sgd lr 0.5, batch 8, 5 epochs, seed 3");
    const saved = parseWeights(readFileSync(join(dir, "xor/xor.weights.json"), "utf8"), "w");
    // --epochs 0 is refused like `epochs 0` in a train block: it would replace trained output with nothing new.
    const none = await run("train", "examples/xor.net", "--data", "xor", "--epochs", "0", "--out", "@xor", "--resume", "@xor/xor.weights.json");
    expect([none.code, none.stderr.trim()]).toEqual([2, "netc train: --epochs must be an integer >= 1, got '0'"]);
    expect(parseWeights(readFileSync(join(dir, "xor/xor.weights.json"), "utf8"), "w").tensors).toEqual(saved.tensors);
    const again = await run("train", "examples/xor.net", "--data", "xor", "--epochs", "1", "--seed", "3", "--val", "0.25", "--out", "@xor", "--resume", "@xor/xor.weights.json");
    expect(again.code).toBe(0);
    const resumed = parseWeights(readFileSync(join(dir, "xor/xor.weights.json"), "utf8"), "w");
    expect(resumed.tensors).not.toEqual(saved.tensors);
    expect(resumed.training!.resumedFrom).toContain("xor.weights.json");
  });

  it("trains a CSV with --target and string labels on the lecture model", async () => {
    const csv = file("pets.csv", "label,a,b\nyes,0.3,0.6\nno,0.5,0.1\nno,0.9,0.9\nyes,0.4,0.5\n");
    const r = await run("train", "examples/lecture.net", "--data", csv, "--target", "label", "--epochs", "3", "--out", "@pets");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("4 rows, sgd lr 0.1");
    expect(parseWeights(readFileSync(join(dir, "pets/lecture.weights.json"), "utf8"), "w").labels).toEqual(["no", "yes"]);
  });

  it("stops on a non-finite loss, says where, and keeps the last good weights", async () => {
    const model = file("blowup.net", "model blowup {\n  input x[1]\n  target y[1]\n  layers { dense 1 }\n  loss mse\n  train { optimizer sgd(lr: 10); epochs 50; batch 4; seed 1 }\n}\n");
    const data = file("big.csv", "x,y\n" + Array.from({ length: 40 }, (_, i) => `${i * 10},${i}`).join("\n") + "\n");
    const r = await run("train", model, "--data", data, "--out", "@blowup");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netc train: the loss became (NaN|Infinity) at epoch \d+, batch \d+ \(.+ is not finite\); try a smaller learning rate, e\.g\. --lr 1\n {2}kept the last good weights \(end of epoch \d+\) in .*blowup\.weights\.json\n$/);
    const w = parseWeights(readFileSync(join(dir, "blowup/blowup.weights.json"), "utf8"), "w");
    expect(w.tensors.every((t) => t.data.every(Number.isFinite))).toBe(true);
  });

  it("never overwrites a file it did not write", async () => {
    mkdirSync(join(dir, "mine"));
    writeFileSync(join(dir, "mine/iris.weights.json"), "my notes");
    const r = await run("train", "examples/iris.net", "--data", "iris", "--epochs", "1", "--out", "@mine");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netc train: .*mine\/iris\.weights\.json: exists and was not written by netc; not overwriting it \(use --force to replace it\)\n$/);
    expect(readFileSync(join(dir, "mine/iris.weights.json"), "utf8")).toBe("my notes");
    expect(existsSync(join(dir, "mine/iris.ts"))).toBe(false);
    const forced = await run("train", "examples/iris.net", "--data", "iris", "--epochs", "1", "--out", "@mine", "--force");
    expect(forced.code).toBe(0);
  });
});

describe("netc predict, predictor and graph", () => {
  it("prints predictions as CSV with class names and probabilities", async () => {
    const r = await run("predict", "examples/iris.net", "--weights", "@trained/iris.weights.json", "--data", "examples/data/iris.csv");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("class,p_setosa,p_versicolor,p_virginica");
    expect(lines).toHaveLength(151);
    expect(lines[1]).toMatch(/^setosa,[\d.e-]+,[\d.e-]+,[\d.e-]+$/);
    expect(r.stderr).toMatch(/^accuracy [\d.]+% \(\d+ of 150 rows match the target column\)\n$/);
    const features = file("features.csv", "a,b,c,d\n7.7,3.0,6.1,2.3\n");
    expect((await run("predict", "examples/iris.net", "--weights", "@trained/iris.weights.json", "--data", features)).stdout).toMatch(/^class,.*\nvirginica,/);
  });

  it("writes a standalone predictor as TypeScript or, with --js, JavaScript", async () => {
    const ts = await run("predictor", "examples/iris.net", "--weights", "@trained/iris.weights.json", "-o", "@app/predict.ts");
    expect(ts.code).toBe(0);
    expect(ts.stderr).toMatch(/wrote .*app\/predict\.ts \(model iris, TypeScript, \d+ bytes, no imports\)/);
    expect(readFileSync(join(dir, "app/predict.ts"), "utf8")).toContain("export function predictBatch(x: Float64Array, n: number");
    const js = await run("predictor", "examples/iris.net", "--weights", "@trained/iris.weights.json", "-o", "@app/predict.js", "--js");
    expect(js.code).toBe(0);
    const code = readFileSync(join(dir, "app/predict.js"), "utf8");
    expect(code).toContain("export function classify(x) {");
    expect(code).not.toMatch(/: Float64Array/);
  });

  it("draws the forward graph, and the backward graph with gradients distinguished", async () => {
    const svg = await run("graph", "examples/iris.net", "--detail", "ops", "-o", "@graph.svg");
    expect(svg.code).toBe(0);
    const text = readFileSync(join(dir, "graph.svg"), "utf8");
    expect(text).toContain("<svg");
    expect(text).toContain("param h1.W");
    expect(text).toContain("[4, 16]");
    const dot = await run("graph", "examples/lecture.net", "--dot", "--backward", "--detail", "ops");
    expect(dot.stdout).toMatch(/^digraph "lecture" \{/m);
    expect(dot.stdout).toContain('color="#c0392b", style=dashed');
    expect(dot.stdout).toContain("∂loss/∂W1");
    const forward = await run("graph", "examples/lecture.net", "--dot");
    expect(forward.stdout).not.toContain("∂loss");
  });
});

describe("bad input: one or two lines naming the file and row/column or tensor, non-zero exit", () => {
  const cases: [string, () => string[], RegExp][] = [
    ["a missing model file", () => ["train", "@nope.net", "--data", "iris"], /^netc train: .*nope\.net: no such \.net file$/],
    ["a missing data file", () => ["train", "examples/iris.net", "--data", "@nope.csv"], /^netc train: .*nope\.csv: no such data file$/],
    ["an unknown data set name", () => ["train", "examples/iris.net", "--data", "irises"], /^netc train: irises: no such data file, and not a bundled data set; did you mean 'iris'\? \(bundled: iris, digits, lecture, xor, spirals, moons, parity, sorting\)$/],
    ["an empty CSV", () => ["train", "examples/iris.net", "--data", file("empty.csv", "")], /empty\.csv: the file is empty/],
    ["a row of the wrong width", () => ["train", "examples/iris.net", "--data", file("short.csv", "a,b,c,d,s\n1,2,3,4,x\n1,2,3,x\n")], /short\.csv:3: row has 4 cells, but the header has 5 columns$/],
    ["a non-numeric feature", () => ["train", "examples/iris.net", "--data", file("word.csv", "a,b,c,d,s\n1,two,3,4,x\n")], /word\.csv:2:2: 'two' in column 'b' is not a number$/],
    ["NaN in the data", () => ["train", "examples/iris.net", "--data", file("nan.csv", "a,b,c,d,s\n1,2,3,nan,x\n")], /nan\.csv:2:4: nan in column 'd'; data must be finite numbers$/],
    ["a header that does not match the input width", () => ["train", "examples/iris.net", "--data", file("three.csv", "a,b,c,s\n1,2,3,x\n")], /three\.csv:1: the header has 4 columns \(a, b, c, s\), but model iris takes 4 features/],
    ["an unseen class label in predict data", () => ["predict", "examples/iris.net", "--weights", "@trained/iris.weights.json", "--data", file("tulip.csv", "a,b,c,d,s\n1,2,3,4,tulip\n")], /tulip\.csv:2:5: class label 'tulip' was never seen in training \(known labels: setosa, versicolor, virginica\)$/],
    ["weights for another model", () => ["predict", "examples/xor.net", "--weights", "@trained/iris.weights.json", "--data", "xor"], /iris\.weights\.json: weights are for model 'iris', not model xor \(examples\/xor\.net\)$/],
    ["weights of another version", () => ["predictor", "examples/iris.net", "--weights", file("v9.json", '{"format":"netc-weights","version":9}')], /v9\.json: weights format version 9 is not supported; this netc reads versions 1 and 2$/],
    ["weights of another shape", () => ["predictor", "examples/iris.net", "--weights", file("shape.json", readFileSync(join(dir, "trained/iris.weights.json"), "utf8").replace('"name":"p.b","shape":[3]', '"name":"p.b","shape":[4]'))], /shape\.json: tensor 'p\.b' has shape \[4\] in the weights but \[3\] in model iris/],
    ["--out at a user's file", () => ["predictor", "examples/iris.net", "--weights", "@trained/iris.weights.json", "-o", file("notes.txt", "mine")], /notes\.txt: exists and was not written by netc; not overwriting it/],
    ["--out at a file, not a directory", () => ["train", "examples/iris.net", "--data", "iris", "--out", file("plain.txt", "mine")], /plain\.txt: exists and is not a directory/],
    ["a model with errors", () => ["train", file("bad.net", "model bad {\n  input x[2]\n  target y[1]\n  p = sigmoid(dense(z, 1))\n  output p\n  loss bce(p, y)\n}\n"), "--data", "xor"], /bad\.net:4:\d+: error: /],
  ];

  it.each(cases)("%s", async (_, argv, message) => {
    const r = await run(...argv());
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trimEnd().split("\n").length).toBeLessThanOrEqual(message.source.includes("error: ") ? 3 : 2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits non-zero without a stack trace from a real process", async () => {
    const bad = join(dir, "proc.csv");
    writeFileSync(bad, "a,b,c,d,s\n1,2,3,4\n");
    const argvs = [["train", "examples/iris.net", "--data", bad], ["predict", "examples/iris.net", "--weights", join(dir, "none.json"), "--data", "iris"]];
    for (const r of await Promise.all(argvs.map((argv) => netcProcess(argv)))) {
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stderr).toMatch(/^netc (train|predict): .*(proc\.csv:2: row has 4 cells|none\.json: no such weights file)/);
    }
  });
});

describe("netc predict output is safe to open in a spreadsheet", () => {
  it("writes class labels that look like formulas as text", async () => {
    const rows = ["a,b,label", ...Array.from({ length: 30 }, (_, i) => `${(i % 2) + 0.1 * (i % 5)},${1 - (i % 2)},${i % 2 ? "=HYPERLINK(1)" : "@cmd"}`)];
    const data = file("formula.csv", rows.join("\n") + "\n");
    const model = file("formula.net", "model f {\n  input x[2]\n  target label: class(2)\n  p = softmax(dense(x, 2))\n  output p\n  loss cross_entropy(p, label)\n  train { optimizer sgd(lr: 0.5); epochs 5; batch 10 }\n}\n");
    expect((await run("train", model, "--data", data, "--out", "@formula")).code).toBe(0);
    const r = await run("predict", model, "--weights", "@formula/f.weights.json", "--data", data);
    expect(r.code).toBe(0);
    const cells = r.stdout.trim().split("\n").slice(1).map((line) => line.split(",")[0]!);
    expect(cells.length).toBe(30);
    for (const cell of cells) expect(cell === "'=HYPERLINK(1)" || cell === "'@cmd").toBe(true);
  });
});
