// `netc explain`: which input features drive one row's prediction — plain saliency (the
// gradient of the output) or integrated gradients with a completeness check — as a ranked
// text table, JSON, or a bar chart labelled with the CSV's column names.
import { compile } from "../compiler/index.js";
import { classPositions, inputDecl, type ModelIR } from "../compiler/model.js";
import { couplesRows } from "../compiler/pipeline.js";
import { applyNormalization } from "../data/normalize.js";
import { tensorsByName } from "../data/weights.js";
import { numberFlag, parseArgs, requiredFlag, singleOperand, stringFlag, UsageError } from "./args.js";
import { gradientAttribution, integratedGradients, type Attribution, type Target } from "./attribution.js";
import { EXPLAIN } from "./commands.js";
import { encodeOptions, loadData, loadWeights } from "./inputs.js";
import { CliError, readText } from "./io.js";
import { loadGenerated } from "./load.js";
import type { Output } from "./main.js";
import { writeOutput } from "./outputs.js";
import { renderSaliencyPlot } from "./plots/saliency-plot.js";
import { isClassifier, predictedClass } from "./train-loop.js";

const METHODS = ["gradient", "integrated"] as const;


export async function explainCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, EXPLAIN);
  const file = singleOperand(args, EXPLAIN);
  const weightsPath = requiredFlag(args, "weights", EXPLAIN);
  const dataSpec = requiredFlag(args, "data", EXPLAIN);
  const method = stringFlag(args, "method") ?? "gradient";
  if (!(METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be gradient or integrated, got '${method}'`);
  const steps = numberFlag(args, "steps", { integer: true, min: 1, max: 100_000 }) ?? 32;
  const rowIndex = numberFlag(args, "row", { integer: true, min: 0 }) ?? 0;
  const svgPath = stringFlag(args, "out");

  const source = readText(file, ".net file");
  const compiled = await compile(source, { file, model: stringFlag(args, "model"), maxBatch: method === "integrated" ? Math.min(steps, 256) : 1, format: false });
  const ir = compiled.model;
  // Ids select embedding rows: a derivative with respect to an id means nothing.
  if (ir.input.index) throw new CliError(`${file}: netc explain attributes a prediction to numeric input features, but the input ${inputDecl(ir)} holds ids`);
  if (classPositions(ir) > 1) throw new CliError(`${file}: netc explain attributes one prediction per row, but target ${ir.target.name}[${classPositions(ir)}]: class(${ir.target.classes}) makes one per position`);
  const weights = loadWeights(weightsPath, ir, file);
  const data = loadData(dataSpec, ir, ir.train.seed, { ...encodeOptions(args, weights), targetOptional: true });
  if (rowIndex >= data.n) throw new CliError(`${data.source}: --row ${rowIndex} is out of range (the data has ${data.n} rows, numbered from 0)`);
  const features = data.columns.features;
  const model = (await loadGenerated(compiled.code)).createModel();
  model.setWeights(tensorsByName(weights));

  // The model sees standardized inputs when it was trained with --normalize; the zero baseline is then the training mean.
  const row = data.x.slice(rowIndex * ir.input.width, (rowIndex + 1) * ir.input.width);
  const norm = weights.normalization ?? null;
  if (norm) applyNormalization(row, 1, norm);
  const target = chooseTarget(ir, stringFlag(args, "class"), weights.labels, model.predict(row, 1));
  // A model that reduces over the batch mixes rows: then every path point is its own batch.
  const pathRows = couplesRows(compiled.explainGraph) ? 1 : steps;
  const result = method === "integrated" ? integratedGradients(model, row, target, steps, pathRows) : gradientAttribution(model, row, target);
  // A gradient is per unit of the feature as the CSV gives it: chain rule through x' = (x − mean) / std.
  if (norm && method === "gradient") result.values.forEach((v, i) => (result.values[i] = v / norm.std[i]!));
  const cls = target.sign === -1 ? 0 : target.output;
  const label = isClassifier(ir) ? weights.labels?.[cls] : undefined;

  if (args.flags.has("json")) {
    const json: Record<string, unknown> = { row: rowIndex, class: cls, ...(label !== undefined ? { label } : {}), method, features, saliency: Array.from(result.values) };
    if (method === "integrated") json.completeness = { sum: sum(result.values), difference: result.fx - result.fBaseline };
    out.stdout(JSON.stringify(json));
  } else {
    out.stdout(report(ir, rowIndex, cls, label, method, features, result, norm !== null));
  }
  if (svgPath !== undefined) {
    const what = isClassifier(ir) ? `class ${label ?? cls}` : `${ir.output.name}${ir.output.width > 1 ? `[${cls}]` : ""}`;
    const title = `${ir.name}: row ${rowIndex}, ${what}, ${method === "integrated" ? `integrated gradients (${steps} steps)` : "gradient"}`;
    const rules = { force: args.flags.has("force"), inputs: [{ path: file, flag: "MODEL.net" }, { path: weightsPath, flag: "--weights" }, { path: dataSpec, flag: "--data" }] };
    writeOutput(svgPath, "saliency plot", await renderSaliencyPlot(features, result.values, title), rules);
    out.stderr(`wrote ${svgPath}`);
  }
  return 0;
}

/**
 * The output to explain: --class as a label or an index, else the row's predicted class
 * (classifiers) or the only output. A binary sigmoid's class 0 is explained as 1 − p.
 */
function chooseTarget(ir: ModelIR, given: string | undefined, labels: string[] | null, p: Float64Array): Target {
  const width = ir.output.width;
  const binary = width === 1 && isClassifier(ir);
  const count = binary ? 2 : width;
  let index: number;
  if (given === undefined) {
    if (isClassifier(ir)) index = predictedClass(ir, p, 0);
    else if (width === 1) index = 0;
    else throw new UsageError(`model ${ir.name} has ${width} outputs; choose one with --class 0..${width - 1}`);
  } else {
    const byLabel = labels?.indexOf(given) ?? -1;
    index = byLabel >= 0 ? byLabel : Number(given);
    if (!(Number.isInteger(index) && index >= 0 && index < count) || given.trim() === "") {
      const names = labels && labels.length > 0 ? ` or one of ${labels.join(", ")}` : "";
      throw new UsageError(`--class must be an index from 0 to ${count - 1}${names}, got '${given}'`);
    }
  }
  return binary ? { output: 0, sign: index === 1 ? 1 : -1 } : { output: index, sign: 1 };
}

function report(ir: ModelIR, rowIndex: number, cls: number, label: string | undefined, method: string, features: string[], result: Attribution, normalized: boolean): string {
  const what = isClassifier(ir) ? `class ${cls}${label !== undefined ? ` (${label})` : ""}, probability ${result.fx.toPrecision(4)}` : `output ${cls} = ${result.fx.toPrecision(6)}`;
  const lines = [`row ${rowIndex}: ${what}; ${method === "integrated" ? `integrated gradients from ${normalized ? "the training mean (the standardized input's zero)" : "a zero baseline"}` : "gradient (saliency)"}`];
  const order = features.map((_, i) => i).sort((a, b) => Math.abs(result.values[b]!) - Math.abs(result.values[a]!));
  const pad = Math.max(...features.map((f) => f.length));
  const largest = Math.abs(result.values[order[0]!]!) || 1;
  for (const i of order) {
    const v = result.values[i]!;
    lines.push(`  ${features[i]!.padEnd(pad)}  ${v >= 0 ? "+" : "-"}${Math.abs(v).toExponential(3)}  ${"#".repeat(Math.round((20 * Math.abs(v)) / largest))}`);
  }
  if (method === "integrated") {
    const total = sum(result.values);
    const diff = result.fx - result.fBaseline;
    const rel = Math.abs(total - diff) / Math.max(Math.abs(diff), 1e-12);
    lines.push(`completeness: sum of attributions ${total.toPrecision(6)} vs f(x) - f(${normalized ? "mean" : "0"}) ${diff.toPrecision(6)} (${(100 * rel).toFixed(2)}% apart; more --steps narrows it)`);
  }
  return lines.join("\n");
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}
