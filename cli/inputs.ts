// What the train, predict, predictor and graph commands read: the model, a data set (a CSV
// path or a bundled name), and a weights file checked against the model. CSV files are read in
// pieces and encoded as they arrive, so memory holds the numbers, not the text.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { ModelIR } from "../compiler/model.js";
import { BUNDLED_DATA } from "../data/bundled-data.js";
import { checkHeader, CsvSplitter, type CsvRecord } from "../data/csv.js";
import { DatasetBuilder, encodeTable, type Dataset, type EncodeOptions } from "../data/dataset.js";
import { DataError } from "../data/errors.js";
import { applyNormalization, fitNormalization, type Normalization } from "../data/normalize.js";
import { checkWeightsFor, readWeights, type WeightsFile } from "../data/weights.js";
import { listFlag, type ParsedArgs } from "./args.js";
import { CliError, readText, withFileSource } from "./io.js";
import { didYouMean } from "../diagnostics/suggest.js";

/** Bytes read from a data file at a time. */
const PIECE_BYTES = 1 << 20;

export function bundledNames(): string {
  return Object.keys(BUNDLED_DATA).join(", ");
}

/** Whether `spec` names a bundled data set rather than a file. */
export function isBundled(spec: string): boolean {
  return Object.hasOwn(BUNDLED_DATA, spec) && !existsSync(spec);
}

/** A CSV file, or a bundled data set when `spec` names one and no such file exists. */
export function loadData(spec: string, model: ModelIR, seed: number, options: EncodeOptions = {}): Dataset {
  if (isBundled(spec)) return encodeTable(BUNDLED_DATA[spec]!.load(seed), model, options);
  let builder: DatasetBuilder | undefined;
  for (const record of csvRecords(spec)) {
    if (!builder) builder = new DatasetBuilder(checkHeader(record, spec), spec, model, options, countLines(spec));
    else builder.add(record);
  }
  if (!builder) checkHeader(undefined, spec); // throws: the file is empty
  if (builder!.n === 0) throw new DataError(`${spec}: has a header but no data rows`);
  return builder!.finish();
}

/**
 * A data set in batches of at most `rows` rows, as the file is read (netc predict): memory
 * stays bounded whatever the file's size. Bundled sets come in batches too.
 */
export function* dataBatches(spec: string, model: ModelIR, seed: number, options: EncodeOptions, rows: number): Generator<Dataset> {
  if (isBundled(spec)) {
    const table = BUNDLED_DATA[spec]!.load(seed);
    const all = table.rows.map((cells, r): CsvRecord => ({ cells, line: table.lines[r]! }));
    yield* batches(table.source, [{ line: table.headerLine ?? 1, cells: table.header }, ...all], model, options, rows);
    return;
  }
  yield* batches(spec, csvRecords(spec), model, options, rows);
}

function* batches(source: string, records: Iterable<CsvRecord>, model: ModelIR, options: EncodeOptions, rows: number): Generator<Dataset> {
  let builder: DatasetBuilder | undefined;
  let total = 0;
  for (const record of records) {
    if (!builder) {
      builder = new DatasetBuilder(checkHeader(record, source), source, model, options, rows);
      continue;
    }
    builder.add(record);
    total++;
    if (builder.n === rows) yield builder.take();
  }
  if (!builder) checkHeader(undefined, source);
  if (total === 0) throw new DataError(`${source}: has a header but no data rows`);
  if (builder!.n > 0) yield builder!.take();
}

/** The records of a CSV file, parsed piece by piece as the file is read. */
export function* csvRecords(path: string): Generator<CsvRecord> {
  const splitter = new CsvSplitter(path);
  for (const piece of textPieces(path)) yield* splitter.push(piece);
  yield* splitter.end();
}

/** A file's text in pieces of about PIECE_BYTES (UTF-8 characters are never split). */
function* textPieces(path: string): Generator<string> {
  if (!existsSync(path) && !/[./\\]/.test(path)) {
    throw new CliError(`${path}: no such data file, and not a bundled data set${didYouMean(path, Object.keys(BUNDLED_DATA))} (bundled: ${bundledNames()})`);
  }
  const fd = open(path);
  try {
    const decoder = new StringDecoder("utf8");
    const buffer = Buffer.alloc(PIECE_BYTES);
    for (;;) {
      const got = readSync(fd, buffer, 0, PIECE_BYTES, null);
      if (got === 0) break;
      yield decoder.write(buffer.subarray(0, got));
    }
    const last = decoder.end();
    if (last) yield last;
  } finally {
    closeSync(fd);
  }
}

function open(path: string): number {
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory, expected a data file`);
    return openSync(path, "r");
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliError(`${path}: no such data file`);
    if (code === "EACCES") throw new CliError(`${path}: permission denied`);
    throw new CliError(`${path}: cannot read (${(err as Error).message})`);
  }
}

/** Line breaks in a file, read as bytes: an upper bound on its rows, to allocate them once. */
function countLines(path: string): number {
  const fd = open(path);
  try {
    const buffer = Buffer.alloc(PIECE_BYTES);
    let lines = 1;
    for (;;) {
      const got = readSync(fd, buffer, 0, PIECE_BYTES, null);
      if (got === 0) return lines;
      for (let i = buffer.indexOf(10); i >= 0 && i < got; i = buffer.indexOf(10, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
}

export function loadWeights(path: string, model: ModelIR, modelFile: string): WeightsFile {
  const file = withFileSource(path, "weights file", (source) => readWeights(source, path));
  checkWeightsFor(file, model, path, modelFile);
  return file;
}

/** How to read the data's columns: the flags, else (resuming) the columns and labels training used. */
export function encodeOptions(args: ParsedArgs, trained: WeightsFile | null): EncodeOptions {
  const features = listFlag(args, "features");
  const ignore = listFlag(args, "ignore");
  return {
    target: listFlag(args, "target"),
    features,
    ignore,
    trained: trained?.columns,
    labels: trained ? trained.labels : undefined,
  };
}

/**
 * Standardizes both splits in place with the training split's statistics (--normalize), or with
 * the statistics the resumed weights were trained with, which must not change under them.
 */
export function normalizeSplits(train: Dataset, val: Dataset | null, normalize: boolean, resumed: WeightsFile | null): Normalization | null {
  const norm = resumed ? (resumed.normalization ?? null) : normalize ? fitNormalization(train.x, train.n, train.x.length / Math.max(train.n, 1)) : null;
  if (resumed && normalize && !norm) throw new CliError(`--normalize: the weights being resumed were trained on inputs as they are; standardizing now would change what they mean (train from scratch to use --normalize)`);
  if (!norm) return null;
  applyNormalization(train.x, train.n, norm);
  if (val) applyNormalization(val.x, val.n, norm);
  return norm;
}
