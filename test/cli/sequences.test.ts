// The sequence models on the command line, through `main` with a capturing output: training on
// a bundled generator, predictions with a class per position, and the messages for ids that
// are not ids, for standardizing ids, and for explaining ids or per-position predictions.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { scratchCli } from "../support/cli.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
let dir = "";

/** `main` in-process; an argument starting with `@` names a file in the test's directory. */
const { run, file } = scratchCli(() => dir);

const TAGGER = `model tagger {
  input s[4]: index(5)
  target y[4]: class(3)
  h = gru(embedding(s, 4), 6)
  p = softmax(dense(h, 3))
  output p
  loss cross_entropy
  train { optimizer adam(lr: 0.05); epochs 3; batch 8 }
}`;

const ROWS = ["s1,s2,s3,s4,y1,y2,y3,y4", ...Array.from({ length: 40 }, (_, r) => {
  const s = [r % 5, (r * 3) % 5, (r * 7) % 5, (r + 2) % 5];
  return [...s, ...s.map((v) => v % 3)].join(",");
})];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "netc-seq-"));
  file("tagger.net", TAGGER);
  file("tagger.csv", `${ROWS.join("\n")}\n`);
  const r = await run("train", "@tagger.net", "--data", "@tagger.csv", "--out", "@trained");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sequence models on the command line", () => {
  it("train --data parity: the bundled generator, per-position accuracy", async () => {
    const r = await run("train", "examples/sequence.net", "--data", "parity", "--epochs", "1", "--out", "@parity");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/on parity: 1600 rows \+ 400 for validation/);
    expect(r.stdout).toMatch(/^ {2}validation loss \d\.\d{4} {2}accuracy [\d.]+% {2}\(400 rows\)$/m);
  });

  it("predict prints one class per position and counts positions for the accuracy", async () => {
    const r = await run("predict", "@tagger.net", "--weights", "@trained/tagger.weights.json", "--data", "@tagger.csv");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("class_0,class_1,class_2,class_3");
    expect(lines).toHaveLength(41);
    for (const line of lines.slice(1)) expect(line).toMatch(/^[0-2],[0-2],[0-2],[0-2]$/);
    expect(r.stderr).toMatch(/^accuracy [\d.]+% \(\d+ of 160 positions match the target columns\)$/m);
  });

  it("an id that is not a whole number in range is an error naming line, column and column name", async () => {
    const bad = file("bad.csv", `${ROWS.slice(0, 3).join("\n")}\n1,5,0,0,0,0,0,0\n`);
    const r = await run("predict", "@tagger.net", "--weights", "@trained/tagger.weights.json", "--data", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`netc predict: ${dir}/bad.csv:4:2: 5 in column 's2' is not an id of the index input s[4]: index(5) (whole numbers 0..4)\n`);
    const half = file("half.csv", `${ROWS.slice(0, 2).join("\n")}\n1,0,2.5,0,0,0,0,0\n`);
    const t = await run("train", "@tagger.net", "--data", half, "--out", "@x");
    expect(t.stderr).toContain(`half.csv:3:3: 2.5 in column 's3' is not an id of the index input`);
  });

  it("a class index out of range at one position names it", async () => {
    const bad = file("badclass.csv", `${ROWS.slice(0, 3).join("\n")}\n1,1,0,0,0,0,3,0\n`);
    const r = await run("train", "@tagger.net", "--data", bad, "--out", "@y");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`badclass.csv:4:7: class label 3 in column 'y3' is not one of 0..2 (y[4]: class(3))`);
  });

  it("named labels per position: one sorted label set over the columns, the same training as their indices, names in predictions", async () => {
    const NAMES = ["adj", "noun", "verb"]; // sorted: adj = 0, noun = 1, verb = 2, as the indices
    const named = [ROWS[0]!, ...ROWS.slice(1).map((row) => row.split(",").map((v, c) => (c < 4 ? v : NAMES[Number(v)])).join(","))];
    file("named.csv", `${named.join("\n")}\n`);
    const t = await run("train", "@tagger.net", "--data", "@named.csv", "--out", "@named");
    expect(t.stderr).toBe("");
    expect(t.code).toBe(0);
    const byName = JSON.parse(readFileSync(join(dir, "named/tagger.weights.json"), "utf8"));
    const byIndex = JSON.parse(readFileSync(join(dir, "trained/tagger.weights.json"), "utf8"));
    expect(byName.labels).toEqual(NAMES);
    expect(byName.params).toEqual(byIndex.params);
    const p = await run("predict", "@tagger.net", "--weights", "@named/tagger.weights.json", "--data", "@named.csv");
    expect(p.code).toBe(0);
    const lines = p.stdout.trim().split("\n");
    expect(lines[0]).toBe("class_0,class_1,class_2,class_3");
    for (const line of lines.slice(1)) expect(line).toMatch(/^(adj|noun|verb)(,(adj|noun|verb)){3}$/);
    expect(p.stderr).toMatch(/^accuracy [\d.]+% \(\d+ of 160 positions match the target columns\)$/m);

    const unknown = file("unknown.csv", `${named.slice(0, 3).join("\n")}\n1,1,0,0,adj,noun,pronoun,verb\n`);
    const u = await run("predict", "@tagger.net", "--weights", "@named/tagger.weights.json", "--data", unknown);
    expect(u.code).toBe(1);
    expect(u.stderr).toBe(`netc predict: ${dir}/unknown.csv:4:7: class label 'pronoun' was never seen in training (known labels: adj, noun, verb)\n`);
    const many = file("many.csv", `${named.slice(0, 3).join("\n")}\n1,1,0,0,adj,noun,pronoun,verb\n`);
    const m = await run("train", "@tagger.net", "--data", many, "--out", "@many");
    expect(m.code).toBe(1);
    expect(m.stderr).toBe(`netc train: ${dir}/many.csv: columns 'y1', 'y2', 'y3', 'y4' have 4 class labels (adj, noun, pronoun, verb), but y[4]: class(3) has 3\n`);
  });

  it("--normalize refuses ids; explain refuses ids and per-position predictions", async () => {
    const n = await run("train", "@tagger.net", "--data", "@tagger.csv", "--normalize", "--out", "@z");
    expect(n.code).toBe(1);
    expect(n.stderr).toContain("--normalize: the input s[4]: index(5) holds ids");
    const e = await run("explain", "@tagger.net", "--weights", "@trained/tagger.weights.json", "--data", "@tagger.csv");
    expect(e.code).toBe(1);
    expect(e.stderr).toContain("holds ids");
    const seq = await run("explain", "examples/sequence.net", "--weights", "@parity/sequence.weights.json", "--data", "parity");
    expect(seq.code).toBe(1);
    expect(seq.stderr).toContain("target parity[12]: class(2) makes one per position");
  });

  it("the predictor file classifies each position", async () => {
    const r = await run("predictor", "@tagger.net", "--weights", "@trained/tagger.weights.json", "-o", "@tagger.predict.ts");
    expect(r.code).toBe(0);
    const code = readFileSync(join(dir, "tagger.predict.ts"), "utf8");
    expect(code).toMatch(/export function classify\(s: ArrayLike<number>\): Int32Array \{/);
    expect(code).toContain('checkIds("predict", "the input", sampleIn, 4, 1, 5);');
  });
});
