// `netc predict` (predictions for a CSV, as CSV, streamed: rows are read, predicted and printed
// in batches) and `netc predictor` (a standalone predictor module with the trained weights baked in).
import { compile, compileToGraph, type ModelIR } from "../compiler/index.js";
import { classPositions } from "../compiler/model.js";
import { languageName, outputLanguage } from "./language.js";
import { loadGenerated } from "./load.js";
import { isClassifier, predictedClass } from "./train-loop.js";
import { applyNormalization } from "../data/normalize.js";
import { RegressionAccumulator, regressionText } from "../data/metrics.js";
import { tensorsByName, valuesByName } from "../data/weights.js";
import { backendFlags, parseArgs, requiredFlag, singleOperand, stringFlag } from "./args.js";
import { PREDICT, PREDICTOR } from "./commands.js";
import { dataBatches, encodeOptions, loadWeights } from "./inputs.js";
import { readText } from "./io.js";
import { writeOutput } from "./outputs.js";
import type { Output } from "./main.js";

/** Rows read, predicted and printed at a time. */
const BATCH_ROWS = 1024;

/**
 * What the model's output holds. A model trained with `cross_entropy_logits` or `bce_logits`
 * outputs logits; predict prints them as probabilities (softmax / sigmoid), the scale the
 * classifier columns of every other model are on.
 */
export type OutputKind = "probabilities" | "softmax-logits" | "sigmoid-logits" | "values";

export function outputKind(ir: ModelIR): OutputKind {
  if (ir.head !== "other") return "probabilities";
  const output = ir.forward.outputs.get("predict");
  for (const n of ir.forward.nodes) {
    if (n.inputs[0]?.id !== output?.id) continue;
    if (n.op === "softmax_ce_sum") return "softmax-logits";
    if (n.op === "sigmoid_bce_sum") return "sigmoid-logits";
  }
  return "values";
}


export async function predictCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, PREDICT);
  const file = singleOperand(args, PREDICT);
  const weightsPath = requiredFlag(args, "weights", PREDICT);
  const dataSpec = requiredFlag(args, "data", PREDICT);
  const source = readText(file, ".net file");
  // Only run, never shown: no formatting.
  const compiled = await compile(source, { file, model: stringFlag(args, "model"), maxBatch: BATCH_ROWS, format: false });
  const ir = compiled.model;
  const weights = loadWeights(weightsPath, ir, file);
  const model = (await loadGenerated(compiled.code)).createModel();
  model.setWeights(tensorsByName(weights));

  const kind = outputKind(ir);
  const classifier = isClassifier(ir) || kind === "softmax-logits" || kind === "sigmoid-logits";
  const w = ir.output.width;
  // A class per position prints each position's class, not its positions × classes probabilities.
  const positions = classPositions(ir);
  const className = (c: number) => weights.labels?.[c] ?? String(c);
  const prefix = kind === "probabilities" || kind === "values" ? ir.output.name : "prob";
  const columns = w === 1 ? [prefix] : Array.from({ length: w }, (_, j) => `${prefix}_${classifier ? className(j) : j}`);
  const classColumns = positions === 1 ? ["class"] : Array.from({ length: positions }, (_, t) => `class_${t}`);
  // The header goes out with the first batch, so a file rejected at its first rows prints nothing.
  let header: string | undefined = (classifier ? (positions === 1 ? ["class", ...columns] : classColumns) : columns).map(csvCell).join(",");
  if (kind !== "probabilities" && kind !== "values" && positions === 1) {
    out.stderr(`netc predict: '${ir.output.name}' holds logits (the loss is ${kind === "softmax-logits" ? "cross_entropy_logits" : "bce_logits"}); the ${columns.join(", ")} column${w === 1 ? " is a" : "s are"} ${kind === "softmax-logits" ? "softmax" : "sigmoid"} probabilit${w === 1 ? "y" : "ies"}`);
  }

  const options = { ...encodeOptions(args, weights), targetOptional: true };
  const regression = classifier ? null : new RegressionAccumulator(ir.target.width);
  let correct = 0;
  let scored = 0; // rows with a target
  for (const batch of dataBatches(dataSpec, ir, ir.train.seed, options, BATCH_ROWS)) {
    if (weights.normalization) applyNormalization(batch.x, batch.n, weights.normalization);
    const p = model.predict(batch.x, batch.n);
    if (kind === "softmax-logits") softmaxRows(p, batch.n * positions, w / positions);
    if (kind === "sigmoid-logits") for (let i = 0; i < batch.n * w; i++) p[i] = 1 / (1 + Math.exp(-p[i]!));
    const lines: string[] = [];
    for (let r = 0; r < batch.n; r++) {
      const values = Array.from(p.subarray(r * w, (r + 1) * w), String);
      if (!classifier) {
        lines.push(values.join(","));
        continue;
      }
      if (positions > 1) {
        const classes = Array.from({ length: positions }, (_, t) => predictedClass(ir, p, r * positions + t));
        classes.forEach((c, t) => batch.classes?.[r * positions + t] === c && correct++);
        lines.push(classes.map((c) => csvCell(className(c))).join(","));
        continue;
      }
      const c = predictedClass(ir, p, r);
      if (batch.classes && batch.classes[r] === c) correct++;
      lines.push([csvCell(className(c)), ...values].join(","));
    }
    if (batch.y) scored += batch.n * positions;
    if (regression && batch.y && ir.target.width === w) regression.add(p, batch.y, batch.n);
    out.stdout(header === undefined ? lines.join("\n") : `${header}\n${lines.join("\n")}`);
    header = undefined;
    await out.drain?.();
    if (out.stdoutClosed?.()) return 0; // the reader has gone (| head): nothing more to say
  }
  const scoredWhat = positions === 1 ? "rows match the target column" : "positions match the target columns";
  if (scored > 0 && classifier) out.stderr(`accuracy ${(100 * correct / scored).toFixed(1)}% (${correct} of ${scored} ${scoredWhat})`);
  if (scored > 0 && regression && ir.target.width === w) out.stderr(`${regressionText(regression.result())} (${scored} rows, against the target column)`);
  return 0;
}

function softmaxRows(p: Float64Array, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    const row = p.subarray(r * width, (r + 1) * width);
    const max = Math.max(...row);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += row[j] = Math.exp(row[j]! - max);
    for (let j = 0; j < width; j++) row[j]! /= sum;
  }
}

export async function predictorCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, PREDICTOR);
  const file = singleOperand(args, PREDICTOR);
  const weightsPath = requiredFlag(args, "weights", PREDICTOR);
  const target = stringFlag(args, "out");
  const language = outputLanguage(target, args.flags.has("js"));
  const source = readText(file, ".net file");
  const { backend, precision } = backendFlags(args);
  const { model, evalGraph } = compileToGraph(source, { file, model: stringFlag(args, "model"), precision });
  const weights = loadWeights(weightsPath, model, file);
  const { emitPredictor } = await import("../compiler/emit/predictor.js");
  const predictor = { model, evalGraph, source, file, weights: valuesByName(weights), labels: weights.labels, normalization: weights.normalization ?? null, backend };
  const text = await emitPredictor(predictor, { language });
  if (target === undefined) {
    out.stdout(text);
    return 0;
  }
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
