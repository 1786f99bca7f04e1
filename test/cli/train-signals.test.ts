// A long `netc train` is a real process a user can stop: SIGINT and SIGTERM save the last
// completed epoch (exit 130 and 143) and --resume continues from it, counting on; a SIGKILL
// loses at most the time since the last checkpoint, and the checkpoint is always a whole
// file; a second run into the same --out fails at once instead of mixing the two runs' files.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main, type Output } from "../../cli/main.js";
import { parseWeights } from "../../data/weights.js";
import { ROOT } from "../support/helpers.js";

vi.setConfig({ testTimeout: 180_000 });
const dir = mkdtempSync(join(tmpdir(), "netc-signals-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node bin/netc.mjs train ...` as a user would start it, with its output collected. */
function train(...args: string[]): Running {
  const child = spawn(process.execPath, ["bin/netc.mjs", "train", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(check: () => boolean, what: string, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function inProcess(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out: Output = { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`) };
  return { code: await main(argv, out), stdout, stderr };
}

const LONG = ["examples/lecture.net", "--data", "lecture", "--epochs", "5000000"];

describe("netc train stopped by a signal", () => {
  it("SIGINT saves the last completed epoch, says where, exits 130; --resume continues from it", async () => {
    const out = join(dir, "int");
    const run = train(...LONG, "--out", out);
    await until(() => run.stdout().includes("training model lecture"), "the banner");
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGINT");
    const { code } = await run.exited;
    expect(code).toBe(130);
    const m = /^netc train: SIGINT after epoch (\d+) of 5000000; saved that epoch's state in (.*lecture\.last\.weights\.json) \(and the best epoch, \d+, in .*lecture\.best\.weights\.json\)\n {2}continue with --resume .*lecture\.last\.weights\.json; .*lecture\.weights\.json and the other outputs are from before this run\n$/.exec(run.stderr());
    expect(m, run.stderr()).not.toBeNull();
    const epoch = Number(m![1]);
    expect(epoch).toBeGreaterThan(0);
    const saved = parseWeights(readFileSync(m![2]!), "w");
    expect(saved.metrics!.epochs).toBe(epoch);
    expect(saved.state!.epoch).toBe(epoch);
    // Nothing of the interrupted run's final output set was written, and the lock is gone.
    expect(readdirSync(out).sort()).toEqual(["lecture.best.weights.json", "lecture.last.weights.json"]);

    const resumed = await inProcess("train", "examples/lecture.net", "--data", "lecture", "--resume", m![2]!, "--epochs", "3", "--out", out);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`3 epochs (${epoch + 1} to ${epoch + 3}), seed 3, resuming from ${m![2]} at epoch ${epoch}`);
    expect(resumed.stdout).toContain(`epoch ${epoch + 1}/${epoch + 3}  loss`);
    expect(parseWeights(readFileSync(join(out, "lecture.weights.json")), "w").metrics!.epochs).toBe(epoch + 3);
    // The checkpoint it resumed from is its input: kept. A fresh run says it replaces it, then removes it.
    expect(existsSync(m![2]!)).toBe(true);
    const fresh = await inProcess("train", "examples/lecture.net", "--data", "lecture", "--epochs", "2", "--out", out);
    expect(fresh.stdout).toContain(`note: ${m![2]} is an interrupted run's checkpoint; this run's checkpoints replace it`);
    expect(existsSync(m![2]!)).toBe(false);
  });

  it("SIGTERM exits 143 the same way; meanwhile a second run into the same --out fails at once", async () => {
    const out = join(dir, "term");
    const first = train(...LONG, "--out", out);
    await until(() => first.stdout().includes("training model lecture"), "the banner");
    const second = train("examples/lecture.net", "--data", "lecture", "--epochs", "2", "--out", out);
    const { code: secondCode } = await second.exited;
    expect(secondCode).toBe(1);
    expect(second.stderr()).toMatch(new RegExp(`^netc train: .*term: another netc train \\(pid ${first.child.pid}, started [^)]+\\) is writing model lecture here; wait for it to finish or choose another --out`));
    expect(second.stdout()).not.toContain("epoch");
    first.child.kill("SIGTERM");
    const { code } = await first.exited;
    expect(code).toBe(143);
    expect(first.stderr()).toMatch(/^netc train: SIGTERM after epoch \d+ of 5000000; saved that epoch's state in/);
    expect(parseWeights(readFileSync(join(out, "lecture.last.weights.json")), "w").training!.resumedFrom).toBe(null);
    expect(existsSync(join(out, ".lecture.netc-lock"))).toBe(false);
  });

  it("SIGKILL cannot be caught: the last periodic checkpoint is a whole, loadable file", async () => {
    const out = join(dir, "kill");
    const last = join(out, "lecture.last.weights.json");
    const run = train(...LONG, "--checkpoint-every", "2000", "--out", out);
    await until(() => existsSync(last), "the first checkpoint");
    run.child.kill("SIGKILL");
    const { signal } = await run.exited;
    expect(signal).toBe("SIGKILL");
    const saved = parseWeights(readFileSync(last), "w");
    expect(saved.metrics!.epochs % 2000).toBe(0);
    expect(saved.state!.epoch).toBe(saved.metrics!.epochs);
    // The stale lock of the killed run does not block the next one.
    const next = await inProcess("train", "examples/lecture.net", "--data", "lecture", "--resume", last, "--epochs", "1", "--out", out);
    expect(next.code).toBe(0);
  });
});
