// CSV parsing, target encoding for each kind of model target, bundled data sets, and the
// validation split: every bad input gets a message naming file:row:column.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileToGraph } from "../../compiler/index.js";
import type { ModelIR } from "../../compiler/model.js";
import { BUNDLED_DATA } from "../../data/bundled-data.js";
import { parseCsv } from "../../data/csv.js";
import { encodeTable, splitDataset } from "../../data/dataset.js";

const example = (name: string): ModelIR => compileToGraph(readFileSync(new URL(`../../examples/${name}.net`, import.meta.url), "utf8")).model;
const inline = (body: string): ModelIR => compileToGraph(`model m {\n${body}\n}`).model;
const iris = example("iris");
const lecture = example("lecture");
const onehot = inline("input x[2]\ntarget y[3]\nlayers { dense 3 softmax }\nloss cross_entropy");
const regression = example("regression");
const twoClasses = inline("input x[2]\ntarget c: class(2)\np = softmax(dense(x, 2))\noutput p\nloss cross_entropy(p, c)");

const csv = (text: string) => parseCsv(text, "d.csv");
const encode = (text: string, model: ModelIR, options = {}) => encodeTable(csv(text), model, options);

describe("parseCsv", () => {
  it("reads quoted cells, escaped quotes, CRLF, a BOM, blank lines and line breaks inside quotes", () => {
    const t = csv('\ufeffa,"b, c",d\r\n1,"say ""hi""",3\r\n\r\n"x\ny",  2 ,3\n');
    expect(t.header).toEqual(["a", "b, c", "d"]);
    expect(t.rows).toEqual([["1", 'say "hi"', "3"], ["x\ny", "2", "3"]]);
    expect(t.lines).toEqual([2, 4]);
  });

  it.each([
    ["", /^d\.csv: the file is empty/],
    ["a,b\n", /^d\.csv: has a header but no data rows/],
    ["1,2\n3,4\n", /^d\.csv:1: the first row looks like data; add a header row/],
    ["a,b\n1,2\n3\n", /^d\.csv:3: row has 1 cell, but the header has 2 columns/],
    ["a,b\n1,2,3\n", /^d\.csv:2: row has 3 cells, but the header has 2 columns/],
    ['a,b\n1,"2\n', /^d\.csv:2:2: a quoted cell is never closed/],
    ['a,b\n1,"2"x\n', /^d\.csv:2:2: unexpected text after a quoted cell/],
    ["a,,c\n1,2,3\n", /^d\.csv:1:2: column 2 of the header has no name/],
  ])("rejects %j", (text, message) => {
    expect(() => csv(text)).toThrow(message);
  });
});

describe("encodeTable", () => {
  it("maps string class labels to sorted indices and keeps the mapping", () => {
    const d = encode("a,b,c,d,species\n1,2,3,4,virginica\n5,6,7,8,setosa\n1,1,1,1,versicolor\n", iris);
    expect(d.labels).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(d.y!)).toEqual([2, 0, 1]);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1]);
  });

  it("takes integer class labels as indices, with no mapping", () => {
    const d = encode("a,b,c,d,k\n1,2,3,4,2\n5,6,7,8,0\n", iris);
    expect(d.labels).toBeNull();
    expect(Array.from(d.classes!)).toEqual([2, 0]);
  });

  it("encodes a y[1] sigmoid target as 0/1 and a y[3] softmax target as one-hot", () => {
    expect(Array.from(encode("a,b,t\n1,2,yes\n3,4,no\n", lecture).y!)).toEqual([1, 0]);
    const d = encode("a,b,t\n1,2,cat\n3,4,dog\n5,6,ant\n", onehot);
    expect(Array.from(d.y!)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(d.classes!)).toEqual([1, 2, 0]);
    expect(Array.from(encode("a,b,p,q,r\n1,2,0.2,0.5,0.3\n", onehot).classes!)).toEqual([1]);
  });

  it("picks the target column by name with --target", () => {
    const d = encode("label,a,b\n1,0.5,0.25\n0,0.75,1\n", lecture, { target: ["label"] });
    expect(Array.from(d.x)).toEqual([0.5, 0.25, 0.75, 1]);
    expect(Array.from(d.y!)).toEqual([1, 0]);
  });

  it("uses the label mapping from training and rejects labels it never saw", () => {
    const d = encode("a,b,c,d,s\n1,2,3,4,virginica\n", iris, { labels: ["setosa", "versicolor", "virginica"] });
    expect(Array.from(d.y!)).toEqual([2]);
    expect(() => encode("a,b,c,d,s\n1,2,3,4,setosa\n1,2,3,4,tulip\n", iris, { labels: ["setosa", "versicolor", "virginica"] }))
      .toThrow("d.csv:3:5: class label 'tulip' was never seen in training (known labels: setosa, versicolor, virginica)");
  });

  it("accepts feature-only data when the target is optional (predict)", () => {
    const d = encode("a,b,c,d\n1,2,3,4\n", iris, { targetOptional: true });
    expect(d.y).toBeNull();
    expect(d.n).toBe(1);
  });

  it.each([
    ["a,b,c,d,s\n1,2,x,4,0\n", iris, "d.csv:2:3: 'x' in column 'c' is not a number"],
    ["a,b,c,d,s\n1,2,,4,0\n", iris, "d.csv:2:3: empty feature cell in column 'c'"],
    ["a,b,c,d,s\n1,NaN,3,4,0\n", iris, "d.csv:2:2: NaN in column 'b'; data must be finite numbers"],
    ["a,b,c,d,s\n1,2,-Infinity,4,0\n", iris, "d.csv:2:3: -Infinity in column 'c'; data must be finite numbers"],
    ["a,b,c,d,s\n1,2,1e999,4,0\n", iris, "d.csv:2:3: '1e999' in column 'c' is too large"],
    ["a,b,c,s\n1,2,3,0\n", iris, "d.csv:1: the header has 4 columns (a, b, c, s), but model iris takes 4 features (x[4]) and 1 target column (label: class(3))"],
    ["a,b,c,d,s\n1,2,3,4,3\n", iris, "d.csv:2:5: class label 3 in column 's' is not one of 0..2 (label: class(3))"],
    ["a,b,c,d,s\n1,2,3,4,a\n1,2,3,4,b\n1,2,3,4,c\n1,2,3,4,d\n", iris, "d.csv: column 's' has 4 class labels (a, b, c, d), but label: class(3) has 3"],
    ["a,b,c,y\n1,2,3,big\n", regression, "d.csv:2:4: 'big' in column 'y' is not a number"],
  ])("rejects %j", (text, model, message) => {
    expect(() => encode(text, model)).toThrow(message);
  });

  it("names a missing --target column", () => {
    expect(() => encode("a,b,t\n1,2,0\n", lecture, { target: ["label"] })).toThrow("d.csv:1: no column named 'label' for --target (columns: a, b, t)");
  });
});

describe("bundled data sets", () => {
  it("ships Iris with 150 rows and three species", () => {
    const d = encodeTable(BUNDLED_DATA.iris!.load(0), iris);
    expect(d.n).toBe(150);
    expect(d.labels).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(d.x.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2]);
  });

  it("ships the lecture's four rows", () => {
    const d = encodeTable(BUNDLED_DATA.lecture!.load(0), lecture);
    expect(Array.from(d.x)).toEqual([0.3, 0.6, 0.5, 0.1, 0.9, 0.9, 0.4, 0.5]);
    expect(Array.from(d.y!)).toEqual([1, 0, 0, 1]);
  });

  it.each(["xor", "spirals", "moons"])("generates %s from the seed, adapting the target to the model", (name) => {
    const a = encodeTable(BUNDLED_DATA[name]!.load(7), lecture);
    expect(a.n).toBe(200);
    expect(Array.from(encodeTable(BUNDLED_DATA[name]!.load(7), lecture).x)).toEqual(Array.from(a.x));
    expect(Array.from(encodeTable(BUNDLED_DATA[name]!.load(8), lecture).x)).not.toEqual(Array.from(a.x));
    const classes = new Set(a.y);
    expect(classes).toEqual(new Set([0, 1]));
    expect(Array.from(encodeTable(BUNDLED_DATA[name]!.load(7), twoClasses).y!)).toEqual(Array.from(a.y!));
  });
});

describe("splitDataset", () => {
  it("holds out a seeded fraction and keeps every row exactly once", () => {
    const d = encodeTable(BUNDLED_DATA.iris!.load(0), iris);
    const { train, val } = splitDataset(d, 0.2, 42, iris);
    expect([train.n, val!.n]).toEqual([120, 30]);
    const again = splitDataset(d, 0.2, 42, iris);
    expect(Array.from(again.val!.x)).toEqual(Array.from(val!.x));
    const rows = (x: Float64Array) => Array.from({ length: x.length / 4 }, (_, i) => Array.from(x.subarray(i * 4, i * 4 + 4)).join(","));
    expect([...rows(train.x), ...rows(val!.x)].sort()).toEqual(rows(d.x).sort());
    expect(splitDataset(d, 0, 42, iris).val).toBeNull();
  });
});
