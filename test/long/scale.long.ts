// Scale, through the real CLI: a 16.8M-parameter Adam model (4096 → 4096) trains, saves its
// weights and optimizer state (a 537 MB file, more than one JS string can hold) and resumes
// from them; ten million epochs train with a plot of bounded size. `npm run test:long`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withFileSource } from "../../cli/io.js";
import { readWeights } from "../../data/weights.js";
import { makeRng, ROOT } from "../support/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "netc-long-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function netc(...args: string[]) {
  const r = spawnSync(process.execPath, ["--max-old-space-size=8192", "bin/netc.mjs", ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r;
}

describe("a 16.8M-parameter Adam model", () => {
  it("trains, saves, loads and resumes through netc train", () => {
    const width = 4096;
    writeFileSync(join(dir, "wide.net"), `model wide {\n  input x[${width}]\n  target y[${width}]\n  p = dense(x, ${width})\n  output p\n  loss mse(p, y)\n  train { optimizer adam(lr: 0.001); epochs 1; batch 4; seed 1 }\n}\n`);
    const rng = makeRng(1);
    const header = [...Array.from({ length: width }, (_, i) => `x${i}`), ...Array.from({ length: width }, (_, i) => `y${i}`)].join(",");
    const rows = Array.from({ length: 8 }, () => Array.from({ length: 2 * width }, () => (rng() * 2 - 1).toFixed(3)).join(","));
    writeFileSync(join(dir, "wide.csv"), [header, ...rows].join("\n") + "\n");

    const first = netc("train", join(dir, "wide.net"), "--data", join(dir, "wide.csv"), "--val", "0", "--out", join(dir, "a"));
    expect(first.status, first.stderr).toBe(0);
    const path = join(dir, "a/wide.weights.json");
    expect(statSync(path).size).toBeGreaterThan(500e6);
    const saved = withFileSource(path, "weights file", (source) => readWeights(source, path));
    expect(saved.tensors.reduce((n, t) => n + t.data.length, 0)).toBe(width * width + width);
    expect(saved.state!.buffers.map((b) => b.name).sort()).toEqual(["p.W/m", "p.W/v", "p.b/m", "p.b/v"]);
    expect(saved.tensors[0]!.data.every(Number.isFinite)).toBe(true);

    const again = netc("train", join(dir, "wide.net"), "--data", join(dir, "wide.csv"), "--resume", path, "--epochs", "1", "--out", join(dir, "b"));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("1 epoch (epoch 2)");
    const head = readFileSync(join(dir, "b/wide.weights.json")).subarray(0, 4096).toString("utf8");
    expect(head).toMatch(/"epochs": 2,/);
  });
});

describe("ten million epochs", () => {
  it("train, with a loss plot of bounded size", () => {
    const r = netc("train", "examples/lecture.net", "--data", "lecture", "--epochs", "10000000", "--out", join(dir, "ten"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^epoch 10000000\/10000000 {2}loss/m);
    expect(statSync(join(dir, "ten/lecture.loss.svg")).size).toBeLessThan(200_000);
  });
});
