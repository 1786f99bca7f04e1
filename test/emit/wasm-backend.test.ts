// The wasm backend against the JavaScript one on whole models: the same losses step by step
// (float64: the same sums, in the same order but for a convolution's channels), float32 loss curves close to float64, float32
// modules typed Float32Array throughout, and binaryen never loaded for a JavaScript compile.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { chooseBackend, compileToGraph } from "../../compiler/index.js";
import { ALL_OPS, compileExample, compileSource, EXAMPLES, exampleSource, HOSTILE_NAMES, makeRng, randomArray, ROOT } from "../support/helpers.js";
import type { Model } from "../../cli/generated-types.js";

vi.setConfig({ testTimeout: 60_000 }); // the first wasm compile loads binaryen

// Wide enough that every matmul has full register tiles, ragged panels and ragged row tiles.
const MLP = `model mlp {
  input x[37]
  target y: class(5)
  layers { dense 45 relu; dense 19 leaky_relu; dense 5 softmax }
  loss cross_entropy
  train { optimizer momentum(lr: 0.05); batch 13; seed 3 }
}`;

/** Losses of `steps` training steps on seeded data, from the model's own seeded weights. */
function lossCurve(model: Model, steps: number, seed: number): number[] {
  const { input, target } = model.info;
  const rng = makeRng(seed);
  const n = model.info.train.batch;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    // Ids for an index input; a class per row, or per position.
    const x = input.index ? Float64Array.from({ length: n * input.width }, () => Math.floor(rng() * input.index!)) : randomArray(rng, n * input.width, -2, 2);
    const y = target.classes !== null ? Float64Array.from({ length: n * target.width }, () => Math.floor(rng() * target.classes!)) : randomArray(rng, n * target.width, 0, 1);
    losses.push(model.trainStep(x, y, n));
  }
  return losses;
}

const withTrain = (train: string) => MLP.replace(/train \{[^}]*\}/, `train { ${train}; batch 13; seed 3 }`);

// Convolutions in wasm: padding 0 and 1, strides 1 to 3, several channels, filter counts that
// are not multiples of 4, bias + activation fused into the convolution (relu, leaky_relu) or not
// (tanh has no vector rule), max pooling in wasm (and average pooling in JavaScript).
const CONV_MODELS: [string, string][] = [
  ["conv2d: padding 1, stride 1 and 2", `model convs {
  input img[3, 7, 9]
  target y: class(4)
  c1 = maxpool2d(relu(conv2d(img, 5, kernel: 3, padding: 1)), 2)
  c2 = leaky_relu(conv2d(c1, 6, kernel: 2, stride: 2, padding: 1))
  p = softmax(dense(flatten(c2), 4))
  output p
  loss cross_entropy
  train { optimizer sgd(lr: 0.1); batch 5; seed 2 }
}`],
  ["conv2d: padding 0, stride 3, unfused activation", `model convs2 {
  input img[2, 11, 10]
  target y[3]
  c1 = tanh(conv2d(img, 7, kernel: 3, stride: 3))
  c2 = maxpool2d(conv2d(c1, 3, kernel: 2, padding: 1), 3)
  c3 = avgpool2d(relu(conv2d(img, 9, kernel: 4, stride: 2, padding: 2)), 2)
  p = dense(concat(flatten(c2), flatten(c3)), 3)
  output p
  loss mse
  train { optimizer adam(lr: 0.01); batch 4; seed 2 }
}`],
  // Two convolutions into one elementwise kernel: only the first is its epilogue's accumulator.
  ["two convolutions summed", `model convs3 {
  input img[2, 6, 5]
  target y[2]
  h = relu(conv2d(img, 5, kernel: 3, padding: 1) + conv2d(img, 5, kernel: 1))
  p = dense(flatten(maxpool2d(h, 2)), 2)
  output p
  loss mse
  train { batch 3 }
}`],
];

const MODELS: [string, string][] = [
  ["an MLP with ragged tiles", MLP],
  // Every optimizer's wasm update, with weight decay, clipping and a parameter's own rate.
  ["sgd, weight decay, param_lr", withTrain("optimizer sgd(lr: 0.1, weight_decay: 0.01); param_lr layer1, 0.02")],
  ["nesterov, clip_norm", withTrain("optimizer nesterov(lr: 0.1); clip_norm 0.5")],
  ["rmsprop", withTrain("optimizer rmsprop(lr: 0.01)")],
  ["adagrad", withTrain("optimizer adagrad(lr: 0.1)")],
  ["adamw, frozen layer", withTrain("optimizer adamw(lr: 0.01, weight_decay: 0.1); freeze layer2")],
  ["every op", ALL_OPS],
  ["the emitter's own names", HOSTILE_NAMES],
  // dense on every position of a sequence: its stack-of-rows matmuls run in wasm as B·T rows.
  ["dense on a sequence [T,d]", `model sequence {
  input s[4, 3]
  target y[2]
  h = tanh(dense(s, 5))
  p = dense(flatten(h), 2)
  output p
  loss mse
  train { batch 6 }
}`],
  ...CONV_MODELS,
  // deep.net (batchnorm, dropout: JavaScript kernels between wasm ones) is deep-plain.net's
  // architecture; it is left out only for time.
  ...EXAMPLES.filter((name) => name !== "deep").map((name): [string, string] => [`${name}.net`, exampleSource(name)]),
];

describe("wasm backend, float64: the same losses as JavaScript", () => {
  it.each(MODELS)("%s", async (_, source) => {
    const js = (await compileSource(source, { backend: "js", format: false })).module.createModel({ seed: 5 });
    const wasm = (await compileSource(source, { backend: "wasm", format: false })).module.createModel({ seed: 5 });
    const a = lossCurve(js, 12, 9), b = lossCurve(wasm, 12, 9);
    b.forEach((l, i) => expect(Math.abs(l - a[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(a[i]!)));
    const rows = Math.min(3, js.info.maxBatch);
    const ids = js.info.input.index;
    const x = ids ? Float64Array.from({ length: rows * js.info.input.width }, (_, i) => (i * 5) % ids) : randomArray(makeRng(4), rows * js.info.input.width);
    const p = js.predict(x, rows), q = wasm.predict(x, rows);
    expect(q.length).toBe(p.length);
    q.forEach((v, i) => expect(Math.abs(v - p[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(p[i]!))));
    // inputGradients runs its own graph over the same (wasm-backed) arrays.
    if (js.info.output.width === 1 || js.info.target.classes !== null) {
      const g = Float64Array.from(js.inputGradients(x, rows)), h = wasm.inputGradients(x, rows);
      h.forEach((v, i) => expect(Math.abs(v - g[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(g[i]!))));
    }
  });

  it.each(CONV_MODELS.map(([name, source], i): [string, string, number] => [name, source, [0, 1, 0][i]!]))("%s: every convolution and max pooling runs in wasm", async (_, source, derivatives) => {
    const { result } = await compileSource(source, { backend: "wasm", format: false });
    const convs = (source.match(/conv2d\(/g) ?? []).length, pools = (source.match(/maxpool2d\(/g) ?? []).length;
    // Each kernel once (training and evaluation share one plan here): every convolution, the input
    // derivative of each stride-1 convolution that does not read the image, every max pooling.
    const code = result.code;
    expect(new Set(code.match(/wasmKernels\.conv\d+_\d+/g)).size).toBe(convs + derivatives);
    expect(new Set(code.match(/wasmKernels\.maxpool\d+_\d+/g)).size).toBe(pools);
    expect(new Set(code.match(/wasmKernels\.maxpoolgrad\d+_\d+/g)).size).toBe(pools);
    // Every convolution's weight derivative (small planes, kernels up to 5×5).
    expect(new Set(code.match(/wasmKernels\.convw\d+_\d+/g)).size).toBe(convs);
    // Each model has a convolution whose bias and activation are its wasm kernel's epilogue.
    expect(code).toContain("// computed in wasm by the elementwise kernel it feeds");
  });

  it("the module embeds wasm and calls its kernels", async () => {
    const { result } = await compileSource(MLP, { backend: "wasm", format: false });
    expect(result.code).toMatch(/= instantiateKernels\("[A-Za-z0-9+/=]+"\);/);
    expect(result.code).toMatch(/wasmKernels\.k\d+\(n\)/);
    expect(result.code).not.toMatch(/^import /m);
  });
});

/** A recurrent layer with odd widths (ragged tiles and panels), read whole and at its last step. */
const recurrentModel = (layer: string, n: number) => `model seq {
  input x[6, 3]
  target y[2]
  h = ${layer}(x, ${n})
  p = dense(flatten(dense(h, 2)), 2) + dense(last(h), 2)
  output p
  loss mse
  train { optimizer sgd(lr: 0.1); batch 7; seed 2 }
}`;

describe("recurrent layers: their step products run in wasm", () => {
  it.each([["lstm", 5], ["gru", 5], ["rnn", 5], ["gru", 16]] as const)("%s, hidden %d: the same numbers as JavaScript, bit for bit", async (layer, n) => {
    const source = recurrentModel(layer, n);
    const js = (await compileSource(source, { backend: "js", format: false })).module.createModel({ seed: 5 });
    const { module, result } = await compileSource(source, { backend: "wasm", format: false });
    // Each time step calls a wasm product; the backward packs W_hhᵀ once per call first.
    expect(result.code).toMatch(/wasmKernels\.k\d+\(n, t\w*\);/);
    expect(result.code).toMatch(/wasmKernels\.k\d+p\(n, 0\);/);
    const wasm = module.createModel({ seed: 5 });
    const rng = makeRng(7);
    for (let step = 0; step < 4; step++) {
      const rows = step === 2 ? 3 : 7; // a batch smaller than the largest too
      const x = randomArray(rng, rows * 18, -2, 2), y = randomArray(rng, rows * 2);
      expect(wasm.trainStep(x, y, rows)).toBe(js.trainStep(x, y, rows));
    }
    const a = js.getWeights(), b = wasm.getWeights();
    for (const name of Object.keys(a)) expect(Array.from(b[name]!.data)).toEqual(Array.from(a[name]!.data));
    const x = randomArray(rng, 5 * 18);
    expect(Array.from(wasm.predict(x, 5))).toEqual(Array.from(js.predict(x, 5)));
  });

  it.each(["lstm", "gru", "rnn"])("%s in float32: the loss curve within 1e-4 of float64", async (layer) => {
    const source = recurrentModel(layer, 5);
    const f32 = (await compileSource(source, { backend: "wasm", precision: "f32", format: false })).module.createModel({ seed: 5 });
    const f64 = (await compileSource(source, { backend: "wasm", format: false })).module.createModel({ seed: 5 });
    f64.setWeights(Object.fromEntries(Object.entries(f32.getWeights()).map(([k, w]) => [k, { data: Float64Array.from(w.data) }])));
    const a = lossCurve(f64, 12, 9), b = lossCurve(f32, 12, 9);
    b.forEach((l, i) => expect(Math.abs(l - a[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(a[i]!)));
  });
});

describe("float32", () => {
  it.each(["js", "wasm"] as const)("%s: every array is a Float32Array and the curve is within 1e-4 of float64", async (backend) => {
    const f64 = (await compileSource(MLP, { backend, format: false })).module.createModel({ seed: 5 });
    const { module, result } = await compileSource(MLP, { backend, precision: "f32", format: false });
    expect(result.code).not.toContain("Float64Array");
    const f32 = module.createModel({ seed: 5 });
    // The same starting point: float64 weights rounded to float32.
    const weights = f32.getWeights();
    f64.setWeights(Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, { data: Float64Array.from(w.data) }])));
    expect(Object.values(weights)[0]!.data).toBeInstanceOf(Float32Array);
    const a = lossCurve(f64, 20, 9), b = lossCurve(f32, 20, 9);
    b.forEach((l, i) => expect(Math.abs(l - a[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(a[i]!)));
  });

  it.each(["js", "wasm"] as const)("%s: a step whose new weights overflow float32 (finite in float64) writes nothing", async (backend) => {
    const source = `model linear {
  input x[4]
  target y[2]
  param W[4, 2]
  p = x @ W
  output p
  loss mse(p, y)
  train { optimizer momentum(lr: 1e28); batch 3 }
}`;
    const { module } = await compileSource(source, { backend, precision: "f32", format: false });
    const model = module.createModel();
    // p ≈ 4e10, the gradient ≈ 1e11: lr · g ≈ 1e39 is finite as a double, Infinity as a float.
    model.setWeights({ W: { data: new Array(8).fill(1e10) } });
    const before = Array.from(model.getWeights().W!.data);
    // The module's arrays are Float32Array; its TypeScript types say Float64Array only in name.
    const x = new Float32Array(12).fill(1) as unknown as Float64Array, y = new Float32Array(6) as unknown as Float64Array;
    expect(model.trainStep(x, y, 3)).toBeNaN();
    expect(Array.from(model.getWeights().W!.data)).toEqual(before);
    expect(model.getState().step).toBe(0);
  });

  it.each(["js", "wasm"] as const)("%s: a float32 model refuses inputs and targets beyond ±3.4e38 (finite doubles it would hold as Infinity), naming where", async (backend) => {
    const { module } = await compileExample("iris", { backend, precision: "f32", format: false });
    const model = module.createModel();
    expect(model.info.precision).toBe("f32");
    const x = new Float64Array(8).fill(1);
    x[6] = 1e39;
    const y = new Float64Array([0, 1]);
    const limit = "a float32 model holds values up to ±3.4028234663852886e+38";
    expect(() => model.predict(x, 2)).toThrow(`predict: x has 1e+39 at row 1, column 2 (counting from 0); ${limit}`);
    expect(() => model.trainStep(x, y, 2)).toThrow(`trainStep: x has 1e+39 at row 1, column 2 (counting from 0); ${limit}`);
    expect(() => model.gradients(x, y, 2)).toThrow(`gradients: x has 1e+39 at row 1, column 2 (counting from 0); ${limit}`);
    expect(() => model.inputGradients(x, 2)).toThrow(`inputGradients: x has 1e+39 at row 1, column 2 (counting from 0); ${limit}`);
    expect(() => model.fit(x, y, 2, { epochs: 1 })).toThrow(`fit: x has 1e+39 at row 1, column 2 (counting from 0); ${limit}`);
    expect(model.getState().step).toBe(0);
    x[6] = 3e38; // representable: trains (to a huge loss) without a complaint about the input
    expect(() => model.predict(x, 2)).not.toThrow();
    const f64 = (await compileExample("iris", { backend, format: false })).module.createModel();
    expect(f64.info.precision).toBe("f64");
    x[6] = 1e39;
    expect(Array.from(f64.predict(x, 2)).every(Number.isFinite)).toBe(true);
  });

  it("'precision f32' in the train block", async () => {
    const { result } = await compileSource(MLP.replace("seed 3 }", "seed 3; precision f32 }"), { backend: "js", format: false });
    expect(result.model.train.precision).toBe("f32");
    expect(result.code).toContain("Float32Array");
  });
});

describe("choosing the backend", () => {
  it("auto: JavaScript for the small examples, wasm for an MNIST-sized MLP and an LSTM as large", async () => {
    expect(chooseBackend((await compileExample("xor", { format: false })).result.model)).toBe("js");
    const big = MLP.replace("input x[37]", "input x[784]").replace("dense 45", "dense 128");
    expect(chooseBackend((await compileSource(big, { format: false })).result.model)).toBe("wasm");
    // A recurrent layer's W_ih and W_hh count (their products run in wasm): 2·(64·256) weights here.
    const lstm = "model s {\n  input x[16, 64]\n  target y[2]\n  h = last(lstm(x, 64))\n  p = dense(h, 2)\n  output p\n  loss mse\n}";
    const ir = (source: string) => compileToGraph(source, { maxBatch: 1 }).model;
    expect(chooseBackend(ir(lstm))).toBe("wasm");
    expect(chooseBackend(ir(lstm.replace("lstm(x, 64)", "lstm(x, 8)")))).toBe("js");
    // So do convolution filters (64·8·3·3 = 4,608 here), not a small filter bank's.
    const cnn = "model c {\n  input img[8, 16, 16]\n  target y[2]\n  h = flatten(maxpool2d(relu(conv2d(img, 64, kernel: 3, padding: 1)), 8))\n  p = dense(h, 2)\n  output p\n  loss mse\n}";
    expect(chooseBackend(ir(cnn))).toBe("wasm");
    expect(chooseBackend(ir(cnn.replace("conv2d(img, 64,", "conv2d(img, 4,")))).toBe("js");
    expect(chooseBackend(ir(exampleSource("digits")))).toBe("wasm");
  });

  it("binaryen loads only through the wasm backend's dynamic import", () => {
    // Static imports (not `import type`) of binaryen or of compiler/backend/wasm from anywhere
    // else would load 15 MB for `netc check` and every JavaScript compile.
    const offenders: string[] = [];
    for (const dir of ["compiler", "cli", "grammar", "diagnostics", "data"]) {
      for (const file of readdirSync(join(ROOT, dir), { recursive: true }) as string[]) {
        if (!file.endsWith(".ts")) continue;
        const path = join(dir, file);
        const text = readFileSync(join(ROOT, path), "utf8");
        for (const m of text.matchAll(/^import (?!type )[^;]*?from "([^"]+)"/gms)) {
          const target = m[1]!;
          const intoWasm = target === "binaryen" || (!path.startsWith("compiler/backend/wasm/") && target.includes("backend/wasm/"));
          if (intoWasm) offenders.push(`${path}: ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
    expect(readFileSync(join(ROOT, "compiler/index.ts"), "utf8")).toContain('await import("./backend/wasm/index.js")');
  });
});
