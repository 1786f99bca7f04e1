// Running the command line in tests, two ways:
//   - `netcProcess`: the real `node bin/netc.mjs` in a child process, as a user runs it. Each
//     start costs node plus the tsx loader (about 2 s here), so tests run a few of these for
//     what only a process shows (exit statuses, the two streams, no stack trace) and run them
//     concurrently;
//   - `netcInProcess`: the same `main` the binary calls, with its output captured.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, type Output } from "../../cli/main.js";
import { ROOT } from "./helpers.js";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A line of a Node stack trace (`    at f (file.js:1:2)`), which the user must never see. */
export const STACK_TRACE = /^\s+at .+[:(].*\d+:\d+\)?$/m;

/** Runs `node bin/netc.mjs ...args` from the repository root (or `cwd`). */
export function netcProcess(args: string[], options: { cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/netc.mjs`, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `main(args)` in this process, capturing what it prints; `status` is its exit status. */
export async function netcInProcess(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const out: Output = {
    stdout: (t) => void (stdout += t.endsWith("\n") ? t : `${t}\n`),
    stderr: (t) => void (stderr += t.endsWith("\n") ? t : `${t}\n`),
  };
  const status = await main(args, out);
  return { status, stdout, stderr };
}

/**
 * `netcInProcess` for tests that work in a scratch directory (`dir()`, made in a beforeAll):
 * `run`'s arguments starting with `@` name files there, and `file` writes one and returns its `@` name.
 */
export function scratchCli(dir: () => string) {
  return {
    async run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const { status, stdout, stderr } = await netcInProcess(...argv.map((a) => a.replace(/^@/, `${dir()}/`)));
      return { code: status!, stdout, stderr };
    },
    file(name: string, text: string): string {
      writeFileSync(join(dir(), name), text);
      return `@${name}`;
    },
  };
}
