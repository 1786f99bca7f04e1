// netc's command line. Library code never prints or exits; this is the one place that does.
import { checkCommand, CHECK_USAGE, compileCommand, COMPILE_USAGE } from "./compile.js";
import { UsageError } from "./args.js";
import { CliError } from "./io.js";

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: Output = {
  stdout: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};

type Command = (argv: string[], out: Output) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  compile: { run: compileCommand, usage: COMPILE_USAGE, summary: "compile a .net model to a TypeScript training module" },
  check: { run: checkCommand, usage: CHECK_USAGE, summary: "report every error in a .net file" },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${c.usage}\n      ${c.summary}`);
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
    if (err instanceof CliError) {
      out.stderr(`netc ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
