// W6 (the digits CNN) and W7 (an LSTM): their seeded initial parameters, named and laid out as
// netc names them (PyTorch's layouts: conv W [F, C, k, k]; LSTM W_ih [in, 4n] and W_hh [n, 4n],
// the transposes of PyTorch's, gate order i, f, g, o), and their batches. Every engine starts
// from these numbers; the MLP workloads keep bench/shared.ts's dense layers.
import { readFileSync } from "node:fs";
import { DIGITS_CSV } from "../data/bundled-data.js";
import { initialLayers, makeBatches, netcWeights, rng, type Batch, type Workload } from "./shared.js";

export interface Tensor {
  shape: number[];
  data: Float64Array;
}
/** Parameters by netc's names ("c1.W", "s.W_ih", "layer1.W", …). */
export type Params = Record<string, Tensor>;

/** W6's layers: conv 1→12 and 12→24 (3×3, padding 1), each relu + 2×2 max pooling, dense 96→48 relu, dense 48→10. */
export const CNN = { image: 8, k: 3, filters: [12, 24], hidden: 48, classes: 10 } as const;
/** W7: 16 steps of 8 features, hidden width 64, 10 classes. */
export const LSTM = { T: 16, F: 8, n: 64, classes: 10 } as const;

function uniform(r: () => number, count: number, limit: number): Float64Array {
  return Float64Array.from({ length: count }, () => (2 * r() - 1) * limit);
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function initialParams(w: Workload, seed = 1): Params {
  if (!w.model) return netcWeights(initialLayers(w, seed));
  const r = rng(seed * 7919 + (w.model === "cnn" ? 6 : 7));
  const out: Params = {};
  // Xavier-uniform weights and small nonzero biases (so bias handling is checked too).
  const add = (name: string, shape: number[], fanIn: number, fanOut: number, biases: number) => {
    out[`${name}.W`] = { shape, data: uniform(r, size(shape), Math.sqrt(6 / (fanIn + fanOut))) };
    out[`${name}.b`] = { shape: [biases], data: uniform(r, biases, 0.1) };
  };
  if (w.model === "cnn") {
    const [f1, f2] = CNN.filters, k2 = CNN.k * CNN.k;
    add("c1", [f1, 1, CNN.k, CNN.k], k2, f1 * k2, f1);
    add("c2", [f2, f1, CNN.k, CNN.k], f1 * k2, f2 * k2, f2);
    const flat = f2 * (CNN.image / 4) ** 2;
    add("h", [flat, CNN.hidden], flat, CNN.hidden, CNN.hidden);
    add("p", [CNN.hidden, CNN.classes], CNN.hidden, CNN.classes, CNN.classes);
    return out;
  }
  // PyTorch's LSTM init: every weight and bias uniform in ±1/√n.
  const { F, n, classes } = LSTM, limit = 1 / Math.sqrt(n);
  out["s.W_ih"] = { shape: [F, 4 * n], data: uniform(r, F * 4 * n, limit) };
  out["s.W_hh"] = { shape: [n, 4 * n], data: uniform(r, n * 4 * n, limit) };
  out["s.b_ih"] = { shape: [4 * n], data: uniform(r, 4 * n, limit) };
  out["s.b_hh"] = { shape: [4 * n], data: uniform(r, 4 * n, limit) };
  out["p.W"] = { shape: [n, classes], data: uniform(r, n * classes, Math.sqrt(6 / (n + classes))) };
  out["p.b"] = { shape: [classes], data: uniform(r, classes, 0.1) };
  return out;
}

/** A copy every engine can keep and update without touching the shared numbers. */
export const copyParams = (p: Params): Params =>
  Object.fromEntries(Object.entries(p).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));

/** W6: rows of the bundled digits in a seeded order, pixels / 16, one-hot labels. W7 and the MLPs: seeded synthetic data. */
export function workloadBatches(w: Workload, count: number, seed = 2): Batch[] {
  if (w.model !== "cnn") return makeBatches(w, count, seed);
  const rows = readFileSync(DIGITS_CSV, "utf8").trim().split("\n").slice(1).map((line) => line.split(",").map(Number));
  const r = rng(seed * 104729 + 64);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const pixels = CNN.image * CNN.image, K = CNN.classes;
  return Array.from({ length: count }, (_, b) => {
    const n = w.batch;
    const x = new Float64Array(n * pixels), y = new Float64Array(n * K), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = rows[(b * n + i) % rows.length]!;
      for (let p = 0; p < pixels; p++) x[i * pixels + p] = row[p]! / 16;
      labels[i] = row[pixels]!;
      y[i * K + row[pixels]!] = 1;
    }
    return { x, y, labels, n };
  });
}
