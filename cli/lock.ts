// One `netc train` (or `netc tune`) at a time per output set: a lock file `.MODEL.netc-lock`
// (`.MODEL.tune.netc-lock`) in --out, created exclusively before training starts (which also
// proves the directory is writable) and removed when the run ends. A second run into the same
// --out for the same model fails at once with a message naming the first and its command; a lock
// left by a process that no longer exists is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./io.js";

export interface RunLock {
  readonly path: string;
  release(): void;
}

export type LockingCommand = "train" | "tune";

export function lockOutputSet(dir: string, model: string, command: LockingCommand = "train"): RunLock {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CliError(`${dir}: cannot create the output directory (${(err as Error).message})`);
  }
  const path = join(dir, command === "train" ? `.${model}.netc-lock` : `.${model}.${command}.netc-lock`);
  const mine = JSON.stringify({ pid: process.pid, started: new Date().toISOString(), command });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, mine + "\n", { flag: "wx" });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw new CliError(`${dir}: cannot write into the output directory (${(err as Error).message})`);
      const holder = readHolder(path);
      if (attempt === 0 && holder !== null && !isRunning(holder.pid)) {
        rmSync(path, { force: true });
        continue;
      }
      const who = holder ? `netc ${holder.command} (pid ${holder.pid}, started ${holder.started})` : `netc ${command}`;
      throw new CliError(`${dir}: another ${who} is writing model ${model} here; wait for it to finish or choose another --out (remove ${path} if no such run exists)`);
    }
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      // Only our own lock: never one a later run took over.
      if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

function readHolder(path: string): { pid: number; started: string; command: LockingCommand } | null {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as { pid?: unknown; started?: unknown; command?: unknown };
    const command = v.command === "tune" ? "tune" : "train"; // locks from before the field held train's
    return Number.isInteger(v.pid) && (v.pid as number) > 0 ? { pid: v.pid as number, started: String(v.started), command } : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
