// CSV parsed piece by piece: whatever the split points (inside a quoted cell, between "" of an
// escaped quote, between \r and \n), the records and their line numbers are those of the whole
// text; files are read in pieces and encoded straight into typed arrays.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileToGraph } from "../../compiler/index.js";
import { CsvSplitter, parseCsv, type CsvRecord } from "../../data/csv.js";
import { csvRecords, dataBatches, loadData } from "../../cli/inputs.js";

const dir = mkdtempSync(join(tmpdir(), "netc-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inPieces(text: string, cuts: number[]): CsvRecord[] {
  const splitter = new CsvSplitter("s.csv");
  const out: CsvRecord[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(...splitter.push(text.slice(from, cut)));
    from = cut;
  }
  return [...out, ...splitter.end()];
}

const TRICKY = '\ufeffa,"b, c",d\r\n1,"say ""hi""",3\r\n\r\n"x\r\ny",  2 ,3\r1,2,"3"\n\n4, "5" ,6';

describe("CsvSplitter", () => {
  const whole = inPieces(TRICKY, []);

  it("reads the whole text like the one-shot parser", () => {
    expect(whole.map((r) => r.cells)).toEqual([["a", "b, c", "d"], ["1", 'say "hi"', "3"], ["x\r\ny", "2", "3"], ["1", "2", "3"], ["4", "5", "6"]]);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 6, 8]);
    expect(parseCsv(TRICKY, "s.csv").lines).toEqual([2, 4, 6, 8]);
  });

  it("gives the same records for a split at every position", () => {
    for (let cut = 0; cut <= TRICKY.length; cut++) expect(inPieces(TRICKY, [cut]), `cut at ${cut}`).toEqual(whole);
  });

  it("gives the same records for one character at a time", () => {
    expect(inPieces(TRICKY, Array.from({ length: TRICKY.length }, (_, i) => i))).toEqual(whole);
  });

  it("reports an unclosed quote only at the end, at its line and column", () => {
    const splitter = new CsvSplitter("q.csv");
    expect(splitter.push('a,b\n1,"open')).toEqual([{ line: 1, cells: ["a", "b"] }]);
    expect(splitter.push(" still open\n")).toEqual([]);
    expect(() => splitter.end()).toThrow('q.csv:2:2: a quoted cell is never closed (missing \'"\')');
  });
});

describe("data files read in pieces", () => {
  const iris = compileToGraph(`model m {\n input x[2]\n target y: class(3)\n p = softmax(dense(x, 3))\n output p\n loss cross_entropy(p, y)\n}`).model;

  it("encodes a file larger than one read (1 MiB) exactly, CRLF and quoted labels included", () => {
    const rows = 60_000;
    const lines = ["a,b,label"];
    for (let i = 0; i < rows; i++) lines.push(`${i},${(i * 0.37).toFixed(3)},"${["cat", "dog", "e, mu"][i % 3]}"`);
    const path = join(dir, "big.csv");
    writeFileSync(path, lines.join("\r\n"));
    const data = loadData(path, iris, 0);
    expect(data.n).toBe(rows);
    expect(data.labels).toEqual(["cat", "dog", "e, mu"]);
    expect(data.x.length).toBe(rows * 2);
    expect([data.x[2 * 59_999], data.x[2 * 59_999 + 1]]).toEqual([59_999, Number((59_999 * 0.37).toFixed(3))]);
    expect(Array.from(data.classes!.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    let count = 0;
    for (const r of csvRecords(path)) count += r.cells.length === 3 ? 1 : 0;
    expect(count).toBe(rows + 1);
  });

  it("streams batches for predict, each row once, labels checked against training's", () => {
    const path = join(dir, "few.csv");
    writeFileSync(path, "a,b,label\n1,2,dog\n3,4,cat\n5,6,dog\n7,8,e\n");
    const batches = [...dataBatches(path, iris, 0, { labels: ["cat", "dog", "e"], targetOptional: true }, 3)];
    expect(batches.map((b) => b.n)).toEqual([3, 1]);
    expect(Array.from(batches[1]!.x)).toEqual([7, 8]);
    expect(Array.from(batches[0]!.classes!)).toEqual([1, 0, 1]);
  });
});
