// What every engine shares: the workloads, one set of seeded initial weights, and seeded
// synthetic data. Generated here once so that all engines start from identical numbers.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type Activation = "sigmoid" | "tanh" | "relu";
export type Head = "sigmoid-bce" | "softmax-ce";

export interface Workload {
  id: string;
  /** Layer widths, input first: [784, 128, 10] is 784 → 128 → 10. */
  sizes: number[];
  /** Activation of every hidden layer (the output layer's is the head's). */
  hidden: Activation;
  head: Head;
  batch: number;
  lr: number;
  /** W6/W7 are not MLPs: `sizes` is then [input width, classes] and bench/models.ts has the rest. */
  model?: "cnn" | "lstm";
  /** Multiply-adds of one sample's forward pass, for models whose work is not one per parameter. */
  forwardMacs?: number;
}

export const WORKLOADS: Workload[] = [
  { id: "W1", sizes: [2, 1], hidden: "sigmoid", head: "sigmoid-bce", batch: 4, lr: 0.5 },
  { id: "W2", sizes: [2, 8, 1], hidden: "tanh", head: "sigmoid-bce", batch: 4, lr: 0.5 },
  { id: "W3", sizes: [4, 16, 3], hidden: "relu", head: "softmax-ce", batch: 150, lr: 0.1 },
  { id: "W4", sizes: [784, 128, 10], hidden: "relu", head: "softmax-ce", batch: 64, lr: 0.05 },
  { id: "W5", sizes: [256, 256, 256, 256, 10], hidden: "relu", head: "softmax-ce", batch: 64, lr: 0.05 },
  { id: "W6", sizes: [64, 10], hidden: "relu", head: "softmax-ce", batch: 64, lr: 0.05, model: "cnn", forwardMacs: 12 * 9 * 64 + 24 * 12 * 9 * 16 + 96 * 48 + 48 * 10 },
  { id: "W7", sizes: [16 * 8, 10], hidden: "relu", head: "softmax-ce", batch: 32, lr: 0.1, model: "lstm", forwardMacs: 16 * (8 + 64) * 4 * 64 + 64 * 10 },
];

export function workload(id: string): Workload {
  const w = WORKLOADS.find((w) => w.id === id);
  if (!w) throw new Error(`unknown workload ${id}`);
  return w;
}

export const workloadFile = (id: string): string => fileURLToPath(new URL(`./workloads/${id}.net`, import.meta.url));
export const workloadSource = (id: string): string => readFileSync(workloadFile(id), "utf8");

export const paramCount = (w: Workload): number =>
  w.sizes.slice(1).reduce((n, out, l) => n + w.sizes[l]! * out + out, 0);
/** Training FLOP per sample ≈ 6 × parameters (2 forward, 4 backward per weight); for the
 *  convolution and the recurrence, whose weights are reused, 6 × the forward multiply-adds. */
export const flopPerSample = (w: Workload): number => 6 * (w.forwardMacs ?? paramCount(w));
/** FLOP a training step really executes per sample: 2 for the forward product and 2 for the
 *  weight gradient per weight, plus 2 for the input gradient except in the first layer. */
export const executedFlopPerSample = (w: Workload): number =>
  w.forwardMacs ? flopPerSample(w) : w.sizes.slice(1).reduce((n, out, l) => n + (l === 0 ? 4 : 6) * w.sizes[l]! * out, 0);
/** Output width: 1 for a sigmoid head, K classes for softmax. */
export const outWidth = (w: Workload): number => w.sizes[w.sizes.length - 1]!;

/** mulberry32: tiny, seedable, identical everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** A dense layer's weights: W is [in, out] row-major, named as netc's `layers` sugar names them. */
export interface Layer {
  W: Float64Array;
  b: Float64Array;
  inputs: number;
  outputs: number;
}

/** Xavier-uniform weights and small nonzero biases (so bias handling is checked too). */
export function initialLayers(w: Workload, seed = 1): Layer[] {
  const r = rng(seed * 7919 + w.sizes.length);
  return w.sizes.slice(1).map((outputs, l) => {
    const inputs = w.sizes[l]!;
    const a = Math.sqrt(6 / (inputs + outputs));
    const W = Float64Array.from({ length: inputs * outputs }, () => (2 * r() - 1) * a);
    const b = Float64Array.from({ length: outputs }, () => (2 * r() - 1) * 0.1);
    return { W, b, inputs, outputs };
  });
}

/** The same weights in netc's setWeights format: { "layer1.W": { shape, data }, ... }. */
export function netcWeights(layers: Layer[]): Record<string, { shape: number[]; data: Float64Array }> {
  const out: Record<string, { shape: number[]; data: Float64Array }> = {};
  layers.forEach((L, i) => {
    out[`layer${i + 1}.W`] = { shape: [L.inputs, L.outputs], data: L.W };
    out[`layer${i + 1}.b`] = { shape: [L.outputs], data: L.b };
  });
  return out;
}

/** One minibatch: x is n × inputs, y is n × outWidth (0/1 for BCE, one-hot for CE). */
export interface Batch {
  x: Float64Array;
  y: Float64Array;
  /** Class index per row (for BCE: the 0/1 target). */
  labels: Int32Array;
  n: number;
}

/** Learnable synthetic data: labels come from a fixed random linear "teacher". */
export function makeBatches(w: Workload, count: number, seed = 2): Batch[] {
  const r = rng(seed * 104729 + w.sizes[0]!);
  const inputs = w.sizes[0]!;
  const K = outWidth(w);
  const classes = w.head === "softmax-ce" ? K : 2;
  const teacher = Float64Array.from({ length: inputs * classes }, () => gaussian(r));
  const batches: Batch[] = [];
  for (let b = 0; b < count; b++) {
    const n = w.batch;
    const x = Float64Array.from({ length: n * inputs }, () => gaussian(r));
    const y = new Float64Array(n * K);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0, bestScore = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = 0;
        for (let k = 0; k < inputs; k++) s += x[i * inputs + k]! * teacher[k * classes + c]!;
        if (s > bestScore) (bestScore = s), (best = c);
      }
      labels[i] = best;
      if (w.head === "softmax-ce") y[i * K + best] = 1;
      else y[i] = best;
    }
    batches.push({ x, y, labels, n });
  }
  return batches;
}
