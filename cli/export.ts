// `netc export`: the model for other runtimes — ONNX (the inference graph, float32) or a
// PyTorch module with its optimizer, schedule and training loop (float64).
import { relative, dirname, resolve } from "node:path";
import { compileToGraph } from "../compiler/index.js";
import { tensorsByName } from "../data/weights.js";
import { exportOnnx } from "../export/onnx/index.js";
import { exportTorch } from "../export/torch/index.js";
import { parseArgs, requiredFlag, singleOperand, stringFlag, UsageError } from "./args.js";
import { EXPORT } from "./commands.js";
import { loadWeights } from "./inputs.js";
import { CliError, readText } from "./io.js";
import { writeOutput } from "./outputs.js";
import type { Output } from "./main.js";

export async function exportCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, EXPORT);
  const file = singleOperand(args, EXPORT);
  const format = requiredFlag(args, "format", EXPORT);
  if (format !== "onnx" && format !== "torch") throw new UsageError(`--format must be onnx or torch, got '${format}'`);
  const source = readText(file, ".net file");
  // The forward graph is all either exporter reads; no code is emitted or formatted.
  const { model } = compileToGraph(source, { file, model: stringFlag(args, "model") });
  const weightsPath = format === "onnx" ? requiredFlag(args, "weights", EXPORT, " (ONNX holds the trained weights)") : stringFlag(args, "weights");
  const weights = weightsPath === undefined ? undefined : loadWeights(weightsPath, model, file);
  const target = stringFlag(args, "out") ?? `${model.name}.${format === "onnx" ? "onnx" : "py"}`;
  if (format === "onnx") {
    const values = new Map(Object.entries(tensorsByName(weights!)).map(([name, t]) => [name, t.data]));
    const bytes = exportOnnx({ model, weights: values, labels: weights!.labels, normalization: weights!.normalization, file, source });
    writeOutput(target, "export", [bytes], { force: args.flags.has("force"), inputs: [{ path: file, flag: "MODEL.net" }, { path: weightsPath!, flag: "--weights" }] });
    out.stderr(`wrote ${target} (model ${model.name}, ONNX opset 17, float32, ${bytes.length} bytes)`);
    return 0;
  }
  if (weights?.normalization) {
    // The PyTorch module trains and predicts on the raw columns it is given.
    throw new CliError(`${weightsPath}: these weights were trained on standardized inputs (netc train --normalize), which the PyTorch export does not reproduce yet; export them to ONNX, or train without --normalize`);
  }
  // The module finds the weights file relative to itself, wherever it is run from.
  const fromModule = weightsPath === undefined ? null : relative(dirname(resolve(target)), resolve(weightsPath)).split("\\").join("/");
  const text = exportTorch({ model, weightsPath: fromModule, file, source });
  const inputs = [{ path: file, flag: "MODEL.net" }, ...(weightsPath === undefined ? [] : [{ path: weightsPath, flag: "--weights" }])];
  writeOutput(target, "export", text, { force: args.flags.has("force"), inputs });
  out.stderr(`wrote ${target} (model ${model.name}, PyTorch module, optimizer and training loop${fromModule ? `, weights from ${fromModule}` : ", netc's initialization"})`);
  return 0;
}

