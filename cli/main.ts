// netc's command line. Library code never prints or exits; this is the one place that does.
import { checkCommand, CHECK_USAGE, compileCommand, COMPILE_USAGE } from "./compile.js";
import { UsageError } from "./args.js";
import { NetcError } from "../diagnostics/index.js";
import { DataError, WeightsError } from "../data/errors.js";
import { exportCommand, EXPORT_USAGE } from "./export.js";
import { LSP_USAGE } from "./lsp-usage.js";
import { graphCommand, GRAPH_USAGE } from "./graph.js";
import { CliError } from "./io.js";
import { predictCommand, predictorCommand, PREDICT_USAGE, PREDICTOR_USAGE } from "./predict.js";
import { trainCommand, TRAIN_USAGE } from "./train.js";

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** A terminal to draw live progress bars on; without one, progress is printed as plain lines. */
  progressStream?: NodeJS.WriteStream;
}

const processOutput: Output = {
  stdout: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  progressStream: process.stdout.isTTY ? process.stdout : undefined,
};

type Command = (argv: string[], out: Output) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  compile: { run: compileCommand, usage: COMPILE_USAGE, summary: "compile a .net model to a TypeScript training module" },
  check: { run: checkCommand, usage: CHECK_USAGE, summary: "report every error in a .net file" },
  train: { run: trainCommand, usage: TRAIN_USAGE, summary: "train a model on a CSV or bundled data set; write trainer, weights, predictor and loss curve" },
  predict: { run: predictCommand, usage: PREDICT_USAGE, summary: "print predictions for a CSV as CSV, using trained weights" },
  predictor: { run: predictorCommand, usage: PREDICTOR_USAGE, summary: "write a standalone predictor (one file, no imports) with the weights baked in" },
  graph: { run: graphCommand, usage: GRAPH_USAGE, summary: "draw the model's graph (forward, or with --backward the gradients too) as SVG or DOT" },
  // Imported only when run: the server needs the front end alone (bin/netc.mjs goes straight there).
  lsp: { run: async (argv, out) => (await import("./lsp.js")).lspCommand(argv, out), usage: LSP_USAGE, summary: "language server for editors over stdio: diagnostics, hover, go to definition, completion" },
  export: { run: exportCommand, usage: EXPORT_USAGE, summary: "write the model for other runtimes: ONNX (inference, float32) or a PyTorch module with its optimizer and training loop" },
};

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `usage: netc <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out.stdout(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    out.stderr(`netc: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, out);
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr(`netc ${name}: ${err.message}`);
      return 2;
    }
    if (err instanceof NetcError) {
      out.stderr(err.message);
      return 1;
    }
    if (err instanceof CliError || err instanceof DataError || err instanceof WeightsError) {
      out.stderr(`netc ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
