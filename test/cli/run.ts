// Runs netc as a user would: the real `bin/netc.mjs` in a child process (several may run at
// once), or — for exhaustive checks that would otherwise start dozens of processes — `main`
// in this process with captured output, which is the same code behind the same entry point.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { main } from "../../cli/main.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function netc(args: string[], options: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/netc.mjs`, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => {
      // Whatever went wrong, the user sees a message, never a stack trace.
      expect(stderr, `stderr of netc ${args.join(" ")}`).not.toMatch(/^\s+at .+[:(].*\d+:\d+\)?$/m);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end();
  });
}

/** `main(args)` with stdout and stderr captured. */
export async function netcInProcess(args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const line = (t: string) => (t.endsWith("\n") ? t : `${t}\n`);
  const status = await main(args, { stdout: (t) => void (stdout += line(t)), stderr: (t) => void (stderr += line(t)) });
  return { status, stdout, stderr };
}
