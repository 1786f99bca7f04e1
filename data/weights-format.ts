// The weights file on disk. Version 2 is JSON whose tensors (and optimizer buffers) are base64
// strings of little-endian float64 bytes: exact, a third larger than the raw bytes instead of
// two and a half times as decimal text, and one file that one rename replaces atomically. It
// is written and read in chunks, so a model of any size that fits in memory fits in a file
// (a 16.8M-parameter Adam model is a 540 MB file; as one JS string it would not exist).
// Version 1 (decimal number lists) is still read.
import { endianness } from "node:os";
import { Base64Bytes, bufferSource, JsonSyntaxError, parseJsonStream, type ByteSource } from "./json-stream.js";
import { WeightsError } from "./errors.js";
import type { ModelStructure, SavedState, SavedTensor, WeightsFile } from "./weights.js";

/** How version 2 stores numbers; written into every file so a reader can check it. */
export const TENSOR_ENCODING = "base64 float64 little-endian";

/** Bytes of float64 data per base64 chunk: a multiple of 3 (no padding mid-stream) and of 8. */
const CHUNK_BYTES = 3 * 8 * 32768;
const LITTLE_ENDIAN = endianness() === "LE";

/** The file as text chunks in order; a Float64Array anywhere in it is streamed as base64. */
export function* weightsChunks(file: WeightsFile): Generator<string> {
  // Metadata first, so `head` shows it and netc's overwrite check finds the generator line.
  const body = {
    format: file.format,
    version: 2,
    generator: file.generator,
    encoding: TENSOR_ENCODING,
    model: file.model,
    structureHash: file.structureHash,
    structure: file.structure,
    labels: file.labels,
    training: file.training,
    metrics: file.metrics,
    state: file.state,
    // Only when present, so files of models trained without them read as before.
    ...(file.normalization ? { normalization: file.normalization } : {}),
    ...(file.columns ? { columns: file.columns } : {}),
    tensors: file.tensors.map((t) => ({ name: t.name, shape: t.shape, data: t.data })),
  };
  yield* jsonChunks(body, "");
  yield "\n";
}

export function serializeWeights(file: WeightsFile): string {
  return [...weightsChunks(file)].join("");
}

/** Indented JSON in which short values and lists of numbers stay on one line. */
function* jsonChunks(value: unknown, indent: string): Generator<string> {
  if (value instanceof Float64Array) {
    yield '"';
    yield* base64Chunks(value);
    yield '"';
    return;
  }
  if (typeof value !== "object" || value === null) {
    yield JSON.stringify(value) ?? "null";
    return;
  }
  if (!holdsTensor(value)) {
    const flat = JSON.stringify(value);
    if (flat.length <= 100 || (Array.isArray(value) && value.every((v) => typeof v === "number"))) {
      yield flat;
      return;
    }
  }
  const inner = indent + "  ";
  const entries: [string | null, unknown][] = Array.isArray(value)
    ? value.map((v) => [null, v])
    : Object.entries(value).filter(([, v]) => v !== undefined);
  yield Array.isArray(value) ? "[\n" : "{\n";
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i]!;
    yield inner + (key === null ? "" : `${JSON.stringify(key)}: `);
    yield* jsonChunks(v, inner);
    yield i < entries.length - 1 ? ",\n" : "\n";
  }
  yield indent + (Array.isArray(value) ? "]" : "}");
}

function holdsTensor(value: object): boolean {
  return Object.values(value).some((v) => v instanceof Float64Array || (typeof v === "object" && v !== null && holdsTensor(v)));
}

function* base64Chunks(data: Float64Array): Generator<string> {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    const chunk = Buffer.from(bytes.subarray(at, Math.min(at + CHUNK_BYTES, bytes.length)));
    if (!LITTLE_ENDIAN) chunk.swap64();
    yield chunk.toString("base64");
  }
}

/** Parses a weights file (text, bytes, or a chunked source such as an open file) and checks its own consistency. */
export function parseWeights(input: string | Uint8Array, path: string): WeightsFile {
  return readWeights(bufferSource(typeof input === "string" ? Buffer.from(input, "utf8") : input), path);
}

export function readWeights(source: ByteSource, path: string): WeightsFile {
  let data: unknown;
  try {
    data = parseJsonStream(source);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new WeightsError(`${path}: not a netc weights file (invalid JSON: ${err.message})`);
  }
  return checkFile(data, path);
}

type Raw = Record<string, unknown>;

function checkFile(data: unknown, path: string): WeightsFile {
  const w = data as Raw;
  if (typeof w !== "object" || w === null || Array.isArray(w) || w.format !== "netc-weights") {
    throw new WeightsError(`${path}: not a netc weights file (expected "format": "netc-weights")`);
  }
  if (w.version !== 1 && w.version !== 2) {
    throw new WeightsError(`${path}: weights format version ${JSON.stringify(w.version)} is not supported; this netc reads versions 1 and 2`);
  }
  const bad = (what: string) => new WeightsError(`${path}: malformed weights file: ${what}`);
  if (w.version === 2 && w.encoding !== TENSOR_ENCODING) throw bad(`"encoding" must be "${TENSOR_ENCODING}"`);
  if (typeof w.model !== "string") throw bad(`"model" must be a string`);
  if (typeof w.structureHash !== "string") throw bad(`"structureHash" must be a string`);
  if (!isStructure(w.structure)) throw bad(`"structure" must describe input, target, output and tensors`);
  const labels = w.labels ?? null;
  if (labels !== null && !(Array.isArray(labels) && labels.every((l) => typeof l === "string"))) throw bad(`"labels" must be null or a list of strings`);
  const twice = labels && labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== null && twice !== undefined) throw new WeightsError(`${path}: class label ${JSON.stringify(twice)} appears twice in "labels"`);
  if (!Array.isArray(w.tensors)) throw bad(`"tensors" must be a list`);
  const tensors = w.tensors.map((t: Raw, i): SavedTensor => {
    if (typeof t?.name !== "string" || !isShape(t.shape) || (w.version === 1 ? !Array.isArray(t.values) : t.data === undefined)) {
      throw bad(`tensor ${i + 1} needs a name, a shape and ${w.version === 1 ? "values" : "data"}`);
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    const values = w.version === 1 ? numbers(t.values as unknown[], `tensor '${t.name}'`, path) : float64(t.data, `tensor '${t.name}'`, path);
    if (values.length !== size) throw new WeightsError(`${path}: tensor '${t.name}' has shape [${t.shape.join(", ")}] (${size} values) but holds ${values.length} values`);
    return { name: t.name, shape: t.shape, data: values };
  });
  const dup = tensors.find((t, i) => tensors.findIndex((u) => u.name === t.name) !== i);
  if (dup) throw new WeightsError(`${path}: tensor '${dup.name}' appears twice in "tensors"`);
  return {
    format: "netc-weights",
    version: w.version,
    generator: typeof w.generator === "string" ? w.generator : "",
    model: w.model,
    structureHash: w.structureHash,
    structure: w.structure,
    labels,
    training: checkTraining(w.training, path),
    metrics: (w.metrics ?? null) as WeightsFile["metrics"],
    state: checkState(w.state, w.version, path),
    // Checked against the model in checkWeightsFor (their lengths are the model's input width).
    ...(w.normalization != null ? { normalization: w.normalization as WeightsFile["normalization"] } : {}),
    ...(w.columns !== undefined ? { columns: w.columns as WeightsFile["columns"] } : {}),
    tensors,
  };
}

/** The saved run's settings feed a resumed run, so they are checked like the tensors. */
function checkTraining(raw: unknown, path: string): WeightsFile["training"] {
  if (raw === undefined || raw === null) return null;
  const t = raw as Raw;
  const bad = (what: string) => new WeightsError(`${path}: malformed weights file: "training" ${what}`);
  if (typeof t !== "object" || Array.isArray(t)) throw bad("must be null or an object");
  for (const k of ["source", "data", "optimizer"]) if (typeof t[k] !== "string") throw bad(`needs "${k}", a string`);
  for (const k of ["epochs", "batch", "seed"]) if (!Number.isInteger(t[k]) || (t[k] as number) < 0) throw bad(`needs "${k}", a non-negative integer`);
  if (typeof t.lr !== "number" || !(t.lr > 0) || !Number.isFinite(t.lr)) throw bad(`needs "lr", a positive number`);
  if (typeof t.validation !== "number" || !(t.validation >= 0 && t.validation < 1)) throw bad(`needs "validation", a fraction in [0, 1)`);
  if (t.resumedFrom !== null && t.resumedFrom !== undefined && typeof t.resumedFrom !== "string") throw bad(`"resumedFrom" must be null or a string`);
  if (t.settings !== undefined && (typeof t.settings !== "object" || t.settings === null || Array.isArray(t.settings))) throw bad(`"settings" must be an object`);
  return t as unknown as NonNullable<WeightsFile["training"]>;
}

function checkState(raw: unknown, version: 1 | 2, path: string): SavedState | null {
  if (raw === undefined || raw === null) return null;
  const bad = (what: string) => new WeightsError(`${path}: malformed weights file: "state" ${what}`);
  const s = raw as Raw;
  if (typeof s !== "object" || Array.isArray(s)) throw bad("must be null or an object");
  for (const k of ["step", "epoch"]) if (!Number.isInteger(s[k]) || (s[k] as number) < 0) throw bad(`needs "${k}", a non-negative integer`);
  if (typeof s.lr !== "number" || !Number.isFinite(s.lr)) throw bad(`needs "lr", a finite number`);
  const rng = s.rng as Raw | undefined;
  const words = (v: unknown) => Array.isArray(v) && v.length === 4 && v.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  // A model without dropout has no dropout generator: its list is empty.
  const noDropout = (v: unknown) => Array.isArray(v) && v.length === 0;
  if (typeof rng !== "object" || rng === null || !words(rng.shuffle) || !(words(rng.dropout) || noDropout(rng.dropout))) {
    throw bad(`needs "rng" with "shuffle" and "dropout", 4 unsigned 32-bit integers each (dropout empty for a model without dropout)`);
  }
  // Version 1 kept optimizer buffers as { "h1.W/m": [numbers] }; version 2 as [{ name, data }].
  const list = version === 1 && typeof s.buffers === "object" && s.buffers !== null && !Array.isArray(s.buffers)
    ? Object.entries(s.buffers).map(([name, values]) => ({ name, values }))
    : s.buffers;
  if (!Array.isArray(list)) throw bad(`needs "buffers", a list of optimizer buffers`);
  const buffers = list.map((b: Raw, i) => {
    if (typeof b?.name !== "string") throw bad(`buffer ${i + 1} needs a name`);
    const what = `optimizer buffer '${b.name}'`;
    return { name: b.name, data: version === 1 ? numbers(b.values as unknown[], what, path) : float64(b.data, what, path) };
  });
  const dup = buffers.find((b, i) => buffers.findIndex((c) => c.name === b.name) !== i);
  if (dup) throw new WeightsError(`${path}: ${`optimizer buffer '${dup.name}'`} appears twice in "state"`);
  return { step: s.step as number, epoch: s.epoch as number, lr: s.lr, rng: { shuffle: rng.shuffle as number[], dropout: rng.dropout as number[] }, buffers };
}

function numbers(values: unknown[], what: string, path: string): Float64Array {
  if (!Array.isArray(values)) throw new WeightsError(`${path}: ${what} must hold a list of numbers`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new WeightsError(`${path}: ${what} value ${i} is ${describe(v)}, not a finite number`);
    out[i] = v;
  }
  return out;
}

function float64(data: unknown, what: string, path: string): Float64Array {
  let bytes: Uint8Array;
  if (data instanceof Base64Bytes) bytes = data.bytes;
  else if (typeof data === "string" && data.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(data)) bytes = new Uint8Array(Buffer.from(data, "base64"));
  else throw new WeightsError(`${path}: ${what} "data" must be base64 of float64 values`);
  if (bytes.length % 8 !== 0) throw new WeightsError(`${path}: ${what} "data" holds ${bytes.length} bytes, not a whole number of float64 values`);
  // Aligned copy when needed; the parser's own buffers are already aligned.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  if (!LITTLE_ENDIAN) Buffer.from(aligned.buffer, aligned.byteOffset, aligned.byteLength).swap64();
  const out = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new WeightsError(`${path}: ${what} value ${i} is ${describe(out[i])}, not a finite number`);
  }
  return out;
}

/** A value as a message shows it: numbers as numbers (so Infinity is not JSON's "null"). */
function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : JSON.stringify(v) ?? String(v);
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);
}

function isStructure(v: unknown): v is ModelStructure {
  const s = v as ModelStructure;
  const io = (x: { name: string; width: number } | undefined) => typeof x?.name === "string" && Number.isInteger(x.width);
  return typeof s === "object" && s !== null && io(s.input) && io(s.output) && io(s.target) && Array.isArray(s.tensors) &&
    s.tensors.every((p) => typeof p?.name === "string" && isShape(p.shape));
}
