// `netc train` runs end to end (in process, through `main`): divergence anywhere stops the run
// with exit 1 and the last good weights; --patience and --restore-best; the best epoch in the
// summary and the weights file; --resume restores the saved run's settings, counts epochs on,
// continues bit for bit, and refuses a changed optimizer unless --reset-optimizer is given.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main, type Output } from "../../cli/main.js";
import { compileToGraph } from "../../compiler/index.js";
import { parseCsv } from "../../data/csv.js";
import { encodeTable, splitDataset } from "../../data/dataset.js";
import { parseWeights, type WeightsFile } from "../../data/weights.js";
import { exampleSource } from "../support/helpers.js";

vi.setConfig({ testTimeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), "netc-runs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out: Output = { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`) };
  const code = await main(argv.map((a) => a.replace(/^@/, `${dir}/`)), out);
  return { code, stdout, stderr };
}

const weights = (path: string): WeightsFile => parseWeights(readFileSync(join(dir, path)), path);
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return `@${name}`;
};

describe("divergence stops the run with exit 1 and the last good weights", () => {
  it("--lr 1e308: weights that overflow at the end of an epoch, although every batch loss was finite", async () => {
    const r = await run("train", "examples/logistic.net", "--data", "lecture", "--lr", "1e308", "--epochs", "5", "--out", "@huge");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("diverged in epoch 1; kept epoch 0, the last good one:");
    expect(r.stdout).not.toMatch(/^done/m);
    expect(r.stderr).toMatch(/^netc train: parameter 'p\.[Wb]' reached [\d.]+e\+30\d at the end of epoch 1, beyond ±1\.34e\+154 where its square overflows \(training loss [\d.e+]+\); try a smaller learning rate, e\.g\. --lr 1e\+307\n {2}kept the last good weights \(end of epoch 0\) in .*huge\/logistic\.weights\.json\n$/);
    const w = weights("huge/logistic.weights.json");
    expect(w.metrics!.epochs).toBe(0);
    for (const t of w.tensors) for (const v of t.data) expect(Math.abs(v)).toBeLessThan(10);
  });

  it("a loss that is not finite in the evaluation before any training is reported, and nothing is written", async () => {
    const source = "model ov {\n  input x[1]\n  target y[1]\n  p = dense(x, 1)\n  output p\n  loss mse(p, y)\n  train { optimizer sgd(lr: 0.01); batch 4; seed 1 }\n}\n";
    const ir = compileToGraph(source).model;
    const rows = Array.from({ length: 40 }, (_, i) => [(i % 7) / 7, i % 3]);
    // Find the rows the seeded split holds out (x = row index), and make only those overflow.
    const table = parseCsv(["x,y", ...rows.map((_, i) => `${i},0`)].join("\n"), "d.csv");
    const { val } = splitDataset(encodeTable(table, ir), 0.25, 1, ir);
    const held = new Set(val!.x);
    const csv = file("overflow.csv", ["x,y", ...rows.map((r, i) => (held.has(i) ? [1e200, r[1]] : r).join(","))].join("\n") + "\n");
    const r = await run("train", file("ov.net", source), "--data", csv, "--val", "0.25", "--epochs", "3", "--out", "@overflow");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netc train: the validation loss became Infinity \(output 'p' or the loss overflowed; the largest weight is .*\) before training \(at epoch 0\); the data or the starting weights overflow the model; nothing was written\n$/);
    expect(existsSync(join(dir, "overflow/ov.weights.json"))).toBe(false);
  });
});

describe("--patience, --restore-best and the best epoch", () => {
  it("--patience N stops once the validation loss has not improved for N epochs", async () => {
    const r = await run("train", "examples/iris.net", "--data", "iris", "--patience", "5", "--out", "@patience");
    expect(r.code).toBe(0);
    const m = /^stopped early at epoch (\d+) in [\d.]+s \(no better validation loss for 5 epochs\):$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const w = weights("patience/iris.weights.json");
    expect(w.metrics!.epochs).toBe(Number(m![1]));
    expect(w.metrics!.epochs).toBeLessThan(200);
    expect(w.metrics!.best!.epoch).toBe(w.metrics!.epochs - 5);
    expect(r.stdout).toMatch(new RegExp(`^ {2}best epoch ${w.metrics!.best!.epoch}: validation loss \\d\\.\\d{4} {2}accuracy [\\d.]+%$`, "m"));
    // The run was planned to epoch 200: a resume without --epochs continues towards it.
    const more = await run("train", "examples/iris.net", "--data", "iris", "--resume", "@patience/iris.weights.json", "--patience", "2", "--out", "@patience2");
    expect(more.stdout).toContain(`note: continuing to epoch 200, where the saved run was to end (--epochs N trains N more instead)`);
  });

  it("--restore-best ends with the best epoch's weights, the same as M.best.weights.json", async () => {
    const plain = await run("train", "examples/iris.net", "--data", "iris", "--epochs", "80", "--out", "@last");
    const best = await run("train", "examples/iris.net", "--data", "iris", "--epochs", "80", "--restore-best", "--out", "@best");
    expect(plain.code).toBe(0);
    expect(best.code).toBe(0);
    const last = weights("last/iris.weights.json");
    const restored = weights("best/iris.weights.json");
    const bestEpoch = last.metrics!.best!.epoch;
    expect(bestEpoch).toBeLessThan(80);
    expect(best.stdout).toContain(`best epoch ${bestEpoch}: validation loss`);
    expect(best.stdout).toContain("(restored: --restore-best)");
    expect(restored.metrics!.epochs).toBe(bestEpoch);
    expect(restored.tensors).toEqual(weights("last/iris.best.weights.json").tensors);
    expect(restored.tensors).not.toEqual(last.tensors);
  });
});

describe("--resume continues the saved run", () => {
  const stepNet = exampleSource("xor").replace("optimizer sgd(lr: 1.0)", "optimizer momentum(lr: 1.0); schedule step(every: 2, gamma: 0.5)");

  it("restores lr, batch, seed and validation from the file, says so, and counts epochs on", async () => {
    const net = file("step.net", stepNet);
    expect((await run("train", net, "--data", "xor", "--lr", "0.3", "--batch", "8", "--seed", "3", "--val", "0.25", "--epochs", "4", "--out", "@r1")).code).toBe(0);
    const r = await run("train", net, "--data", "xor", "--resume", "@r1/xor.weights.json", "--epochs", "3", "--out", "@r2");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^training model xor .*: 150 rows \+ 50 for validation, momentum lr 0\.3, schedule step\(every 2, gamma 0\.5\), batch 8, 3 epochs \(5 to 7\), seed 3, resuming from .*r1\/xor\.weights\.json at epoch 4$/m);
    for (const note of ["lr 0.3 as in the saved run (the .net file says 1; --lr overrides)", "batch 8 as in the saved run (the .net file says 4; --batch overrides)", "seed 3 as in the saved run (the .net file says 7; --seed overrides)"]) {
      expect(r.stdout).toContain(`  note: ${note}`);
    }
    expect(r.stdout).toMatch(/^epoch 5\/7 {2}loss/m);
    expect(r.stdout).toMatch(/^epoch 7\/7 {2}loss/m);
    const w = weights("r2/xor.weights.json");
    expect(w.metrics!.epochs).toBe(7);
    expect(w.training).toMatchObject({ epochs: 7, lr: 0.3, batch: 8, seed: 3, validation: 0.25 });
    const over = await run("train", net, "--data", "xor", "--resume", "@r1/xor.weights.json", "--lr", "0.1", "--epochs", "1", "--out", "@r3");
    expect(over.stdout).toContain("  note: --lr 0.1 replaces the saved run's 0.3");
    expect(over.stdout).toContain("momentum lr 0.1");
  });

  it("continues bit for bit: 3 + 3 resumed epochs equal 6 epochs in one run (schedule and momentum included)", async () => {
    const net = file("step2.net", stepNet);
    const flags = ["--data", "xor", "--lr", "0.3", "--seed", "5"];
    expect((await run("train", net, ...flags, "--epochs", "6", "--out", "@whole")).code).toBe(0);
    expect((await run("train", net, ...flags, "--epochs", "3", "--out", "@half")).code).toBe(0);
    expect((await run("train", net, "--data", "xor", "--resume", "@half/xor.weights.json", "--epochs", "3", "--out", "@half")).code).toBe(0);
    const whole = weights("whole/xor.weights.json");
    const resumed = weights("half/xor.weights.json");
    expect(resumed.tensors).toEqual(whole.tensors);
    expect(resumed.state).toEqual(whole.state);
    expect(resumed.metrics!.train).toEqual(whole.metrics!.train);
  });

  it("refuses to finish a run that already ended, unless --epochs asks for more", async () => {
    const r = await run("train", "@step.net", "--data", "xor", "--resume", "@r1/xor.weights.json", "--out", "@r4");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/r1\/xor\.weights\.json: the saved run already reached its last epoch \(4\); give --epochs N to train N more\n$/);
  });

  it("a changed optimizer is an error unless --reset-optimizer is given", async () => {
    const adam = file("adam.net", exampleSource("xor").replace("optimizer sgd(lr: 1.0)", "optimizer adam(lr: 0.01)"));
    const r = await run("train", adam, "--data", "xor", "--resume", "@r1/xor.weights.json", "--epochs", "2", "--out", "@r5");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/r1\/xor\.weights\.json: the saved run used optimizer momentum, but the \.net file now says adam; momentum's state cannot carry over \(pass --reset-optimizer to continue from the weights with a fresh adam\)/);
    const reset = await run("train", adam, "--data", "xor", "--resume", "@r1/xor.weights.json", "--epochs", "2", "--reset-optimizer", "--out", "@r5");
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("  note: --reset-optimizer: adam starts with fresh state; the saved momentum state is dropped");
    expect(reset.stdout).toContain("adam lr 0.01");
    expect(reset.stdout).toMatch(/^epoch 6\/6/m);
  });
});
