// `netc export`: the model for other runtimes — ONNX (the inference graph, float32) or a
// PyTorch module with its optimizer, schedule and training loop (float64).
import { relative, dirname, resolve } from "node:path";
import { compileToGraph } from "../compiler/index.js";
import { tensorsByName } from "../data/weights.js";
import { exportOnnx } from "../export/onnx/index.js";
import { exportTorch } from "../export/torch/index.js";
import { parseArgs, stringFlag, UsageError } from "./args.js";
import { loadWeights, requireFlag } from "./inputs.js";
import { readText } from "./io.js";
import { writeOutput } from "./outputs.js";
import type { Output } from "./main.js";

export const EXPORT_USAGE = "netc export MODEL.net --format onnx|torch [--weights W.json] [-o OUT] [--model NAME] [--force]";

export async function exportCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, { values: ["weights", "format", "out", "model"], booleans: ["force"], aliases: { o: "out" } });
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError(`usage: ${EXPORT_USAGE}`);
  const format = requireFlag(stringFlag(args, "format"), "--format", EXPORT_USAGE);
  if (format !== "onnx" && format !== "torch") throw new UsageError(`--format must be onnx or torch, got '${format}'`);
  const source = readText(file, ".net file");
  // The forward graph is all either exporter reads; no code is emitted or formatted.
  const { model } = compileToGraph(source, { file, model: stringFlag(args, "model") });
  const weightsPath = format === "onnx" ? requireFlag(stringFlag(args, "weights"), "--weights", EXPORT_USAGE) : stringFlag(args, "weights");
  const weights = weightsPath === undefined ? undefined : loadWeights(weightsPath, model, file);
  const target = stringFlag(args, "out") ?? `${model.name}.${format === "onnx" ? "onnx" : "py"}`;
  if (format === "onnx") {
    const values = new Map(Object.entries(tensorsByName(weights!)).map(([name, t]) => [name, t.data]));
    const bytes = exportOnnx({ model, weights: values, labels: weights!.labels, file, source });
    writeOutput(target, "export", [bytes], { force: args.flags.has("force"), inputs: [{ path: file, flag: "MODEL.net" }, { path: weightsPath!, flag: "--weights" }] });
    out.stderr(`wrote ${target} (model ${model.name}, ONNX opset 17, float32, ${bytes.length} bytes)`);
    return 0;
  }
  // The module finds the weights file relative to itself, wherever it is run from.
  const fromModule = weightsPath === undefined ? null : relative(dirname(resolve(target)), resolve(weightsPath)).split("\\").join("/");
  const text = exportTorch({ model, weightsPath: fromModule, file, source });
  const inputs = [{ path: file, flag: "MODEL.net" }, ...(weightsPath === undefined ? [] : [{ path: weightsPath, flag: "--weights" }])];
  writeOutput(target, "export", text, { force: args.flags.has("force"), inputs });
  out.stderr(`wrote ${target} (model ${model.name}, PyTorch module, optimizer and training loop${fromModule ? `, weights from ${fromModule}` : ", netc's initialization"})`);
  return 0;
}
