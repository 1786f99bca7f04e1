// CSV records become the Float64Arrays a generated model trains on, row by row as they are read
// (a file is never held as text or as a table of strings). The target column(s) are encoded the
// way the model's `target` declares: class(K) → one class index per row, y[1] with a sigmoid head
// → a value in [0, 1] (0/1 or two string labels), y[K] with a softmax head → one-hot (or K
// numeric columns), anything else → numbers as given. String class labels become indices; the
// mapping is kept.
import { classPositions, inputDecl, type ModelIR } from "../compiler/model.js";
import { chooseColumns, describeTarget, targetEncoding, targetsAreProbabilities, type DataColumns, type Encoding } from "./columns.js";
import { checkRowWidth, type CsvRecord, type Table } from "./csv.js";
import { DataError } from "./errors.js";
import { makeRng, shuffle } from "./rng.js";

export interface Dataset {
  source: string;
  n: number;
  /** n rows of the model's input width. */
  x: Float64Array;
  /** n rows of the model's target width, or null when the data has no target column. */
  y: Float64Array | null;
  /** True class index per row (per position, row-major, for `y[T]: class(K)`) when the model is a classifier and the data has a target. */
  classes: Int32Array | null;
  /** Class names by index when the target column held string labels. */
  labels: string[] | null;
  /** The columns the features and the target came from. */
  columns: DataColumns;
  /** Things worth telling the user that are not errors (a class with no rows). */
  warnings: string[];
}

export interface EncodeOptions {
  /** Column(s) holding the target; by default the last columns (after --features and --ignore). */
  target?: string[];
  /** The feature columns, by name, in input order; by default every column but the target's. */
  features?: string[];
  /** Columns to leave out (an ID column). */
  ignore?: string[];
  /**
   * Labels fixed by earlier training (a weights file): the names, or null when training used
   * class indices. Labels outside them are an error. Undefined when there was no earlier training.
   */
  labels?: string[] | null;
  /** Allow data with feature columns only (predict). */
  targetOptional?: boolean;
  /**
   * The columns training read (from the weights file), used when no column option is given and
   * the header has every feature column; any other column is then left out.
   */
  trained?: DataColumns;
}


const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Growable storage for rows of `width` numbers; `capacity` is a hint (a file's line count). */
class Rows<T extends Float64Array | Int32Array> {
  data: T;
  constructor(private readonly make: (n: number) => T, readonly width: number, capacity: number) {
    this.data = make(Math.max(1, capacity) * width);
  }
  ensure(rows: number): void {
    if (rows * this.width <= this.data.length) return;
    const bigger = this.make(Math.ceil(rows * 1.5) * this.width);
    bigger.set(this.data);
    this.data = bigger;
  }
  view(rows: number): T {
    return this.data.subarray(0, rows * this.width) as T;
  }
}

/** Where each distinct label was first seen, for messages that point at it. */
interface SeenLabel {
  id: number;
  /** Where it first appeared. */
  line: number;
  column: number;
}

/** Encodes records one at a time; `finish` returns the data set. */
export class DatasetBuilder {
  private readonly features: number[];
  private readonly targets: number[];
  private readonly enc: Encoding;
  private readonly probabilities: boolean;
  private readonly x: Rows<Float64Array>;
  private readonly y: Rows<Float64Array> | null;
  private readonly classes: Rows<Int32Array> | null;
  /** Labels in order of first appearance, while the mapping is not yet known (training from scratch). */
  private readonly seen = new Map<string, SeenLabel>();
  private readonly ids: Rows<Int32Array> | null;
  private readonly known: Map<string, number> | null | undefined;
  n = 0;

  constructor(readonly header: string[], readonly source: string, readonly model: ModelIR, readonly options: EncodeOptions = {}, capacity = 1024) {
    ({ features: this.features, targets: this.targets } = chooseColumns(header, source, model, options));
    this.enc = targetEncoding(model);
    this.probabilities = targetsAreProbabilities(model);
    this.x = new Rows((k) => new Float64Array(k), model.input.width, capacity);
    const hasTarget = this.targets.length > 0;
    this.y = hasTarget ? new Rows((k) => new Float64Array(k), model.target.width, capacity) : null;
    const classified = hasTarget && this.enc.kind !== "values";
    this.classes = classified ? new Rows((k) => new Int32Array(k), classPositions(model), capacity) : null;
    this.ids = classified && this.labelled && options.labels === undefined ? new Rows((k) => new Int32Array(k), this.targets.length, capacity) : null;
    this.known = options.labels === undefined ? undefined : options.labels && new Map(options.labels.map((l, i) => [l, i]));
  }

  /**
   * A label column per class position — one, or one per position for `y[T]: class(K)` — as
   * opposed to K numeric one-hot columns or plain values. Labels are class indices or names.
   */
  private get labelled(): boolean {
    if (this.enc.kind === "index") return this.targets.length === this.enc.positions;
    return this.enc.kind !== "values" && this.targets.length === 1;
  }

  get columns(): DataColumns {
    return { features: this.features.map((i) => this.header[i]!), target: this.targets.map((i) => this.header[i]!) };
  }

  add(record: CsvRecord): void {
    checkRowWidth(record, this.header.length, this.source);
    const r = this.n++;
    const inW = this.model.input.width;
    this.x.ensure(this.n);
    const x = this.x.data;
    this.features.forEach((c, k) => (x[r * inW + k] = this.number(record, c, "feature")));
    const ids = this.model.input.index;
    if (ids) this.features.forEach((c, k) => this.checkId(x[r * inW + k]!, ids, record, c));
    if (!this.y) return;
    this.y.ensure(this.n);
    this.classes?.ensure(this.n);
    const tW = this.model.target.width;
    if (!this.labelled) {
      const y = this.y.data;
      this.targets.forEach((c, k) => (y[r * tW + k] = this.number(record, c, "target")));
      if (this.probabilities) this.targets.forEach((c, k) => this.checkProbability(y[r * tW + k]!, record, c));
      if (this.classes) this.classes.data[r] = argmax(y, r, tW);
      return;
    }
    this.ids?.ensure(this.n);
    const P = this.targets.length;
    this.targets.forEach((c, k) => {
      const cell = record.cells[c]!;
      if (cell === "") throw new DataError(`${this.at(record, c)}: empty target cell in column '${this.header[c]}'; every ${P > 1 ? "position" : "row"} needs a target`);
      if (this.ids) {
        let s = this.seen.get(cell);
        if (!s) this.seen.set(cell, (s = { id: this.seen.size, line: record.line, column: c }));
        this.ids.data[r * P + k] = s.id;
      } else {
        this.setTarget(r, k, this.knownClass(cell, record, c));
      }
    });
  }

  /** The rows so far, labels resolved; the builder is empty afterwards (predict streams in batches). */
  take(): Dataset {
    if (this.ids) throw new Error("internal: take() needs the label mapping of earlier training");
    const data = this.finish();
    const copy = (a: Float64Array) => a.slice();
    const out = { ...data, x: copy(data.x), y: data.y && copy(data.y), classes: data.classes && data.classes.slice() };
    this.n = 0;
    return out;
  }

  finish(): Dataset {
    let labels = this.known === undefined ? null : (this.options.labels ?? null);
    const warnings: string[] = [];
    if (this.ids && this.n > 0) labels = this.resolveSeen(warnings);
    else if (this.classes && this.known === undefined && this.n > 0) warnings.push(...this.emptyClasses(null));
    return {
      source: this.source,
      n: this.n,
      x: this.x.view(this.n),
      y: this.y && this.y.view(this.n),
      classes: this.classes && this.classes.view(this.n),
      labels,
      columns: this.columns,
      warnings,
    };
  }

  private number(record: CsvRecord, c: number, role: string): number {
    const cell = record.cells[c]!;
    const v = Number(cell);
    // The common case first: Number() is lenient ("", " 1", "0x1f"), the pattern is not.
    if (Number.isFinite(v) && cell !== "" && NUMBER.test(cell)) return v;
    const at = this.at(record, c);
    const column = `column '${this.header[c]}'`;
    if (cell === "") throw new DataError(`${at}: empty ${role} cell in ${column}; every cell must hold a number`);
    if (/^[+-]?(nan|inf(inity)?)$/i.test(cell)) throw new DataError(`${at}: ${cell} in ${column}; data must be finite numbers`);
    if (!NUMBER.test(cell)) throw new DataError(`${at}: '${cell}' in ${column} is not a number`);
    if (!Number.isFinite(v)) throw new DataError(`${at}: '${cell}' in ${column} is too large for a float64; data must be finite numbers`);
    return v;
  }

  /** A value of an index input must be an id: a whole number below the input's count. */
  private checkId(v: number, count: number, record: CsvRecord, c: number): void {
    if (v >= 0 && v < count && Number.isInteger(v)) return;
    throw new DataError(`${this.at(record, c)}: ${record.cells[c]} in column '${this.header[c]}' is not an id of the index input ${inputDecl(this.model)} (whole numbers 0..${count - 1})`);
  }

  private at(record: CsvRecord, c: number): string {
    return `${this.source}:${record.line}:${c + 1}`;
  }

  private checkProbability(v: number, record: CsvRecord, c: number): void {
    if (v >= 0 && v <= 1) return;
    throw new DataError(`${this.at(record, c)}: target ${record.cells[c]} in column '${this.header[c]}' is outside [0, 1]; the model's binary cross-entropy needs probabilities (0/1 labels or values between)`);
  }

  private get limit(): number {
    return this.enc.kind === "binary" ? 2 : (this.enc as { classes: number }).classes;
  }

  /** A label checked against the mapping of earlier training (null: class indices). */
  private knownClass(cell: string, record: CsvRecord, c: number): number {
    if (this.known) {
      const i = this.known.get(cell);
      if (i !== undefined) return i;
      throw new DataError(`${this.at(record, c)}: class label '${cell}' was never seen in training (known labels: ${[...this.known.keys()].join(", ")})`);
    }
    if (!NUMBER.test(cell)) {
      throw new DataError(`${this.at(record, c)}: class label '${cell}' in column '${this.header[c]}' is not a class index; the weights were trained on class indices 0..${this.limit - 1}, not on named labels`);
    }
    return this.numericClass(cell, record.line, c);
  }

  /** A numeric label: a class index, or for a binary target a value in [0, 1] (kept as is). */
  private numericClass(cell: string, line: number, c: number): number {
    const v = Number(cell);
    if (this.enc.kind === "binary") {
      if (v >= 0 && v <= 1) return v;
      throw new DataError(`${this.source}:${line}:${c + 1}: target ${cell} in column '${this.header[c]}' is outside [0, 1] (${describeTarget(this.model)} with a sigmoid output takes 0/1 labels, values between, or two named labels)`);
    }
    if (!Number.isInteger(v) || v < 0 || v >= this.limit) {
      throw new DataError(`${this.source}:${line}:${c + 1}: class label ${cell} in column '${this.header[c]}' is not one of 0..${this.limit - 1} (${describeTarget(this.model)})`);
    }
    return v;
  }

  /** Row r's target at class position k from its class (or, for a binary target, its value in [0, 1]). */
  private setTarget(r: number, k: number, v: number): void {
    const y = this.y!.data;
    if (this.enc.kind === "index") {
      const at = r * this.enc.positions + k;
      y[at] = this.classes!.data[at] = v;
      return;
    }
    if (this.enc.kind === "onehot") {
      y.fill(0, r * this.enc.classes, (r + 1) * this.enc.classes);
      y[r * this.enc.classes + v] = 1;
    } else y[r] = v;
    this.classes!.data[r] = this.enc.kind === "binary" ? (v >= 0.5 ? 1 : 0) : v;
  }

  /** Training from scratch: numeric labels are indices; names are sorted and numbered. */
  private resolveSeen(warnings: string[]): string[] | null {
    const seen = [...this.seen.entries()];
    const numeric = seen.every(([cell]) => NUMBER.test(cell));
    let labels: string[] | null = null;
    const value = new Float64Array(seen.length);
    if (numeric) {
      for (const [cell, s] of seen) value[s.id] = this.numericClass(cell, s.line, s.column);
    } else {
      const names = seen.map(([cell]) => cell).sort();
      if (names.length > this.limit) {
        const shown = names.length > 8 ? `${names.slice(0, 8).join(", ")}, ...` : names.join(", ");
        const columns = this.targets.length === 1 ? `column '${this.header[this.targets[0]!]}' has` : `columns ${this.targets.map((c) => `'${this.header[c]}'`).join(", ")} have`;
        throw new DataError(`${this.source}: ${columns} ${names.length} class labels (${shown}), but ${describeTarget(this.model)} has ${this.limit}`);
      }
      const index = new Map(names.map((l, i) => [l, i]));
      for (const [cell, s] of seen) value[s.id] = index.get(cell)!;
      labels = padLabels(names, this.limit);
    }
    const ids = this.ids!.data;
    const P = this.targets.length;
    for (let i = 0; i < this.n * P; i++) this.setTarget(Math.floor(i / P), i % P, value[ids[i]!]!);
    warnings.push(...this.emptyClasses(labels));
    return labels;
  }

  /** A warning for each class no row has: its output is trained only ever to be small. */
  private emptyClasses(labels: string[] | null): string[] {
    if (!this.classes) return [];
    const counts = new Array<number>(this.limit).fill(0);
    const classes = this.classes.data;
    for (let i = 0; i < this.n * this.classes.width; i++) counts[classes[i]!]!++;
    const missing = counts.flatMap((k, i) => (k === 0 ? [i] : []));
    if (missing.length === 0) return [];
    const names = missing.map((i) => (labels ? `'${labels[i]}'` : `${i}`)).join(", ");
    const named = labels ? ` (named ${names} in the weights file)` : "";
    return [`${this.source}: ${describeTarget(this.model)} has ${this.limit} classes, but no row has class ${missing.join(", ")}${named}; the model will learn never to predict ${missing.length === 1 ? "it" : "them"}`];
  }
}

/** The sorted names, then `class K` for each class no row named (so every class has a label). */
function padLabels(names: string[], classes: number): string[] {
  const out = [...names];
  const taken = new Set(names);
  for (let k = names.length; k < classes; k++) {
    let name = `class ${k}`;
    while (taken.has(name)) name += "'";
    taken.add(name);
    out.push(name);
  }
  return out;
}

function argmax(y: Float64Array, r: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (y[r * width + j]! > y[r * width + best]!) best = j;
  return best;
}

/** A whole Table (bundled data sets, tests) encoded at once. */
export function encodeTable(table: Table, model: ModelIR, options: EncodeOptions = {}): Dataset {
  const builder = new DatasetBuilder(table.header, table.source, model, options, table.rows.length);
  table.rows.forEach((cells, r) => builder.add({ cells, line: table.lines[r]! }));
  return builder.finish();
}

/**
 * Seeded shuffle, then the last `fraction` of rows (rounded) for validation. With `inPlace` the
 * rows of `data` are reordered where they are and both parts are views of them, so a large data
 * set is not held twice.
 */
export function splitDataset(data: Dataset, fraction: number, seed: number, model: ModelIR, options: { inPlace?: boolean } = {}): { train: Dataset; val: Dataset | null } {
  const nVal = Math.round(data.n * fraction);
  if (nVal === 0) return { train: data, val: null };
  if (nVal >= data.n) throw new DataError(`${data.source}: --val ${fraction} leaves no rows for training (${data.n} rows in all)`);
  const order = new Uint32Array(data.n).map((_, i) => i);
  shuffle(order, makeRng(seed ^ 0x5eed));
  const d = options.inPlace ? data : { ...data, x: data.x.slice(), y: data.y && data.y.slice(), classes: data.classes && data.classes.slice() };
  permuteRows(d.x, model.input.width, order);
  if (d.y) permuteRows(d.y, model.target.width, order);
  const positions = classPositions(model);
  if (d.classes) permuteRows(d.classes, positions, order);
  const part = (from: number, to: number): Dataset => ({
    ...d,
    n: to - from,
    x: d.x.subarray(from * model.input.width, to * model.input.width),
    y: d.y && d.y.subarray(from * model.target.width, to * model.target.width),
    classes: d.classes && d.classes.subarray(from * positions, to * positions),
  });
  return { train: part(0, data.n - nVal), val: part(data.n - nVal, data.n) };
}

/** Reorders rows so that row r becomes the old row order[r], following cycles (one row of scratch). */
function permuteRows(a: Float64Array | Int32Array, width: number, order: Uint32Array): void {
  const done = new Uint8Array(order.length);
  const tmp = a.slice(0, width);
  for (let start = 0; start < order.length; start++) {
    if (done[start] || order[start] === start) continue;
    tmp.set(a.subarray(start * width, (start + 1) * width));
    let r = start;
    for (;;) {
      done[r] = 1;
      const src = order[r]!;
      if (src === start) {
        a.set(tmp, r * width);
        break;
      }
      a.copyWithin(r * width, src * width, (src + 1) * width);
      r = src;
    }
  }
}
