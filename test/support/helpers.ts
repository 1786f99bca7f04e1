// Shared test utilities: compile `.net` source and load the emitted module in-process (cached,
// so each distinct source compiles once per test run), the examples, and a seeded PRNG.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, type CompileOptions, type CompileResult } from "../../compiler/index.js";
import { loadGenerated } from "../../cli/load.js";
import type { GeneratedModule, Model } from "../../cli/generated-types.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Example names (`xor`, `iris`, ...), sorted, from examples/*.net. */
export const EXAMPLES: string[] = readdirSync(new URL("../../examples/", import.meta.url))
  .filter((f) => f.endsWith(".net"))
  .map((f) => f.slice(0, -".net".length))
  .sort();

export function exampleSource(name: string): string {
  return readFileSync(new URL(`../../examples/${name}.net`, import.meta.url), "utf8");
}

// A model touching every op, loss kernel and optimizer state, beyond what the examples use.
export const ALL_OPS = `block twice(x, n) {
  h = tanh(dense(x, n))
  return h + dense(h, n)
}
model all {
  input x[5]
  target y: class(3)
  param W[5, 3] = uniform(-1, 1)
  param b[3]
  h = twice(x, 3) * sigmoid(x @ W + b) - exp(-relu(x @ W)) / (2 + mean(x @ W)) + sum(log(sigmoid(x @ W)))
  p = softmax(dense(h, 3))
  q = sigmoid(dense(h, 3))
  output p
  loss cross_entropy(p, y) + 0.1 * cross_entropy(q, y)
  train { optimizer momentum(lr: 0.1); batch 7 }
}`;

// Every name here is something the emitter also uses (function names, locals, the row count),
// so the name manager has to rename around each one.
/** Every sequence layer: embedding, the three recurrent layers, last, mean over positions, attention (causal and not), a class per position. */
export const SEQUENCE_LAYERS = `model tokens {
  input s[5]: index(6)
  target y[5]: class(3)
  e = embedding(s, 4)
  h = lstm(e, 4) + rnn(e, 4)
  g = gru(h, 4)
  v = last(h) + mean(h, axis: 0)
  a = g + attention(g, heads: 2, causal: true) + attention(g)
  z = dense(a, 3)
  output z
  loss cross_entropy_logits(z, y) + mean(v * v)
}`;

export const HOSTILE_NAMES = `block blk(x, n) {
  t = tanh(dense(x, n))
  return t + x
}
model predict {
  input n[3]
  target maxBatch: class(3)
  param seed[3, 4] = uniform(-1, 1)
  param step[4] = uniform(-1, 1)
  loss_ = n @ seed + step
  checkRows = tanh(loss_)
  buf0 = blk(checkRows, 4)
  params = sigmoid(dense(buf0, 4))
  info = params * buf0 - mean(params)
  options = softmax(dense(info, 3))
  output options
  loss cross_entropy(options, maxBatch)
  train { optimizer adam(lr: 0.01); batch 5 }
}`;

/** The backends gradient, training and no-allocation tests run on. */
export const BACKENDS = ["js", "wasm"] as const;

export interface Compiled {
  result: CompileResult;
  module: GeneratedModule;
}

const cache = new Map<string, Promise<Compiled>>();

/**
 * Compiles `source` and imports the generated module; identical (source, options) compile once.
 * The code is not run through prettier unless `format: true` is asked for: only tests that read
 * the text (golden files) need it, and formatting is most of a compile's time.
 */
export function compileSource(source: string, options: CompileOptions = {}): Promise<Compiled> {
  options = { format: false, ...options };
  const key = JSON.stringify([source, options]);
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const result = await compile(source, options);
      return { result, module: await loadModule(result.code) };
    })();
    cache.set(key, entry);
  }
  return entry;
}

/** Imports an emitted TypeScript module the way the CLI does (esbuild strips the types). */
export function loadModule(tsCode: string): Promise<GeneratedModule> {
  return loadGenerated(tsCode);
}

/** The compiled example with the file name the CLI would use (so headers match `netc compile`). */
export function compileExample(name: string, options: CompileOptions = {}): Promise<Compiled> {
  return compileSource(exampleSource(name), { file: `examples/${name}.net`, ...options });
}

/** mulberry32: a tiny seeded generator, so test data is the same on every run. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller). */
export function makeGaussian(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export function randomArray(rng: () => number, length: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** Sets every weight to seeded values in [lo, hi). */
export function randomizeWeights(model: Model, rng: () => number, lo = -1, hi = 1): void {
  const update: Record<string, { data: Float64Array }> = {};
  for (const p of model.info.params) {
    update[p.name] = { data: randomArray(rng, p.shape.reduce((a, b) => a * b, 1), lo, hi) };
  }
  model.setWeights(update);
}

/** Index of the largest of `width` values starting at `offset`. */
export function argmax(data: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (data[offset + j]! > data[offset + best]!) best = j;
  return best;
}
