// What netc writes, and what it refuses to write: every output replaces its file atomically (a
// full disk mid-write leaves the previous file intact, and no temporary file behind), never a
// file the same command reads, never through a symbolic link, and — without --force — only a
// file netc wrote of the same kind.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main, type Output } from "../../cli/main.js";
import { fileKind } from "../../cli/outputs.js";
import { parseWeights } from "../../data/weights.js";
import { ROOT } from "../support/helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), "netc-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out: Output = { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`) };
  const code = await main(argv, out);
  return { code, stdout, stderr };
}

const at = (name: string) => join(dir, name);
const leftovers = (d: string) => readdirSync(d).filter((f) => f.endsWith(".tmp"));

beforeAll(async () => {
  expect((await run("train", "examples/xor.net", "--data", "xor", "--epochs", "2", "--out", at("run"))).code).toBe(0);
});

describe("a failed write leaves the previous file intact", () => {
  it("a full disk while writing the weights (injected ENOSPC in a real process)", () => {
    const before = readFileSync(at("run/xor.weights.json"));
    const r = spawnSync(process.execPath, ["bin/netc.mjs", "train", "examples/xor.net", "--data", "xor", "--epochs", "3", "--out", at("run")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: `--import ${join(ROOT, "test/cli/fail-writes.mjs")}`, NETC_FAIL_WRITES_TO: "xor.weights.json" },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^netc train: .*run\/xor\.weights\.json: cannot write \(ENOSPC: no space left on device, write\); the previous file, if any, is unchanged\n$/);
    expect(readFileSync(at("run/xor.weights.json")).equals(before)).toBe(true);
    expect(leftovers(at("run"))).toEqual([]);
    expect(readdirSync(at("run")).filter((f) => f.startsWith(".xor"))).toEqual([]);
  });

  it("the same through the library: the rename never happens, the temporary file is removed", async () => {
    const { writeAtomic } = await import("../../cli/io.js");
    writeFileSync(at("kept.txt"), "previous");
    const failing = (function* () {
      yield "new text, ";
      throw new Error("generator failed halfway");
    })();
    expect(() => writeAtomic(at("kept.txt"), failing)).toThrow(/kept\.txt: cannot write \(generator failed halfway\); the previous file, if any, is unchanged/);
    expect(readFileSync(at("kept.txt"), "utf8")).toBe("previous");
    expect(leftovers(dir)).toEqual([]);
  });
});

describe("outputs never replace an input of the same command", () => {
  it("netc predictor -o W.json refuses the weights file it reads, even with --force", async () => {
    const before = readFileSync(at("run/xor.weights.json"), "utf8");
    for (const extra of [[], ["--force"]]) {
      const r = await run("predictor", "examples/xor.net", "--weights", at("run/xor.weights.json"), "-o", at("run/xor.weights.json"), ...extra);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/xor\.weights\.json: is this command's --weights input; netc never writes over a file it reads/);
    }
    // The same file reached through another path (a symlinked directory) is the same input.
    symlinkSync(at("run"), at("run-link"));
    const linked = await run("predictor", "examples/xor.net", "--weights", at("run/xor.weights.json"), "-o", at("run-link/xor.weights.json"), "--force");
    expect(linked.code).toBe(1);
    expect(readFileSync(at("run/xor.weights.json"), "utf8")).toBe(before);
  });

  it("netc compile -o FILE.net and netc train with the .net in --out refuse to overwrite the model", async () => {
    const net = readFileSync(join(ROOT, "examples/xor.net"), "utf8");
    writeFileSync(at("model.net"), net);
    const r = await run("compile", at("model.net"), "-o", at("model.net"), "--force");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model\.net: is this command's FILE\.net input/);
    // A model file that happens to sit where train writes its trainer (`xor.ts` in --out).
    mkdirSync(at("clash"));
    writeFileSync(at("clash/xor.ts"), net);
    const t = await run("train", at("clash/xor.ts"), "--data", "xor", "--epochs", "1", "--out", at("clash"), "--force");
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/clash\/xor\.ts: is this command's MODEL\.net input/);
    expect(readFileSync(at("clash/xor.ts"), "utf8")).toBe(net);
    expect(readFileSync(at("model.net"), "utf8")).toBe(net);
  });
});

describe("the kind of file, not just the netc header, decides what may be replaced", () => {
  it("recognizes each kind netc writes", () => {
    const head = (f: string) => readFileSync(at(`run/${f}`), "utf8").slice(0, 4096);
    expect(fileKind(head("xor.ts"))).toBe("trainer");
    expect(fileKind(head("xor.predict.ts"))).toBe("predictor");
    expect(fileKind(head("xor.weights.json"))).toBe("weights");
    expect(fileKind(head("xor.best.weights.json"))).toBe("weights");
    expect(fileKind(head("xor.loss.svg"))).toBe("loss plot");
    expect(fileKind("// Generated by netc from x.net (model x). Do not edit: recompile instead.\n")).toBe("trainer");
    expect(fileKind("// my notes mention Generated by netc\n")).toBe(null);
  });

  it("netc graph -o PREDICTOR.ts refuses a predictor; --force replaces it", async () => {
    const predictor = readFileSync(at("run/xor.predict.ts"), "utf8");
    const r = await run("graph", "examples/xor.net", "--dot", "-o", at("run/xor.predict.ts"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/xor\.predict\.ts: exists and is a netc predictor, not a graph picture; not overwriting it \(use --force to replace it\)/);
    expect(readFileSync(at("run/xor.predict.ts"), "utf8")).toBe(predictor);
    const trainer = await run("predictor", "examples/xor.net", "--weights", at("run/xor.weights.json"), "-o", at("run/xor.ts"));
    expect(trainer.stderr).toMatch(/xor\.ts: exists and is a netc trainer module, not a predictor/);
    expect((await run("graph", "examples/xor.net", "--dot", "-o", at("copy.predict.ts"))).code).toBe(0);
    expect((await run("graph", "examples/xor.net", "--dot", "-o", at("copy.predict.ts"))).code).toBe(0);
    expect((await run("graph", "examples/xor.net", "--dot", "-o", at("run/xor.predict.ts"), "--force")).code).toBe(0);
  });
});

describe("symbolic links are never written through", () => {
  it("a dangling link at an output path is refused, and nothing is created where it points", async () => {
    const outside = at("outside/created-by-netc.ts");
    mkdirSync(at("outside"));
    mkdirSync(at("linked"));
    symlinkSync(outside, at("linked/xor.ts"));
    const r = await run("train", "examples/xor.net", "--data", "xor", "--epochs", "1", "--out", at("linked"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/linked\/xor\.ts: is a symbolic link; netc does not write through links \(use --force to replace the link itself\)/);
    expect(r.stdout).toBe("");
    expect(existsSync(outside)).toBe(false);
    const c = await run("compile", "examples/xor.net", "-o", at("linked/xor.ts"));
    expect(c.code).toBe(1);
    expect(existsSync(outside)).toBe(false);
    // --force replaces the link itself with a regular file; the place it pointed stays empty.
    expect((await run("compile", "examples/xor.net", "-o", at("linked/xor.ts"), "--force")).code).toBe(0);
    expect(lstatSync(at("linked/xor.ts")).isFile()).toBe(true);
    expect(existsSync(outside)).toBe(false);
  });

  it("a device or other special file is never replaced, even with --force", async () => {
    const r = await run("compile", "examples/xor.net", "-o", "/dev/null", "--force");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/dev\/null: is not a regular file; not replacing it/);
  });
});

describe("the output directory", () => {
  it("is checked before training: an --out that cannot be created fails before the first epoch", async () => {
    writeFileSync(at("plain-file"), "mine");
    const r = await run("train", "examples/xor.net", "--data", "xor", "--epochs", "50", "--out", at("plain-file/sub"));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/plain-file\/sub: cannot create the output directory/);
  });

  it("a weights file written by netc train parses and fits the model", () => {
    const w = parseWeights(readFileSync(at("run/xor.weights.json")), "w");
    expect(w.version).toBe(2);
    expect(w.metrics!.epochs).toBe(2);
  });
});
