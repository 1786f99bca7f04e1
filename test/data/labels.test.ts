// Labels and targets that used to be silently wrong: blank target cells, labels outside the
// trained ones (by name), classes no row has, binary cross-entropy targets outside [0, 1],
// duplicate header names and files with another delimiter.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { compileToGraph } from "../../compiler/index.js";
import type { ModelIR } from "../../compiler/model.js";
import { parseCsv } from "../../data/csv.js";
import { encodeTable } from "../../data/dataset.js";
import { parseWeights } from "../../data/weights.js";
import { netcInProcess } from "../cli/run.js";

vi.setConfig({ testTimeout: 120_000 });
const model = (body: string): ModelIR => compileToGraph(`model m {\n${body}\n}`).model;
const classes3 = model("input x[2]\ntarget label: class(3)\np = softmax(dense(x, 3))\noutput p\nloss cross_entropy(p, label)");
const sigmoid = model("input x[2]\ntarget y[1]\np = sigmoid(dense(x, 1))\noutput p\nloss bce(p, y)");
const logits = model("input x[2]\ntarget y[1]\nz = dense(x, 1)\noutput z\nloss bce_logits(z, y)");
const logits2 = model("input x[2]\ntarget y[2]\nz = dense(x, 2)\noutput z\nloss bce_logits(z, y)");
const mse = model("input x[2]\ntarget y[1]\nz = dense(x, 1)\noutput z\nloss mse(z, y)");
const encode = (text: string, m: ModelIR, options = {}) => encodeTable(parseCsv(text, "d.csv"), m, options);

describe("target cells", () => {
  it.each([
    ["a class(K) target", classes3, "a,b,label\n1,2,cat\n1,2,\n"],
    ["a sigmoid target", sigmoid, "a,b,y\n1,2,1\n1,2,\n"],
    ["numeric classes", classes3, "a,b,label\n1,2,0\n1,2,\n"],
  ])("a blank cell in %s is an error naming line and column", (_, m, text) => {
    expect(() => encode(text, m)).toThrow("d.csv:3:3: empty target cell in column");
  });

  it.each([
    ["bce_logits", logits, "a,b,y\n1,2,1\n1,2,2\n", "d.csv:3:3: target 2 in column 'y' is outside [0, 1]"],
    ["bce_logits, several columns", logits2, "a,b,y1,y2\n1,2,1,0\n1,2,0,-1\n", "d.csv:3:4: target -1 in column 'y2' is outside [0, 1]"],
    ["bce with a sigmoid head", sigmoid, "a,b,y\n1,2,1\n1,2,5\n", "d.csv:3:3: target 5 in column 'y' is outside [0, 1]"],
  ])("%s: targets outside [0, 1] are an error", (_, m, text, message) => {
    expect(() => encode(text, m)).toThrow(message);
  });

  it("both heads take probabilities in [0, 1]; mse takes any number", () => {
    expect(Array.from(encode("a,b,y\n1,2,0.25\n1,2,1\n", logits).y!)).toEqual([0.25, 1]);
    const soft = encode("a,b,y\n1,2,0.25\n1,2,0.75\n", sigmoid);
    expect(Array.from(soft.y!)).toEqual([0.25, 0.75]);
    expect(Array.from(soft.classes!)).toEqual([0, 1]);
    expect(Array.from(encode("a,b,y\n1,2,-7\n", mse).y!)).toEqual([-7]);
  });
});

describe("labels", () => {
  it("a class(K) target trained on fewer labels names the others `class k` and warns", () => {
    const d = encode("a,b,label\n1,2,cat\n3,4,dog\n", classes3);
    expect(d.labels).toEqual(["cat", "dog", "class 2"]);
    expect(d.warnings).toEqual(["d.csv: label: class(3) has 3 classes, but no row has class 2 (named 'class 2' in the weights file); the model will learn never to predict it"]);
    expect(encode("a,b,label\n1,2,0\n3,4,2\n", classes3).warnings[0]).toContain("no row has class 1;");
  });

  it("labels at predict or resume time must be trained labels, by name", () => {
    const trained = ["cat", "dog", "emu"];
    expect(Array.from(encode("a,b,label\n1,2,emu\n", classes3, { labels: trained }).classes!)).toEqual([2]);
    expect(() => encode("a,b,label\n1,2,emu\n1,2,yak\n", classes3, { labels: trained })).toThrow("d.csv:3:3: class label 'yak' was never seen in training (known labels: cat, dog, emu)");
    // Trained on class indices: names are not silently renumbered.
    expect(() => encode("a,b,label\n1,2,cat\n", classes3, { labels: null })).toThrow("d.csv:2:3: class label 'cat' in column 'label' is not a class index; the weights were trained on class indices 0..2, not on named labels");
    expect(() => encode("a,b,label\n1,2,1\n", classes3, { labels: trained })).toThrow("d.csv:2:3: class label '1' was never seen in training");
  });
});

describe("headers", () => {
  it("a misspelt column name gets the closest one", () => {
    expect(() => encode("a,b,label\n1,2,0\n", classes3, { target: ["labl"] })).toThrow("d.csv:1: no column named 'labl' for --target; did you mean 'label'? (columns: a, b, label)");
  });

  it("duplicate names are an error", () => {
    expect(() => parseCsv("y,a,y\n1,2,3\n", "d.csv")).toThrow("d.csv:1:3: column 3 of the header is named 'y' like column 1; column names must be unique");
  });

  it("a file with another delimiter says which", () => {
    expect(() => parseCsv("a;b;y\n1;2;3\n", "d.csv")).toThrow("d.csv:1: the header is one column, 'a;b;y'; the delimiter looks like ';'");
    expect(() => parseCsv("a\tb\ty\n1\t2\t3\n", "d.csv")).toThrow("the delimiter looks like a tab");
  });
});

describe("netc train and predict", () => {
  const dir = mkdtempSync(join(tmpdir(), "netc-labels-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("warns about a class with no rows and gives it a name that classify and predict use", async () => {
    writeFileSync(join(dir, "two.csv"), "a,b,c,d,species\n5.1,3.5,1.4,0.2,setosa\n6.3,3.3,6,2.5,virginica\n4.9,3,1.4,0.2,setosa\n");
    const r = await netcInProcess(["train", "examples/iris.net", "--data", join(dir, "two.csv"), "--epochs", "2", "--out", join(dir, "o")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("netc train: warning: ");
    expect(r.stderr).toContain("no row has class 2 (named 'class 2' in the weights file)");
    const w = parseWeights((await import("node:fs")).readFileSync(join(dir, "o/iris.weights.json"), "utf8"), "w");
    expect(w.labels).toEqual(["setosa", "virginica", "class 2"]);
    const p = await netcInProcess(["predict", "examples/iris.net", "--weights", join(dir, "o/iris.weights.json"), "--data", join(dir, "two.csv")]);
    expect(p.stdout.split("\n")[0]).toBe("class,p_setosa,p_virginica,p_class 2");
  });
});
