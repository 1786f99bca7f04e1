// A Table becomes the Float64Arrays a generated model trains on. The target column(s) are
// encoded the way the model's `target` declares: class(K) → one class index per row, y[1]
// with a sigmoid head → 0/1, y[K] with a softmax head → one-hot (or K numeric columns),
// anything else → numbers as given. String class labels become indices; the mapping is kept.
import type { ModelIR } from "../compiler/model.js";
import type { Table } from "./csv.js";
import { DataError } from "./errors.js";
import { makeRng, shuffle } from "./rng.js";

export interface Dataset {
  source: string;
  n: number;
  /** n rows of the model's input width. */
  x: Float64Array;
  /** n rows of the model's target width, or null when the data has no target column. */
  y: Float64Array | null;
  /** True class index per row when the model is a classifier and the data has a target. */
  classes: Int32Array | null;
  /** Class names by index when the target column held string labels. */
  labels: string[] | null;
}

export interface EncodeOptions {
  /** Column(s) holding the target; by default the columns after the input features. */
  target?: string[];
  /** Labels fixed by earlier training (from a weights file); unseen labels are an error. */
  labels?: string[] | null;
  /** Allow data with feature columns only (predict). */
  targetOptional?: boolean;
}

type Encoding = { kind: "index"; classes: number } | { kind: "binary" } | { kind: "onehot"; classes: number } | { kind: "values" };

export function targetEncoding(model: ModelIR): Encoding {
  if (model.target.classes !== undefined) return { kind: "index", classes: model.target.classes };
  if (model.target.width === 1 && model.head === "sigmoid") return { kind: "binary" };
  if (model.target.width > 1 && model.head === "softmax") return { kind: "onehot", classes: model.target.width };
  return { kind: "values" };
}

/** How the model's target reads in messages: `label: class(3)`, `y[1]`. */
export function describeTarget(model: ModelIR): string {
  const t = model.target;
  return t.classes !== undefined ? `${t.name}: class(${t.classes})` : `${t.name}[${t.width}]`;
}

export function encodeTable(table: Table, model: ModelIR, options: EncodeOptions = {}): Dataset {
  const { features, targets } = chooseColumns(table, model, options);
  const n = table.rows.length;
  const inW = model.input.width;
  const x = new Float64Array(n * inW);
  for (let r = 0; r < n; r++) features.forEach((c, k) => (x[r * inW + k] = numberCell(table, r, c, "feature")));
  if (targets.length === 0) return { source: table.source, n, x, y: null, classes: null, labels: options.labels ?? null };
  const enc = targetEncoding(model);
  const tW = model.target.width;
  const y = new Float64Array(n * tW);
  if (enc.kind === "values" || (enc.kind === "onehot" && targets.length === tW)) {
    table.rows.forEach((_, r) => targets.forEach((c, k) => (y[r * tW + k] = numberCell(table, r, c, "target"))));
    const classes = enc.kind === "onehot" ? argmaxRows(y, n, tW) : null;
    return { source: table.source, n, x, y, classes, labels: options.labels ?? null };
  }
  const column = targets[0]!;
  const limit = enc.kind === "binary" ? 2 : enc.classes;
  const { indices, labels } = classIndices(table, column, limit, model, options.labels ?? null);
  indices.forEach((c, r) => {
    if (enc.kind === "onehot") y[r * tW + c] = 1;
    else y[r] = c;
  });
  return { source: table.source, n, x, y, classes: Int32Array.from(indices), labels };
}

/** Which of the table's columns are the model's input features and which its target(s). */
export function chooseColumns(table: Table, model: ModelIR, options: EncodeOptions): { features: number[]; targets: number[] } {
  const { header, source } = table;
  const inW = model.input.width;
  const enc = targetEncoding(model);
  const targetCols = enc.kind === "values" || (enc.kind === "onehot" && header.length - inW === model.target.width) ? model.target.width : 1;
  const wants = `model ${model.name} takes ${inW} feature${inW === 1 ? "" : "s"} (${model.input.name}[${inW}]) and ${targetCols === 1 ? "1 target column" : `${targetCols} target columns`} (${describeTarget(model)})`;
  if (options.target && options.target.length > 0) {
    const targets = options.target.map((name) => {
      const i = header.indexOf(name);
      if (i < 0) throw new DataError(`${source}:1: no column named '${name}' for --target (columns: ${header.join(", ")})`);
      return i;
    });
    const features = header.map((_, i) => i).filter((i) => !targets.includes(i));
    if (features.length !== inW) {
      throw new DataError(`${source}:1: the header has ${features.length} columns besides the target, but ${wants}`);
    }
    return { features, targets };
  }
  const all = header.map((_, i) => i);
  if (options.targetOptional && header.length === inW) return { features: all, targets: [] };
  if (header.length !== inW + targetCols) {
    throw new DataError(`${source}:1: the header has ${header.length} columns (${header.join(", ")}), but ${wants}${options.targetOptional ? ` (or features only)` : ""}`);
  }
  return { features: all.slice(0, inW), targets: all.slice(inW) };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function numberCell(table: Table, r: number, c: number, role: string): number {
  const cell = table.rows[r]![c]!;
  const at = `${table.source}:${table.lines[r]}:${c + 1}`;
  const column = `column '${table.header[c]}'`;
  if (cell === "") throw new DataError(`${at}: empty ${role} cell in ${column}; every cell must hold a number`);
  if (/^[+-]?(nan|inf(inity)?)$/i.test(cell)) throw new DataError(`${at}: ${cell} in ${column}; data must be finite numbers`);
  const v = Number(cell);
  if (!NUMBER.test(cell)) throw new DataError(`${at}: '${cell}' in ${column} is not a number`);
  if (!Number.isFinite(v)) throw new DataError(`${at}: '${cell}' in ${column} is too large for a float64; data must be finite numbers`);
  return v;
}

function classIndices(table: Table, c: number, limit: number, model: ModelIR, known: string[] | null): { indices: number[]; labels: string[] | null } {
  const cells = table.rows.map((row) => row[c]!);
  const at = (r: number) => `${table.source}:${table.lines[r]}:${c + 1}`;
  const numeric = known === null && cells.every((s) => NUMBER.test(s));
  if (numeric) {
    const indices = cells.map((s, r) => {
      const v = Number(s);
      if (!Number.isInteger(v) || v < 0 || v >= limit) {
        throw new DataError(`${at(r)}: class label ${s} in column '${table.header[c]}' is not one of 0..${limit - 1} (${describeTarget(model)})`);
      }
      return v;
    });
    return { indices, labels: null };
  }
  const labels = known ?? [...new Set(cells)].sort();
  if (labels.length > limit) {
    const shown = labels.length > 8 ? `${labels.slice(0, 8).join(", ")}, ...` : labels.join(", ");
    throw new DataError(`${table.source}: column '${table.header[c]}' has ${labels.length} class labels (${shown}), but ${describeTarget(model)} has ${limit}`);
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const indices = cells.map((s, r) => {
    const i = index.get(s);
    if (i === undefined) {
      if (s === "") throw new DataError(`${at(r)}: empty class label in column '${table.header[c]}'`);
      throw new DataError(`${at(r)}: class label '${s}' was never seen in training (known labels: ${labels.join(", ") || "none: training used numeric class indices"})`);
    }
    return i;
  });
  return { indices, labels };
}

function argmaxRows(y: Float64Array, n: number, width: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < width; j++) if (y[r * width + j]! > y[r * width + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/** Seeded shuffle, then the last `fraction` of rows (rounded) for validation. */
export function splitDataset(data: Dataset, fraction: number, seed: number, model: ModelIR): { train: Dataset; val: Dataset | null } {
  const nVal = Math.round(data.n * fraction);
  if (nVal === 0) return { train: data, val: null };
  if (nVal >= data.n) throw new DataError(`${data.source}: --val ${fraction} leaves no rows for training (${data.n} rows in all)`);
  const order = new Uint32Array(data.n).map((_, i) => i);
  shuffle(order, makeRng(seed ^ 0x5eed));
  const pick = (rows: Uint32Array): Dataset => {
    const inW = model.input.width;
    const tW = model.target.width;
    const x = new Float64Array(rows.length * inW);
    const y = data.y ? new Float64Array(rows.length * tW) : null;
    rows.forEach((src, r) => {
      x.set(data.x.subarray(src * inW, (src + 1) * inW), r * inW);
      if (y) y.set(data.y!.subarray(src * tW, (src + 1) * tW), r * tW);
    });
    const classes = data.classes ? Int32Array.from(rows, (src) => data.classes![src]!) : null;
    return { ...data, n: rows.length, x, y, classes };
  };
  return { train: pick(order.subarray(0, data.n - nVal)), val: pick(order.subarray(data.n - nVal)) };
}
