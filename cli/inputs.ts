// What the train, predict, predictor and graph commands read: the model, a data set (a CSV
// path or a bundled name), and a weights file checked against the model.
import { existsSync } from "node:fs";
import type { ModelIR } from "../compiler/model.js";
import { BUNDLED_DATA } from "../data/bundled-data.js";
import { parseCsv } from "../data/csv.js";
import { encodeTable, type Dataset, type EncodeOptions } from "../data/dataset.js";
import { checkWeightsFor, readWeights, type WeightsFile } from "../data/weights.js";
import { CliError, readText, withFileSource } from "./io.js";

export function bundledNames(): string {
  return Object.keys(BUNDLED_DATA).join(", ");
}

/** A CSV file, or a bundled data set when `spec` names one and no such file exists. */
export function loadData(spec: string, model: ModelIR, seed: number, options: EncodeOptions = {}): Dataset {
  const bundled = BUNDLED_DATA[spec];
  if (bundled && !existsSync(spec)) return encodeTable(bundled.load(seed), model, options);
  if (!existsSync(spec) && !/[./\\]/.test(spec)) {
    throw new CliError(`${spec}: no such data file, and not a bundled data set (bundled: ${bundledNames()})`);
  }
  return encodeTable(parseCsv(readText(spec, "data file"), spec), model, options);
}

export function loadWeights(path: string, model: ModelIR, modelFile: string): WeightsFile {
  const file = withFileSource(path, "weights file", (source) => readWeights(source, path));
  checkWeightsFor(file, model, path, modelFile);
  return file;
}

export function requireFlag(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined) throw new CliError(`${flag} is required\nusage: ${usage}`);
  return value;
}
