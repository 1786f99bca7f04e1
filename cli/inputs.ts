// What the train, predict, predictor and graph commands read: the model, a data set (a CSV
// path or a bundled name), and a weights file checked against the model.
import { existsSync } from "node:fs";
import type { ModelIR } from "../compiler/model.js";
import { BUNDLED_DATA } from "../data/bundled-data.js";
import { parseCsv, type Table } from "../data/csv.js";
import { encodeTable, type Dataset, type EncodeOptions } from "../data/dataset.js";
import { checkWeightsFor, parseWeights, type WeightsFile } from "../data/weights.js";
import { CliError, readText } from "./io.js";

export function bundledNames(): string {
  return Object.keys(BUNDLED_DATA).join(", ");
}

/** A CSV file, or a bundled data set when `spec` names one and no such file exists. */
export function loadData(spec: string, model: ModelIR, seed: number, options: EncodeOptions = {}): Dataset {
  return encodeTable(loadTable(spec, seed), model, options);
}

/** The table behind loadData, before encoding (its header names the columns). */
export function loadTable(spec: string, seed: number): Table {
  const bundled = BUNDLED_DATA[spec];
  if (bundled && !existsSync(spec)) return bundled.load(seed);
  if (!existsSync(spec) && !/[./\\]/.test(spec)) {
    throw new CliError(`${spec}: no such data file, and not a bundled data set (bundled: ${bundledNames()})`);
  }
  return parseCsv(readText(spec, "data file"), spec);
}

export function loadWeights(path: string, model: ModelIR, modelFile: string): WeightsFile {
  const file = parseWeights(readText(path, "weights file"), path);
  checkWeightsFor(file, model, path, modelFile);
  return file;
}

export function requireFlag(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined) throw new CliError(`${flag} is required\nusage: ${usage}`);
  return value;
}
