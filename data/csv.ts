// CSV text to a table of string cells, remembering each row's line number so later stages can
// point at `file:ROW:COLUMN`. Quoted cells ("a, b", "say ""hi""", line breaks inside quotes),
// CRLF line ends and a byte-order mark are accepted; blank lines are skipped.
import { DataError } from "./errors.js";

export interface Table {
  /** The file (or bundled set) the rows came from, as shown in messages. */
  source: string;
  header: string[];
  rows: string[][];
  /** Line in the file where each row starts (the header is line 1 unless blank lines precede it). */
  lines: number[];
}

export function parseCsv(text: string, source: string): Table {
  const records = readRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, source);
  if (records.length === 0) throw new DataError(`${source}: the file is empty; expected a header row and then one row per sample`);
  const [head, ...body] = records;
  const header = head!.cells;
  if (header.every((c) => c !== "" && Number.isFinite(Number(c)))) {
    throw new DataError(`${source}:${head!.line}: the first row looks like data; add a header row naming the columns (e.g. x1,x2,label)`);
  }
  header.forEach((name, i) => {
    if (name === "") throw new DataError(`${source}:${head!.line}:${i + 1}: column ${i + 1} of the header has no name`);
  });
  if (body.length === 0) throw new DataError(`${source}: has a header but no data rows`);
  for (const r of body) {
    if (r.cells.length !== header.length) {
      throw new DataError(`${source}:${r.line}: row has ${r.cells.length} cell${r.cells.length === 1 ? "" : "s"}, but the header has ${header.length} columns`);
    }
  }
  return { source, header, rows: body.map((r) => r.cells), lines: body.map((r) => r.line) };
}

function readRecords(text: string, source: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let value: string;
      while (text[i] === " " || text[i] === "\t") i++;
      if (text[i] === '"') {
        const at = `${source}:${line}:${cells.length + 1}`;
        i++;
        value = "";
        for (;;) {
          if (i >= text.length) throw new DataError(`${at}: a quoted cell is never closed (missing '"')`);
          const ch = text[i]!;
          if (ch === '"' && text[i + 1] === '"') {
            value += '"';
            i += 2;
          } else if (ch === '"') {
            i++;
            break;
          } else {
            if (ch === "\n") line++;
            value += ch;
            i++;
          }
        }
        while (text[i] === " " || text[i] === "\t") i++;
        if (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          throw new DataError(`${at}: unexpected text after a quoted cell (quote the whole cell)`);
        }
      } else {
        let j = i;
        while (j < text.length && text[j] !== "," && text[j] !== "\n" && text[j] !== "\r") j++;
        value = text.slice(i, j).trim();
        i = j;
      }
      cells.push(value);
      if (text[i] !== ",") break;
      i++;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    line++;
    const blank = cells.length === 1 && cells[0] === "";
    if (!blank) records.push({ line: start, cells });
  }
  return records;
}
