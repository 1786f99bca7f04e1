// A 1 GB CSV trains in bounded memory: the file is parsed as it is read, straight into typed
// arrays, so the process's peak resident memory stays within about twice the numeric data
// (float64 features and targets) plus Node's own, and predict streams its output.
// NETC_LONG_CSV_MB sets the size (default 1024).
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../cli/run.js";

const MB = Number(process.env.NETC_LONG_CSV_MB ?? 1024);
const FEATURES = 8;
const dir = mkdtempSync(join(tmpdir(), "netc-long-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic rows of FEATURES numbers and a label, until the file reaches `bytes`. */
function writeCsv(path: string, bytes: number): number {
  const fd = openSync(path, "w");
  let size = 0;
  let rows = 0;
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const header = `${Array.from({ length: FEATURES }, (_, i) => `f${i}`).join(",")},label\n`;
  writeSync(fd, header);
  size += header.length;
  while (size < bytes) {
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      const values = Array.from({ length: FEATURES }, () => (next() * 20 - 10).toFixed(3));
      const label = Number(values[0]) + Number(values[1]) > 0 ? "up" : Number(values[2]) > 0 ? "flat" : "down";
      lines.push(`${values.join(",")},${label}`);
    }
    const text = `${lines.join("\n")}\n`;
    writeSync(fd, text);
    size += text.length;
    rows += lines.length;
  }
  closeSync(fd);
  return rows;
}

/** Runs netc under /usr/bin/time (stdout into `stdoutFile` when given); returns its peak resident memory in bytes. */
function netcMeasured(args: string[], stdoutFile?: string): { status: number | null; stdout: string; stderr: string; peak: number } {
  const fd = stdoutFile ? openSync(stdoutFile, "w") : undefined;
  const r = spawnSync("/usr/bin/time", ["-f", "PEAK_KB %M", process.execPath, "bin/netc.mjs", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", fd ?? "pipe", "pipe"],
  });
  if (fd !== undefined) closeSync(fd);
  const peak = Number(/PEAK_KB (\d+)/.exec(r.stderr)?.[1]) * 1024;
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr.replace(/PEAK_KB \d+\n?/, ""), peak };
}

/** Line breaks in a file, read in pieces. */
function countLines(path: string): number {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(1 << 20);
  let lines = 0;
  for (let got = readSync(fd, buffer); got > 0; got = readSync(fd, buffer)) {
    for (let i = buffer.indexOf(10); i >= 0 && i < got; i = buffer.indexOf(10, i + 1)) lines++;
  }
  closeSync(fd);
  return lines;
}

describe(`a ${MB} MB CSV`, () => {
  const csv = join(dir, "big.csv");
  let rows = 0;

  it("trains in memory within about twice its numeric data", () => {
    rows = writeCsv(csv, MB * 2 ** 20);
    const net = join(dir, "big.net");
    const fd = openSync(net, "w");
    writeSync(fd, `model big {\n  input x[${FEATURES}]\n  target label: class(3)\n  layers { dense 8 relu; dense 3 softmax }\n  loss cross_entropy\n  train { optimizer adam(lr: 0.01); epochs 1; batch 512 }\n}\n`);
    closeSync(fd);
    const r = netcMeasured(["train", net, "--data", csv, "--out", join(dir, "out")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${rows - Math.round(rows * 0.2)} rows + ${Math.round(rows * 0.2)} for validation`);
    const numeric = rows * (FEATURES + 1) * 8;
    console.log(`${(statSync(csv).size / 2 ** 20).toFixed(0)} MB CSV, ${rows} rows, numeric data ${(numeric / 2 ** 20).toFixed(0)} MiB, peak RSS ${(r.peak / 2 ** 20).toFixed(0)} MiB`);
    // Node, the compiler and (without an up-to-date dist/) tsx take about 450 MiB of their own.
    expect(r.peak).toBeLessThan(2 * numeric + 600 * 2 ** 20);
    expect(r.stdout).toMatch(/validation loss \S+ {2}accuracy (100\.0|[89]\d\.\d)%/);
  });

  it("predicts in bounded memory, streaming its output", () => {
    const predictions = join(dir, "predictions.csv");
    const r = netcMeasured(["predict", join(dir, "big.net"), "--weights", join(dir, "out/big.weights.json"), "--data", csv], predictions);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^accuracy \S+% \(\d+ of \d+ rows match the target column\)\n$/);
    expect(countLines(predictions)).toBe(rows + 1); // the header, then one line per row
    console.log(`predict: peak RSS ${(r.peak / 2 ** 20).toFixed(0)} MiB`);
    expect(r.peak).toBeLessThan(600 * 2 ** 20); // whatever the file's size: rows are read, predicted and printed in batches
  });
});
