// netc's command line. Library code never prints or exits; this is the one place that does.
// Commands are imported only when run, so `netc check` never loads the emitter, prettier,
// ts-morph, vega or Graphviz.
import { readFileSync } from "node:fs";
import { helpText, HelpRequested, parseArgs, usageLine, UsageError, type CommandSpec } from "./args.js";
import { CHECK, COMMAND_SPECS, COMPILE, EXPLAIN, EXPORT, GRAPH, LSP, PREDICT, PREDICTOR, TRAIN, TUNE } from "./commands.js";
import { NetcError } from "../diagnostics/index.js";
import { closestName } from "../diagnostics/suggest.js";
import { DataError, WeightsError } from "../data/errors.js";
import { CliError } from "./io.js";

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** A terminal to draw live progress bars on; without one, progress is printed as plain lines. */
  progressStream?: NodeJS.WriteStream;
  /** True once the reader of stdout went away (`netc predict ... | head`): stop producing output. */
  stdoutClosed?(): boolean;
  /** Resolves when stdout has room again, so streamed output stays within bounded memory. */
  drain?(): Promise<void>;
}

/**
 * The process's streams. When the reader of a pipe exits early (`netc train ... | head`), writes
 * fail with EPIPE; that is not an error of the command, so later output is dropped instead of
 * crashing, and training still finishes and writes its files.
 */
function processOutput(): Output {
  let stdoutClosed = false;
  let stderrClosed = false;
  process.stdout.on("error", () => (stdoutClosed = true));
  process.stderr.on("error", () => (stderrClosed = true));
  const line = (t: string) => (t.endsWith("\n") ? t : `${t}\n`);
  return {
    stdout: (t) => void (stdoutClosed || process.stdout.write(line(t))),
    stderr: (t) => void (stderrClosed || process.stderr.write(line(t))),
    progressStream: process.stdout.isTTY ? process.stdout : undefined,
    stdoutClosed: () => stdoutClosed,
    drain: () =>
      stdoutClosed || !process.stdout.writableNeedDrain
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            process.stdout.once("drain", resolve);
            process.stdout.once("error", () => resolve());
          }),
  };
}

type Command = (argv: string[], out: Output) => number | Promise<number>;

const RUNNERS: Record<string, () => Promise<Command>> = {
  compile: async () => (await import("./compile.js")).compileCommand,
  check: async () => (await import("./compile.js")).checkCommand,
  train: async () => (await import("./train.js")).trainCommand,
  predict: async () => (await import("./predict.js")).predictCommand,
  predictor: async () => (await import("./predict.js")).predictorCommand,
  explain: async () => (await import("./explain.js")).explainCommand,
  tune: async () => (await import("./tune.js")).tuneCommand,
  graph: async () => (await import("./graph.js")).graphCommand,
  export: async () => (await import("./export.js")).exportCommand,
  lsp: async () => async (argv, out) => {
    parseArgs(argv, LSP); // --help, and unknown options answered like every other command's
    return (await import("./lsp.js")).lspCommand(argv, out);
  },
};

const SPECS: Record<string, CommandSpec> = { compile: COMPILE, check: CHECK, train: TRAIN, predict: PREDICT, predictor: PREDICTOR, explain: EXPLAIN, tune: TUNE, graph: GRAPH, export: EXPORT, lsp: LSP };

export function version(): string {
  // package.json sits one folder up from both cli/ and the compiled dist/.
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function usage(): string {
  const lines = COMMAND_SPECS.map((c) => `  ${usageLine(c)}\n      ${c.summary}`);
  return `usage: netc <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nnetc <command> --help describes a command's options; netc --version prints the version.\n`;
}

export async function main(argv: string[], out: Output = processOutput()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    out.stderr(usage());
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic !== undefined && Object.hasOwn(SPECS, topic)) out.stdout(helpText(SPECS[topic]!));
    else out.stdout(usage());
    return topic !== undefined && !Object.hasOwn(SPECS, topic) ? 2 : 0;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    out.stdout(`netc ${version()}`);
    return 0;
  }
  if (!Object.hasOwn(RUNNERS, name)) {
    const near = closestName(name, Object.keys(RUNNERS));
    const hint = near ? `; did you mean '${near}'?` : name.startsWith("-") ? "; options come after the command" : "";
    out.stderr(`netc: unknown command '${name}'${hint}\n${usage()}`);
    return 2;
  }
  try {
    // `--help` is answered before the command's module loads (the trainer's imports take a
    // second); any other problem with the arguments the command reports itself.
    parseArgs(rest, SPECS[name]!);
  } catch (err) {
    if (err instanceof HelpRequested) {
      out.stdout(helpText(err.spec));
      return 0;
    }
  }
  try {
    const run = await RUNNERS[name]!();
    return await run(rest, out);
  } catch (err) {
    if (err instanceof HelpRequested) {
      out.stdout(helpText(err.spec));
      return 0;
    }
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
