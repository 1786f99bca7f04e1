// Handwritten idiomatic TypeScript: number[][] weights, one sample at a time, fresh arrays every
// step — what most people write first.
import type { Activation, Batch, Layer, Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

const activate: Record<Activation, (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
  relu: (z) => Math.max(0, z),
};
/** Derivative in terms of the activation's output a. */
const derivative: Record<Activation, (a: number) => number> = {
  sigmoid: (a) => a * (1 - a),
  tanh: (a) => 1 - a * a,
  relu: (a) => (a > 0 ? 1 : 0),
};

class IdiomaticNet {
  weights: number[][][]; // weights[l][k][j]: input k to output j
  biases: number[][];

  constructor(private w: Workload, layers: Layer[]) {
    this.weights = layers.map((L) => Array.from({ length: L.inputs }, (_, k) => Array.from(L.W.subarray(k * L.outputs, (k + 1) * L.outputs))));
    this.biases = layers.map((L) => Array.from(L.b));
  }

  /** Activations of every layer for one sample; the last entry is the output probabilities. */
  forward(x: number[]): number[][] {
    const acts = [x];
    this.weights.forEach((W, l) => {
      const input = acts[l]!;
      const z = this.biases[l]!.map((b, j) => input.reduce((sum, v, k) => sum + v * W[k]![j]!, b));
      const last = l === this.weights.length - 1;
      acts.push(last ? this.head(z) : z.map(activate[this.w.hidden]));
    });
    return acts;
  }

  head(z: number[]): number[] {
    if (this.w.head === "sigmoid-bce") return z.map(activate.sigmoid);
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  }

  loss(p: number[], y: number[]): number {
    if (this.w.head === "sigmoid-bce") return -p.reduce((s, pj, j) => s + y[j]! * Math.log(pj) + (1 - y[j]!) * Math.log(1 - pj), 0) / p.length;
    return -p.reduce((s, pj, j) => s + y[j]! * Math.log(pj), 0);
  }

  train(xs: number[][], ys: number[][]): number {
    const gradW = this.weights.map((W) => W.map((row) => row.map(() => 0)));
    const gradB = this.biases.map((b) => b.map(() => 0));
    let total = 0;
    xs.forEach((x, s) => {
      const acts = this.forward(x);
      const p = acts[acts.length - 1]!;
      total += this.loss(p, ys[s]!);
      // Both heads' gradient with respect to the logits is p − y (per output element for BCE).
      let delta = p.map((pj, j) => (pj - ys[s]![j]!) / (this.w.head === "sigmoid-bce" ? p.length : 1));
      for (let l = this.weights.length - 1; l >= 0; l--) {
        const input = acts[l]!;
        input.forEach((v, k) => delta.forEach((d, j) => (gradW[l]![k]![j]! += v * d)));
        delta.forEach((d, j) => (gradB[l]![j]! += d));
        if (l > 0) {
          const W = this.weights[l]!;
          delta = input.map((a, k) => delta.reduce((sum, d, j) => sum + d * W[k]![j]!, 0) * derivative[this.w.hidden](a));
        }
      }
    });
    const n = xs.length;
    this.weights.forEach((W, l) => W.forEach((row, k) => row.forEach((_, j) => (row[j]! -= (this.w.lr * gradW[l]![k]![j]!) / n))));
    this.biases.forEach((b, l) => b.forEach((_, j) => (b[j]! -= (this.w.lr * gradB[l]![j]!) / n)));
    return total / n;
  }
}

const rows = (data: Float64Array, n: number, width: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));

export const idiomatic: EngineDef = {
  name: "ts-idiomatic",
  exact: () => true,
  tolerance: 1e-6,
  async create(w, layers, batches: Batch[]) {
    const net = new IdiomaticNet(w, layers);
    const inW = w.sizes[0]!, outW = w.sizes[w.sizes.length - 1]!;
    const data = batches.map((b) => ({ xs: rows(b.x, b.n, inW), ys: rows(b.y, b.n, outW) }));
    return {
      step: (i) => net.train(data[i]!.xs, data[i]!.ys),
      predict: (x, n) => rows(x, n, inW).flatMap((row) => net.forward(row).at(-1)!),
    };
  },
};
