// `netc predict` (predictions for a CSV, as CSV) and `netc predictor` (a standalone predictor
// module with the trained weights baked in).
import { compile, compileToGraph } from "../compiler/index.js";
import { emitPredictor } from "../compiler/emit/predictor.js";
import { languageName, outputLanguage } from "./language.js";
import { loadGenerated } from "./load.js";
import { isClassifier, predictedClass } from "./train-loop.js";
import { tensorsByName, valuesByName } from "../data/weights.js";
import { parseArgs, stringFlag, UsageError } from "./args.js";
import { loadData, loadWeights, requireFlag } from "./inputs.js";
import { readText } from "./io.js";
import { writeOutput } from "./outputs.js";
import type { Output } from "./main.js";

export const PREDICT_USAGE = "netc predict MODEL.net --weights WEIGHTS.json --data CSV [--target NAME] [--model NAME]";
export const PREDICTOR_USAGE = "netc predictor MODEL.net --weights WEIGHTS.json [-o FILE.ts|FILE.js] [--js] [--model NAME] [--force]";

const CHUNK_ROWS = 1024;

export async function predictCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, { values: ["weights", "data", "target", "model"], booleans: [] });
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError(`usage: ${PREDICT_USAGE}`);
  const weightsPath = requireFlag(stringFlag(args, "weights"), "--weights", PREDICT_USAGE);
  const dataSpec = requireFlag(stringFlag(args, "data"), "--data", PREDICT_USAGE);
  const source = readText(file, ".net file");
  // Only run, never shown: no formatting.
  const compiled = await compile(source, { file, model: stringFlag(args, "model"), maxBatch: CHUNK_ROWS, format: false });
  const ir = compiled.model;
  const weights = loadWeights(weightsPath, ir, file);
  const data = loadData(dataSpec, ir, ir.train.seed, { target: stringFlag(args, "target")?.split(","), labels: weights.labels, targetOptional: true });
  const model = (await loadGenerated(compiled.code)).createModel();
  model.setWeights(tensorsByName(weights));

  const classifier = isClassifier(ir);
  const w = ir.output.width;
  const className = (c: number) => weights.labels?.[c] ?? String(c);
  const columns = w === 1 ? [ir.output.name] : Array.from({ length: w }, (_, j) => `${ir.output.name}_${classifier ? className(j) : j}`);
  const rows: string[] = [(classifier ? ["class", ...columns] : columns).map(csvCell).join(",")];
  let correct = 0;
  for (let start = 0; start < data.n; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, data.n - start);
    const p = model.predict(data.x.subarray(start * ir.input.width, (start + n) * ir.input.width), n);
    for (let r = 0; r < n; r++) {
      const values = Array.from(p.subarray(r * w, (r + 1) * w), String);
      if (!classifier) {
        rows.push(values.join(","));
        continue;
      }
      const c = predictedClass(ir, p, r);
      if (data.classes && data.classes[start + r] === c) correct++;
      rows.push([csvCell(className(c)), ...values].join(","));
    }
  }
  out.stdout(rows.join("\n"));
  if (classifier && data.classes) out.stderr(`accuracy ${(100 * correct / data.n).toFixed(1)}% (${correct} of ${data.n} rows match the target column)`);
  return 0;
}

export async function predictorCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, { values: ["weights", "out", "model"], booleans: ["js", "force"], aliases: { o: "out" } });
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError(`usage: ${PREDICTOR_USAGE}`);
  const weightsPath = requireFlag(stringFlag(args, "weights"), "--weights", PREDICTOR_USAGE);
  const language = outputLanguage(stringFlag(args, "out"), args.flags.has("js"));
  const source = readText(file, ".net file");
  const { model, evalGraph } = compileToGraph(source, { file, model: stringFlag(args, "model") });
  const weights = loadWeights(weightsPath, model, file);
  const values = valuesByName(weights);
  const target = stringFlag(args, "out") ?? `${model.name}.predict.${language === "javascript" ? "js" : "ts"}`;
  const text = await emitPredictor({ model, evalGraph, source, file, weights: values, labels: weights.labels }, { language });
  const inputs = [{ path: file, flag: "MODEL.net" }, { path: weightsPath, flag: "--weights" }];
  writeOutput(target, "predictor", text, { force: args.flags.has("force"), inputs });
  out.stderr(`wrote ${target} (model ${model.name}, ${languageName(language)}, ${text.length} bytes, no imports)`);
  return 0;
}

function csvCell(text: string): string {
  // A label that starts like a formula (=, +, -, @) would run as one when the CSV is opened in
  // a spreadsheet; a leading apostrophe keeps it text (the OWASP "CSV injection" advice).
  const s = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
