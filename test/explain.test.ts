// Explain: the generated inputGradients against central finite differences of the same output,
// integrated gradients' completeness, and `netc explain` end to end through bin/netc.mjs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { integratedGradients, type Target } from "../cli/attribution.js";
import { main } from "../cli/main.js";
import type { Model } from "../cli/generated-types.js";
import { modelStructure, serializeWeights, structureHash, WEIGHTS_FORMAT, WEIGHTS_VERSION, type WeightsFile } from "../data/weights.js";
import { couplesRows } from "../compiler/pipeline.js";
import { ALL_OPS, argmax, compileExample, compileSource, HOSTILE_NAMES, makeRng, randomArray, randomizeWeights, ROOT } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000 });

// Softmax classifiers, binary sigmoid classifiers, regression, batchnorm and dropout (evaluation
// mode), every op, and names that collide with the emitter's (an input called `n`).
interface Net {
  model: Model;
  classifier: "argmax" | "threshold" | null;
  /** The prediction of a row depends on the other rows (a mean over the batch): use one row. */
  coupled: boolean;
}
const NAMES = ["iris", "logistic", "regression", "xor", "deep", "lecture", "all-ops", "hostile-names"];
async function net(name: string): Promise<Net> {
  const { result, module } =
    name === "all-ops" ? await compileSource(ALL_OPS) : name === "hostile-names" ? await compileSource(HOSTILE_NAMES) : await compileExample(name);
  return { model: module.createModel({ seed: 5 }), classifier: result.model.classifier, coupled: couplesRows(result.explainGraph) };
}

/** The value inputGradients differentiates for row r: output k, or 1 − p for a binary classifier's class 0. */
function selected(model: Model, x: Float64Array, rows: number, r: number, output: number, sign: number): number {
  const v = model.predict(x, rows)[r * model.info.output.width + output]!;
  return sign === 1 ? v : 1 - v;
}

describe("inputGradients", () => {
  it("knows which models mix the rows of a batch", async () => {
    expect((await net("iris")).coupled).toBe(false);
    expect((await net("deep")).coupled).toBe(false); // batchnorm in evaluation mode uses running statistics
    expect((await net("all-ops")).coupled).toBe(true); // mean(x @ W) is over the batch
  });

  it.each(NAMES)("%s: equals central finite differences of the same output", async (name) => {
    const { model, classifier, coupled } = await net(name);
    const rng = makeRng(11);
    randomizeWeights(model, rng, -0.8, 0.8);
    const { input, output, maxBatch } = model.info;
    const rows = coupled ? 1 : Math.min(3, maxBatch);
    const x = randomArray(rng, rows * input.width, -1.5, 1.5);
    const p = model.predict(x, rows).slice();
    // The default output (when there is one), then every output index.
    const hasDefault = classifier !== null || output.width === 1;
    for (const which of [...(hasDefault ? [undefined] : []), ...Array.from({ length: output.width }, (_, k) => k)]) {
      const grad = model.inputGradients(x, rows, which).slice();
      for (let r = 0; r < rows; r++) {
        const k = which ?? (classifier === "argmax" ? argmax(p, r * output.width, output.width) : 0);
        const sign = which === undefined && classifier === "threshold" && p[r]! < 0.5 ? -1 : 1;
        for (let i = 0; i < input.width; i++) {
          const h = 1e-6;
          const xp = x.slice(), xm = x.slice();
          xp[r * input.width + i]! += h;
          xm[r * input.width + i]! -= h;
          const fd = (selected(model, xp, rows, r, k, sign) - selected(model, xm, rows, r, k, sign)) / (2 * h);
          expect(Math.abs(grad[r * input.width + i]! - fd), `row ${r}, output ${which ?? "default"}, feature ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });
  it("rejects a bad output index, a bad row count and, for several regression outputs, a missing index", async () => {
    const iris = (await compileExample("iris")).module.createModel();
    const x = new Float64Array(8);
    expect(() => iris.inputGradients(x, 1, 3)).toThrow(/output must be an integer from 0 to 2, got 3/);
    expect(() => iris.inputGradients(x, 1, 0.5)).toThrow(RangeError);
    expect(() => iris.inputGradients(x, 3)).toThrow(/inputGradients: x holds 8 values, 3 rows need 12/);
    const multi = (await compileSource("model m { input x[2]\n target y[2]\n p = dense(x, 2)\n output p\n loss mse(p, y) }")).module.createModel();
    expect(() => multi.inputGradients(new Float64Array(2), 1)).toThrow(/has 2 outputs; pass the index/);
    expect(multi.inputGradients(new Float64Array(2), 1, 1).length).toBe(2);
  });

  it("allocates its result once: the same view for the same row count", async () => {
    const iris = (await compileExample("iris")).module.createModel();
    const x = new Float64Array(8).fill(0.3);
    expect(iris.inputGradients(x, 2)).toBe(iris.inputGradients(x, 2, 1));
  });
});

describe("integrated gradients", () => {
  it.each(NAMES)("%s: attributions sum to f(x) − f(0) within 1%% (32 steps)", async (name) => {
    const { model, coupled } = await net(name);
    const rng = makeRng(23);
    const width = model.info.input.width;
    for (let trial = 0; trial < 3; trial++) {
      const row = randomArray(rng, width, -1.5, 1.5);
      const t: Target = { output: trial % model.info.output.width, sign: 1 };
      const a = integratedGradients(model, row, t, 32, coupled ? 1 : 32);
      const total = a.values.reduce((s, v) => s + v, 0);
      const delta = a.fx - a.fBaseline;
      expect(Math.abs(total - delta), `trial ${trial}: Σ ${total} vs Δ ${delta}`).toBeLessThanOrEqual(0.01 * Math.abs(delta) + 1e-9);
    }
  });
});

describe("netc explain", () => {
  const dir = mkdtempSync(join(tmpdir(), "netc-explain-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const netc = (...argv: string[]) => spawnSync(process.execPath, ["bin/netc.mjs", "explain", ...argv], { cwd: ROOT, encoding: "utf8" });
  // In process through main, for speed; the real bin/netc.mjs runs in the first test.
  const explain = async (...argv: string[]) => {
    let stdout = "", stderr = "";
    const status = await main(["explain", ...argv], { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`) });
    return { status, stdout, stderr };
  };

  /** A weights file for iris.net with seeded random weights (training is not what is tested here). */
  const weightsFile = async () => {
    const { result, module } = await compileExample("iris");
    const model = module.createModel({ seed: 9 });
    const structure = modelStructure(result.model);
    const tensors = Object.entries(model.getWeights()).map(([name, t]) => ({ name, shape: t.shape, values: Array.from(t.data) }));
    const path = join(dir, "iris.weights.json");
    const file: WeightsFile = { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, generator: "Generated by netc (test)", model: "iris", structureHash: structureHash(structure), structure, labels: ["setosa", "versicolor", "virginica"], tensors, training: null, metrics: null, state: null };
    writeFileSync(path, serializeWeights(file));
    return { path, model };
  };

  it("prints the saliency as JSON, one number per CSV column, equal to inputGradients", async () => {
    const { path, model } = await weightsFile();
    const r = netc("examples/iris.net", "--weights", path, "--data", "examples/data/iris.csv", "--row", "120", "--class", "virginica", "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ row: 120, class: 2, label: "virginica", method: "gradient", features: ["sepal_length", "sepal_width", "petal_length", "petal_width"] });
    const csvRow = readFileSync(join(ROOT, "examples/data/iris.csv"), "utf8").trim().split("\n")[121]!.split(",").slice(0, 4).map(Number);
    const expected = model.inputGradients(Float64Array.from(csvRow), 1, 2);
    json.saliency.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it("integrated gradients print the completeness check and draw a ranked bar chart", async () => {
    const { path } = await weightsFile();
    const svg = join(dir, "ig.svg");
    const r = await explain("examples/iris.net", "--weights", path, "--data", "iris", "--row", "7", "--method", "integrated", "--steps", "64", "-o", svg);
    expect(r.status).toBe(0);
    const m = /completeness: sum of attributions (\S+) vs f\(x\) - f\(0\) (\S+) \((\S+)% apart/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![3])).toBeLessThan(1);
    const text = readFileSync(svg, "utf8");
    expect(text).toContain("Generated by netc");
    for (const column of ["sepal_length", "sepal_width", "petal_length", "petal_width"]) expect(text).toContain(column);
  });

  it("reports bad options with a message and a non-zero exit", async () => {
    const { path } = await weightsFile();
    const cases: [string[], RegExp][] = [
      [["--class", "tulip"], /--class must be an index from 0 to 2 or one of setosa, versicolor, virginica, got 'tulip'/],
      [["--row", "150"], /--row 150 is out of range \(the data has 150 rows, numbered from 0\)/],
      [["--method", "shap"], /--method must be gradient or integrated, got 'shap'/],
      [["--steps", "0"], /--steps must be an integer from 1 to 100000/],
    ];
    for (const [extra, message] of cases) {
      const r = await explain("examples/iris.net", "--weights", path, "--data", "iris", ...extra);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
  });
});
