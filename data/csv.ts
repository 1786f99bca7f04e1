// CSV text to records of string cells, remembering each record's line number so later stages
// can point at `file:LINE:COLUMN`. The text may arrive in pieces split anywhere — inside a quoted
// cell, between the \r and \n of a line end — so a file is parsed as it is read and never held
// whole. Quoted cells ("a, b", "say ""hi""", line breaks inside quotes), CRLF and lone CR line
// ends and a byte-order mark are accepted; blank lines are skipped.
import { DataError } from "./errors.js";

export interface Table {
  /** The file (or bundled set) the rows came from, as shown in messages. */
  source: string;
  header: string[];
  /** Line of the header (1 unless blank lines precede it). */
  headerLine?: number;
  rows: string[][];
  /** Line in the file where each row starts. */
  lines: number[];
}

export interface CsvRecord {
  line: number;
  cells: string[];
}

const COMMA = 44, QUOTE = 34, CR = 13, LF = 10, SPACE = 32, TAB = 9;

/** Splits CSV text fed in pieces into records. Call `push` for each piece, then `end`. */
export class CsvSplitter {
  private rest = "";
  /** Line number at the start of `rest`. */
  private line = 1;
  private first = true;
  /** The previous piece ended with \r: a \n starting this one belongs to that line end. */
  private pendingCr = false;

  constructor(readonly source: string) {}

  push(text: string): CsvRecord[] {
    return this.split(text, false);
  }

  end(): CsvRecord[] {
    return this.split("", true);
  }

  private split(piece: string, final: boolean): CsvRecord[] {
    let text = this.rest + piece;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let i = 0;
    if (this.pendingCr && text.length > 0) {
      if (text.charCodeAt(0) === LF) i = 1;
      this.pendingCr = false;
    }
    const records: CsvRecord[] = [];
    while (i < text.length) {
      const r = readRecord(text, i, this.line, final, this.source);
      if (!r) break; // the record continues in the next piece
      i = r.next;
      this.line = r.nextLine;
      if (r.endedWithCr && i === text.length && !final) this.pendingCr = true;
      if (!(r.cells.length === 1 && r.cells[0] === "")) records.push({ line: r.line, cells: r.cells });
    }
    this.rest = text.slice(i);
    return records;
  }
}

/** One record starting at `i`, or null when the text ends before the record does (and more may come). */
function readRecord(text: string, i: number, line: number, final: boolean, source: string) {
  const start = line;
  const cells: string[] = [];
  const n = text.length;
  for (;;) {
    while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    if (i < n && text.charCodeAt(i) === QUOTE) {
      const at = `${source}:${line}:${cells.length + 1}`;
      let value = "";
      let from = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          if (!final) return null;
          throw new DataError(`${at}: a quoted cell is never closed (missing '"')`);
        }
        line += countLineBreaks(text, i, q);
        if (q + 1 >= n && !final) return null; // a "" pair may straddle the pieces
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          i = from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
      if (i >= n && !final) return null;
      const c = text.charCodeAt(i);
      if (i < n && c !== COMMA && c !== LF && c !== CR) throw new DataError(`${at}: unexpected text after a quoted cell (quote the whole cell)`);
      cells.push(value);
    } else {
      let j = i;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
      }
      if (j >= n && !final) return null;
      cells.push(text.slice(i, j).trim());
      i = j;
    }
    if (i < n && text.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    break;
  }
  let endedWithCr = false;
  if (i < n && text.charCodeAt(i) === CR) {
    i++;
    endedWithCr = true;
  }
  if (i < n && text.charCodeAt(i) === LF) {
    i++;
    endedWithCr = false;
  }
  return { line: start, cells, next: i, nextLine: line + 1, endedWithCr };
}

/** Line breaks (\n, \r\n or a lone \r) in text[from, to). */
function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) count++;
  }
  return count;
}

/** Checks the header row: named columns, no duplicates, not a row of numbers. */
export function checkHeader(record: CsvRecord | undefined, source: string): string[] {
  if (!record) throw new DataError(`${source}: the file is empty; expected a header row and then one row per sample`);
  const header = record.cells;
  if (header.every((c) => c !== "" && Number.isFinite(Number(c)))) {
    throw new DataError(`${source}:${record.line}: the first row looks like data; add a header row naming the columns (e.g. x1,x2,label)`);
  }
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === "") throw new DataError(`${source}:${record.line}:${i + 1}: column ${i + 1} of the header has no name`);
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new DataError(`${source}:${record.line}:${i + 1}: column ${i + 1} of the header is named '${name}' like column ${prev + 1}; column names must be unique`);
    }
    seen.set(name, i);
  });
  if (header.length === 1) {
    // One column may be a file written with another delimiter: say so instead of "1 column".
    const delimiter = [";", "\t", "|"].find((d) => header[0]!.includes(d));
    if (delimiter) {
      const shown = delimiter === "\t" ? "a tab" : `'${delimiter}'`;
      throw new DataError(`${source}:${record.line}: the header is one column, '${header[0]}'; the delimiter looks like ${shown}, but netc reads comma-separated values (convert the file, e.g. replace ${shown} with ',')`);
    }
  }
  return header;
}

/** Checks a data row against the header's width. */
export function checkRowWidth(record: CsvRecord, width: number, source: string): void {
  const n = record.cells.length;
  if (n !== width) throw new DataError(`${source}:${record.line}: row has ${n} cell${n === 1 ? "" : "s"}, but the header has ${width} columns`);
}

/** A whole CSV text as a Table (bundled data sets, tests); files are streamed by the CLI instead. */
export function parseCsv(text: string, source: string): Table {
  const splitter = new CsvSplitter(source);
  const records = [...splitter.push(text), ...splitter.end()];
  const [head, ...body] = records;
  const header = checkHeader(head, source);
  if (body.length === 0) throw new DataError(`${source}: has a header but no data rows`);
  for (const r of body) checkRowWidth(r, header.length, source);
  return { source, header, headerLine: head!.line, rows: body.map((r) => r.cells), lines: body.map((r) => r.line) };
}
