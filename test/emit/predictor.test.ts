// The standalone predictor: the trainer's predict, bit for bit, in one import-free file that
// runs under plain node on its own (JavaScript) and type-checks on its own (TypeScript).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { compile } from "../../compiler/index.js";
import { emitPredictor } from "../../compiler/emit/predictor.js";
import { BUNDLED_DATA } from "../../data/bundled-data.js";
import { encodeTable } from "../../data/dataset.js";
import type { Model } from "../../cli/generated-types.js";
import { importJavaScript, toJavaScript } from "../../cli/load.js";
import { loadModule } from "../support/helpers.js";
import { typecheck } from "../support/typecheck.js";
import { trainModel } from "../../cli/train-loop.js";

vi.setConfig({ testTimeout: 60_000 });

const ROWS = 150; // more than the predictor's compiled maximum batch, so predictBatch chunks
const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Built {
  trainer: Model;
  ts: string;
  predictor: Record<string, any>;
  x: Float64Array;
}

const cache = new Map<string, Promise<Built>>();

/** Models built here rather than read from examples/. */
const INLINE: Record<string, string> = {
  // deep.net's layers in small: running statistics among the predictor's tensors.
  "small-batchnorm": `model sb {
  input x[4]
  target y: class(3)
  layers { dense 12 relu; batchnorm; dropout 0.2; dense 8 relu; batchnorm; dense 3 softmax }
  loss cross_entropy
  train { optimizer adam(lr: 0.01); batch 16 }
}`,
};

/** Where the trainer's and the predictor's kernels run, and their element type. */
interface Variant {
  backend: "js" | "wasm";
  precision: "f64" | "f32";
}
const JS: Variant = { backend: "js", precision: "f64" };

/** Compiles an example, trains it briefly (iris), and emits and loads its predictor; memoized. */
function build(name: string, labels: string[] | null = null, epochs = 3, variant = JS): Promise<Built> {
  const key = JSON.stringify([name, labels, epochs, variant]);
  if (!cache.has(key)) cache.set(key, buildUncached(name, labels, epochs, variant));
  return cache.get(key)!;
}

async function buildUncached(name: string, labels: string[] | null, epochs: number, variant: Variant): Promise<Built> {
  const file = name in INLINE ? `${name}.net` : `examples/${name}.net`;
  const source = INLINE[name] ?? readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
  const compiled = await compile(source, { file, maxBatch: ROWS, format: false, ...variant });
  const trainer = (await loadModule(compiled.code)).createModel();
  const w = compiled.model.input.width;
  const ids = compiled.model.input.index;
  const x = Float64Array.from({ length: ROWS * w }, (_, i) => (ids ? (i * 7) % ids : Math.sin(i * 0.7) * 3));
  if (name === "iris") {
    const data = encodeTable(BUNDLED_DATA.iris!.load(0), compiled.model);
    await trainModel(trainer, compiled.model, data, null, { epochs, batch: 16 });
  }
  if (name === "small-batchnorm") {
    // A few steps, so the running statistics are not their initial zeros and ones.
    const y = Float64Array.from({ length: 16 }, (_, i) => i % 3);
    for (let step = 0; step < 3; step++) trainer.trainStep(x.subarray(step * 16 * w, (step + 1) * 16 * w), y, 16);
  }
  const weights = Object.fromEntries(Object.entries(trainer.getWeights()).map(([k, t]) => [k, t.data]));
  const ts = await emitPredictor({ model: compiled.model, evalGraph: compiled.evalGraph, source, file, weights, labels, backend: variant.backend });
  return { trainer, ts, predictor: await importJavaScript(toJavaScript(ts)), x };
}

const bytes = (a: Float64Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

const WASM_F64: Variant = { backend: "wasm", precision: "f64" };
const WASM_F32: Variant = { backend: "wasm", precision: "f32" };
const VARIANTS: [string, Variant][] = [
  ...["iris", "lecture", "logistic", "regression", "xor", "deep", "digits", "sequence", "transformer"].map((name): [string, Variant] => [name, JS]),
  // The wasm backend's predictor against its own trainer (the same kernels, planned apart).
  ["iris", WASM_F64],
  ["small-batchnorm", WASM_F64],
  ["iris", WASM_F32],
  // A GRU: its step products are wasm calls inside the predictor's JavaScript time loop.
  ["sequence", WASM_F64],
  ["sequence", WASM_F32],
  // Convolutions (fused with bias and relu) and max pooling in wasm.
  ["digits", WASM_F64],
  ["digits", WASM_F32],
];

describe.each(VARIANTS)("predictor for %s (%o)", (name, variant) => {
  it("equals the trainer's predict bit for bit, one sample at a time and in chunked batches", async () => {
    const { trainer, predictor, x, ts } = await build(name, null, 3, variant);
    // A wasm predictor instantiates its kernels; a float32 one has no float64 array left.
    expect(ts.includes("= instantiateKernels(")).toBe(variant.backend === "wasm");
    expect(ts.includes("Float64Array")).toBe(variant.precision === "f64");
    const inW = predictor.inputWidth as number;
    const outW = predictor.outputWidth as number;
    const expected = trainer.predict(x, ROWS).slice();
    expect(bytes(predictor.predictBatch(x, ROWS))).toBe(bytes(expected));
    expect(bytes(predictor.predictBatch(x, 10))).toBe(bytes(expected.subarray(0, 10 * outW)));
    for (let r = 0; r < ROWS; r += 17) {
      expect(bytes(predictor.predict(Array.from(x.subarray(r * inW, (r + 1) * inW))))).toBe(bytes(expected.subarray(r * outW, (r + 1) * outW)));
    }
  });
});

describe("standalone predictor file", () => {
  it("has no imports, no backward or optimizer code, and weights as base64 rather than decimals", async () => {
    const { ts } = await build("iris", ["setosa", "versicolor", "virginica"]);
    expect(ts).not.toMatch(/^\s*import\b|\bimport\s*\(|\brequire\s*\(/m);
    expect(ts).not.toMatch(/trainStep|grad of|velocity|optimizer/);
    expect(ts).toMatch(/const WEIGHTS = "[A-Za-z0-9+/]+=*";/);
    expect(ts.length).toBeLessThan(20_000);
  });

  it("reuses its buffers: no allocation per call", async () => {
    const { predictor, x } = await build("iris");
    const one = predictor.predict([5.1, 3.5, 1.4, 0.2]);
    expect(predictor.predict([6.1, 2.5, 4.4, 1.2])).toBe(one);
    const batch = predictor.predictBatch(x, 20);
    expect(predictor.predictBatch(x, 20)).toBe(batch);
    const out = new Float64Array(ROWS * 3);
    expect(predictor.predictBatch(x, ROWS, out)).toBe(out);
    expect(() => predictor.predict([1, 2])).toThrow("predict: expected 4 input values, got 2");
  });

  it("in float32, refuses a finite double its arrays cannot hold (it would predict NaN), naming where it is", async () => {
    const { predictor } = await build("iris", null, 3, WASM_F32);
    expect(() => predictor.predict([5, 3, 1e39, 0.2])).toThrow("predict: input 2 is 1e+39; a float32 model holds values up to ±3.4028234663852886e+38");
    const x = new Float64Array(8).fill(1);
    x[5] = -4e38;
    expect(() => predictor.predictBatch(x, 2)).toThrow("predictBatch: x has -4e+38 at row 1, column 1 (counting from 0); a float32 model holds values up to ±3.4028234663852886e+38");
    x[5] = -3e38; // representable: no complaint about the input (whatever a float32 network makes of it)
    expect(() => predictor.predictBatch(x, 2)).not.toThrow();
    const f64 = (await build("iris")).predictor;
    expect(() => f64.predict([5, 3, 1e39, 0.2])).not.toThrow();
  });

  it("classifies with the label mapping, or by index without one", async () => {
    const named = await build("iris", ["setosa", "versicolor", "virginica"], 30);
    expect(named.predictor.labels).toEqual(["setosa", "versicolor", "virginica"]);
    expect(named.predictor.classify([5.1, 3.5, 1.4, 0.2])).toBe("setosa");
    expect(named.predictor.classify([7.7, 3.0, 6.1, 2.3])).toBe("virginica");
    const indexed = await build("xor");
    const p = indexed.predictor.predict([1, 0])[0];
    expect(indexed.predictor.classify([1, 0])).toBe(p >= 0.5 ? 1 : 0);
    expect((await build("regression")).predictor.classify).toBeUndefined();
  });

  it("runs under plain node, copied alone into an empty directory (JavaScript)", async () => {
    const { ts, trainer, x } = await build("iris", ["setosa", "versicolor", "virginica"]);
    const dir = mkdtempSync(join(tmpdir(), "netc-predictor-"));
    temp.push(dir);
    writeFileSync(join(dir, "predict.js"), toJavaScript(ts));
    expect(readdirSync(dir)).toEqual(["predict.js"]);
    const script = `const m = await import("./predict.js");
const x = Float64Array.from(${JSON.stringify(Array.from(x))});
const p = m.predictBatch(x, ${ROWS});
console.log(JSON.stringify({ hex: Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString("hex"), label: m.classify([5.1, 3.5, 1.4, 0.2]) }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const result = JSON.parse(run.stdout);
    expect(result.hex).toBe(bytes(trainer.predict(x, ROWS)));
    expect(["setosa", "versicolor", "virginica"]).toContain(result.label);
  });

  it("type-checks on its own under strict TypeScript, on both backends and in float32", async () => {
    const { ts } = await build("iris", ["setosa", "versicolor", "virginica"]);
    const wasm = (await build("iris", null, 3, WASM_F64)).ts;
    const f32 = (await build("iris", null, 3, WASM_F32)).ts;
    expect(typecheck(new Map([["predict", ts], ["wasm", wasm], ["f32", f32]]))).toBe("");
  });
});
