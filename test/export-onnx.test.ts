// ONNX export: the exported graph, run by onnxruntime-web (WebAssembly, in Node), predicts what
// netc's standalone predictor predicts, within 1e-5 in float32, for every example and for a
// model using every op an inference graph can contain. Ops without an ONNX form are refused
// with a diagnostic at their `.net` line.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-web";
import { afterAll, describe, expect, it } from "vitest";
import { emitPredictor } from "../compiler/emit/predictor.js";
import { Builder } from "../compiler/ir/builder.js";
import { compileToGraph, NetcError } from "../compiler/index.js";
import { importJavaScript, toJavaScript } from "../cli/load.js";
import { exportOnnx } from "../export/onnx/index.js";
import { decodeModel } from "../export/onnx/proto.js";
import { EXAMPLES, exampleSource, ROOT } from "./support/helpers.js";
import { trained, type Trained } from "./export-support.js";
import { serializeWeights } from "../data/weights.js";
import { netcInProcess } from "./cli/run.js";

ort.env.wasm.numThreads = 1;

// Every op that can sit between the input and the prediction.
const EVERY_OP = `block mix(x, n) {
  a = gelu(dense(x, n))
  b = elu(dense(x, n), 0.5) + leaky_relu(dense(x, n), 0.1)
  return concat(a, b)
}
model everyop {
  input x[4]
  target y: class(3)
  param W[4, 6] = uniform(-1, 1)
  h = mix(x, 3)
  s = softplus(h) - swish(h) * clip(h, -0.5, 0.5) + pow(abs(h), 1.5) + sqrt(square(h) + 1) - mish(h)
  n = batchnorm(s)
  m = layernorm(tanh(x @ W) + n, 1e-3)
  d = dropout(max(m, 0.1) - min(m, -0.2) / exp(-relu(m)), 0.3)
  e = exp(log_softmax(d)) + log(sigmoid(d)) - mean(d)
  p = softmax(dense(e, 3))
  output p
  loss cross_entropy(p, y)
  train { optimizer adam(lr: 0.01); batch 8 }
}`;

const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function runOnnx(bytes: Uint8Array, inputName: string, x: Float32Array, width: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ [inputName]: new ort.Tensor("float32", x, [x.length / width, width]) });
  return result[session.outputNames[0]!]!.data as Float32Array;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(tol);
}

// Rows of several dimensions: dense, layernorm and softmax on every position of a sequence.
const SEQUENCE = `model sequence {
  input s[4, 3]
  target y[2]
  param P[4, 3] = normal(0, 0.5)
  h = layernorm(tanh(dense(s + P, 5)))
  p = dense(flatten(softmax(h) * h), 2)
  output p
  loss mse
  train { batch 8 }
}`;

// The sequence layers: embedding, the three recurrent layers (ONNX's LSTM, GRU and RNN),
// attention causal and not, a class per position.
const TOKENS = `model tokens {
  input s[5]: index(7)
  target y[5]: class(3)
  e = embedding(s, 4)
  h = lstm(e, 4) + rnn(e, 4)
  g = gru(h, 6)
  a = g + attention(g, heads: 2, causal: true) + attention(layernorm(g), heads: 3)
  p = softmax(dense(a, 3))
  output p
  loss cross_entropy
  train { optimizer adam(lr: 0.01); batch 8 }
}`;

// The 20-layer deep examples take long to compile and add no op that EVERY_OP lacks.
const EXPORTED = EXAMPLES.filter((n) => !n.startsWith("deep"));
const CASES: [string, string][] = [
  ...EXPORTED.map((name): [string, string] => [name, exampleSource(name)]),
  ["everyop", EVERY_OP],
  ["rows", SEQUENCE],
  ["tokens", TOKENS],
];

const cache = new Map<string, Promise<Trained>>();
const trainedOnce = (name: string, source: string) => {
  if (!cache.has(name)) cache.set(name, trained(source, `${name}.net`));
  return cache.get(name)!;
};
const valuesOf = (t: Trained) => new Map(t.weights.tensors.map((w) => [w.name, w.data]));

describe.each(CASES)("ONNX export of %s", (name, source) => {
  // The trainer's predict is the standalone predictor bit for bit (test/predictor.test.ts);
  // the CLI test below compares with a predictor file itself.
  it("runs in onnxruntime-web and matches netc's predictor within 1e-5", async () => {
    const t = await trainedOnce(name, source);
    const { model } = t.compiled;
    const bytes = exportOnnx({ model, weights: valuesOf(t), file: `${name}.net`, source });
    // Both get the same float32-rounded inputs, so only the arithmetic differs.
    const x32 = Float32Array.from(t.x);
    const expected = t.trainer.predict(Float64Array.from(x32), t.rows).slice();
    expectClose(await runOnnx(bytes, model.input.name, x32, model.input.width), expected, 1e-5);
  }, 60_000);
});

describe("ONNX model", () => {
  it("is opset 17 with named float32 input, output and initializers, BatchNormalization for batchnorm, dropout as the identity", async () => {
    const t = await trainedOnce("everyop", EVERY_OP);
    const { compiled, weights } = t;
    const decoded = decodeModel(exportOnnx({ model: compiled.model, weights: valuesOf(t), file: "everyop.net", source: EVERY_OP, labels: ["a", "b", "c"] }));
    expect(decoded.opset_import).toEqual([{ domain: "", version: 17 }]);
    expect(decoded.doc_string).toContain("Generated by netc");
    expect(decoded.graph.input.map((i) => i.name)).toEqual(["x"]);
    expect(decoded.graph.output.map((o) => o.name)).toEqual([compiled.model.output.name]);
    expect(decoded.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_param: "B" }, { dim_value: 4 }]);
    const init = new Set(decoded.graph.initializer.map((t) => t.name));
    for (const t of weights.tensors) expect(init.has(t.name)).toBe(true);
    const ops = decoded.graph.node.map((n) => n.op_type);
    expect(ops.filter((o) => o === "BatchNormalization")).toHaveLength(1);
    expect(ops.filter((o) => o === "Identity")).toHaveLength(1); // the dropout
    expect(decoded.metadata_props).toContainEqual({ key: "netc.labels", value: '["a","b","c"]' });
  });

  it("refuses an op it has no ONNX form for, naming the op and its .net position", () => {
    const source = exampleSource("xor");
    const { model } = compileToGraph(source, { file: "xor.net" });
    // huber (a loss term, never part of an inference graph) stands in for any op without a mapping.
    const b = new Builder();
    const x = b.input("x", ["B", 2]);
    b.origin = { span: { line: 7, col: 5, start: 0, end: 4 }, grad: false };
    const predict = b.node("sigmoid", [b.node("huber", [x], { delta: 1 })]);
    const forward = b.graph(new Map([["predict", predict], ["loss", b.sumAll(predict)]]));
    let error: unknown;
    try {
      exportOnnx({ model: { ...model, forward, output: { name: "p", width: 2, shape: [2] } }, weights: new Map(), file: "xor.net", source });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NetcError);
    expect((error as Error).message).toMatch(/^xor\.net:7:5: error: cannot export to ONNX: netc op 'huber' has no ONNX equivalent/);
  });

  it("refuses a prediction that reads the target, which inference does not have", () => {
    const source = `model peek {\n  input x[2]\n  target y[2]\n  p = sigmoid(dense(x, 2)) + y\n  output p\n  loss mse(p, y)\n}`;
    const { model } = compileToGraph(source, { file: "peek.net" });
    const weights = new Map(model.params.map((p) => [p.name, new Float64Array(p.shape.reduce((a, b) => a * b, 1))]));
    expect(() => exportOnnx({ model, weights, file: "peek.net", source })).toThrow(/^peek\.net:3:3: error: cannot export to ONNX: netc op 'input'.*target 'y'/);
  });
});

describe("netc export --format onnx", () => {
  it("writes a model file from a weights file that onnxruntime-web runs like the standalone predictor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-onnx-"));
    temp.push(dir);
    const source = exampleSource("iris");
    const t = await trainedOnce("iris", source);
    const weightsPath = join(dir, "iris.weights.json");
    writeFileSync(weightsPath, serializeWeights(t.weights));
    const out = join(dir, "iris.onnx");
    const stderr = execFileSync(process.execPath, [join(ROOT, "bin/netc.mjs"), "export", "examples/iris.net", "--weights", weightsPath, "--format", "onnx", "-o", out], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(stderr).toBe("");
    const ts = await emitPredictor({ model: t.compiled.model, evalGraph: t.compiled.evalGraph, source, file: "examples/iris.net", weights: Object.fromEntries(valuesOf(t)) });
    const predictor = await importJavaScript<{ predictBatch(x: Float64Array, n: number): Float64Array }>(toJavaScript(ts));
    const x = Float32Array.from([5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 5.9, 3.0, 4.2, 1.5]);
    expectClose(await runOnnx(readFileSync(out), "x", x, 4), predictor.predictBatch(Float64Array.from(x), 3), 1e-5);
  }, 60_000);

  it("applies the standardization of weights trained with --normalize, as the predictor does; the PyTorch export refuses them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-onnx-norm-"));
    temp.push(dir);
    // In this process (the real binary is run by the tests above): four commands, one model.
    const netc = (...args: string[]) => netcInProcess(args);
    expect((await netc("train", "examples/iris.net", "--data", "iris", "--epochs", "5", "--normalize", "--out", dir)).status).toBe(0);
    const weightsPath = join(dir, "iris.weights.json");
    const out = join(dir, "iris.onnx");
    expect((await netc("export", "examples/iris.net", "--weights", weightsPath, "--format", "onnx", "-o", out)).status).toBe(0);
    const predictorPath = join(dir, "p.js");
    expect((await netc("predictor", "examples/iris.net", "--weights", weightsPath, "-o", predictorPath)).status).toBe(0);
    const predictor = (await import(predictorPath)) as { predictBatch(x: Float64Array, n: number): Float64Array };
    const x = Float32Array.from([5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 5.9, 3.0, 4.2, 1.5]);
    expectClose(await runOnnx(readFileSync(out), "x", x, 4), predictor.predictBatch(Float64Array.from(x), 3), 1e-5);
    const torch = await netc("export", "examples/iris.net", "--weights", weightsPath, "--format", "torch", "-o", join(dir, "iris.py"));
    expect([torch.status, torch.stderr]).toEqual([1, `netc export: ${weightsPath}: these weights were trained on standardized inputs (netc train --normalize), which the PyTorch export does not reproduce yet; export them to ONNX, or train without --normalize\n`]);
  }, 120_000);

  it("says what is wrong with a bad command line or a file it must not overwrite, and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-onnx-bad-"));
    temp.push(dir);
    const mine = join(dir, "mine.onnx");
    writeFileSync(mine, "my own file");
    // In this process: the first test above runs the real binary.
    const run = (...args: string[]) => netcInProcess(["export", "examples/xor.net", ...args]);
    const bad = await run("--format", "tflite");
    expect([bad.status, bad.stderr.trim()]).toEqual([2, "netc export: --format must be onnx or torch, got 'tflite'"]);
    const noWeights = await run("--format", "onnx", "-o", mine);
    expect(noWeights.status).toBe(2);
    expect(noWeights.stderr).toMatch(/^netc export: --weights is required \(ONNX holds the trained weights\)\nusage: netc export MODEL\.net --format onnx\|torch/);
    const clobber = await run("--format", "torch", "-o", mine);
    expect([clobber.status, clobber.stderr.trim()]).toEqual([1, `netc export: ${mine}: exists and was not written by netc; not overwriting it (use --force to replace it)`]);
    expect(readFileSync(mine, "utf8")).toBe("my own file");
  }, 60_000);
});
