// Handwritten tuned TypeScript: the best a careful person writes for general layer sizes.
// Preallocated Float64Arrays; batched row-major matmuls with unroll-and-jam (2 rows × 4 k for
// the forward product, 2×4 register blocks for the input gradient, 2 k × 4 rows for the weight
// gradient); bias and activation fused into the forward product, the activation derivative
// into the input gradient, and the SGD update into the weight gradient; p − y at the head.
// Nothing is allocated per step and no transpose is materialized.
import type { Activation, Layer, Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

export const NONE = 0, RELU = 1, TANH = 2, SIGMOID = 3;
const CODE: Record<Activation, number> = { relu: RELU, tanh: TANH, sigmoid: SIGMOID };

/** out[n×N] = act(X[n×K] · W[K×N] + b), two rows of X and four of W at a time. */
export function forward(X: Float64Array, n: number, K: number, W: Float64Array, N: number, b: Float64Array, out: Float64Array, act: number): void {
  const K4 = K - (K % 4);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o0 = i * N, o1 = o0 + N, r0 = i * K, r1 = r0 + K;
    for (let j = 0; j < N; j++) out[o0 + j] = out[o1 + j] = b[j]!;
    let k = 0;
    for (; k < K4; k += 4) {
      const x0 = X[r0 + k]!, x1 = X[r0 + k + 1]!, x2 = X[r0 + k + 2]!, x3 = X[r0 + k + 3]!;
      const y0 = X[r1 + k]!, y1 = X[r1 + k + 1]!, y2 = X[r1 + k + 2]!, y3 = X[r1 + k + 3]!;
      const w0 = k * N, w1 = w0 + N, w2 = w1 + N, w3 = w2 + N;
      for (let j = 0; j < N; j++) {
        const p = W[w0 + j]!, q = W[w1 + j]!, r = W[w2 + j]!, s = W[w3 + j]!;
        out[o0 + j] += x0 * p + x1 * q + x2 * r + x3 * s;
        out[o1 + j] += y0 * p + y1 * q + y2 * r + y3 * s;
      }
    }
    for (; k < K; k++) {
      const x = X[r0 + k]!, y = X[r1 + k]!, w = k * N;
      for (let j = 0; j < N; j++) {
        out[o0 + j] += x * W[w + j]!;
        out[o1 + j] += y * W[w + j]!;
      }
    }
    activate(out, o0, o0 + 2 * N, act);
  }
  if (i < n) {
    const o = i * N, r = i * K;
    for (let j = 0; j < N; j++) out[o + j] = b[j]!;
    for (let k = 0; k < K; k++) {
      const x = X[r + k]!, w = k * N;
      for (let j = 0; j < N; j++) out[o + j] += x * W[w + j]!;
    }
    activate(out, o, o + N, act);
  }
}

function activate(a: Float64Array, from: number, to: number, act: number): void {
  if (act === RELU) for (let t = from; t < to; t++) a[t] = a[t]! > 0 ? a[t]! : 0;
  else if (act === TANH) for (let t = from; t < to; t++) a[t] = Math.tanh(a[t]!);
  else if (act === SIGMOID) for (let t = from; t < to; t++) a[t] = 1 / (1 + Math.exp(-a[t]!));
}

/** Derivative of the activation in terms of its output a. */
function slope(a: number, act: number): number {
  return act === RELU ? (a > 0 ? 1 : 0) : act === TANH ? 1 - a * a : act === SIGMOID ? a * (1 - a) : 1;
}

/** dX[n×K] = (dZ[n×N] · Wᵀ) ⊙ act′(A): dot products of contiguous rows, 2 rows of dZ × 4 rows of W. */
export function inputGradient(dZ: Float64Array, n: number, N: number, W: Float64Array, K: number, A: Float64Array, act: number, dX: Float64Array): void {
  const K4 = K - (K % 4);
  for (let i = 0; i < n; i += 2) {
    const two = i + 1 < n;
    const d0 = i * N, d1 = two ? d0 + N : d0;
    const x0 = i * K, x1 = x0 + K;
    let p = 0;
    for (; p < K4; p += 4) {
      const w0 = p * N, w1 = w0 + N, w2 = w1 + N, w3 = w2 + N;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let j = 0; j < N; j++) {
        const a = dZ[d0 + j]!, c = dZ[d1 + j]!;
        const u0 = W[w0 + j]!, u1 = W[w1 + j]!, u2 = W[w2 + j]!, u3 = W[w3 + j]!;
        s0 += a * u0; s1 += a * u1; s2 += a * u2; s3 += a * u3;
        t0 += c * u0; t1 += c * u1; t2 += c * u2; t3 += c * u3;
      }
      dX[x0 + p] = s0 * slope(A[x0 + p]!, act);
      dX[x0 + p + 1] = s1 * slope(A[x0 + p + 1]!, act);
      dX[x0 + p + 2] = s2 * slope(A[x0 + p + 2]!, act);
      dX[x0 + p + 3] = s3 * slope(A[x0 + p + 3]!, act);
      if (two) {
        dX[x1 + p] = t0 * slope(A[x1 + p]!, act);
        dX[x1 + p + 1] = t1 * slope(A[x1 + p + 1]!, act);
        dX[x1 + p + 2] = t2 * slope(A[x1 + p + 2]!, act);
        dX[x1 + p + 3] = t3 * slope(A[x1 + p + 3]!, act);
      }
    }
    for (; p < K; p++) {
      const w0 = p * N;
      let s = 0, t = 0;
      for (let j = 0; j < N; j++) {
        s += dZ[d0 + j]! * W[w0 + j]!;
        t += dZ[d1 + j]! * W[w0 + j]!;
      }
      dX[x0 + p] = s * slope(A[x0 + p]!, act);
      if (two) dX[x1 + p] = t * slope(A[x1 + p]!, act);
    }
  }
}

/** W −= lr · Xᵀ·dZ and b −= lr · Σ dZ, two rows of W at a time, X read in place (no transpose). */
export function updateWeights(X: Float64Array, n: number, K: number, dZ: Float64Array, N: number, W: Float64Array, b: Float64Array, lr: number, g: Float64Array): void {
  g.fill(0, 0, N);
  for (let i = 0; i < n; i++) for (let j = 0, d = i * N; j < N; j++) g[j] += dZ[d + j]!;
  for (let j = 0; j < N; j++) b[j] -= lr * g[j]!;
  const n4 = n - (n % 4);
  for (let p = 0; p < K; p += 2) {
    const pair = p + 1 < K, q = pair ? p + 1 : p;
    g.fill(0, 0, 2 * N);
    let i = 0;
    for (; i < n4; i += 4) {
      const r0 = i * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
      const a0 = X[r0 + p]!, a1 = X[r1 + p]!, a2 = X[r2 + p]!, a3 = X[r3 + p]!;
      const e0 = X[r0 + q]!, e1 = X[r1 + q]!, e2 = X[r2 + q]!, e3 = X[r3 + q]!;
      const d0 = i * N, d1 = d0 + N, d2 = d1 + N, d3 = d2 + N;
      for (let j = 0; j < N; j++) {
        const s = dZ[d0 + j]!, t = dZ[d1 + j]!, u = dZ[d2 + j]!, v = dZ[d3 + j]!;
        g[j] += a0 * s + a1 * t + a2 * u + a3 * v;
        g[N + j] += e0 * s + e1 * t + e2 * u + e3 * v;
      }
    }
    for (; i < n; i++) {
      const a = X[i * K + p]!, e = X[i * K + q]!, d = i * N;
      for (let j = 0; j < N; j++) {
        g[j] += a * dZ[d + j]!;
        g[N + j] += e * dZ[d + j]!;
      }
    }
    for (let j = 0, w = p * N; j < N; j++) W[w + j] -= lr * g[j]!;
    if (pair) for (let j = 0, w = q * N; j < N; j++) W[w + j] -= lr * g[N + j]!;
  }
}

/** Softmax of the logits Z[n×K] in place; with y, returns the mean cross-entropy and fills dZ = (p − y)/n. */
export function softmaxHead(Z: Float64Array, n: number, K: number, y: Float64Array | null, dZ: Float64Array): number {
  const scale = 1 / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let max = -Infinity;
    for (let j = 0; j < K; j++) if (Z[o + j]! > max) max = Z[o + j]!;
    let total = 0, dot = 0;
    for (let j = 0; j < K; j++) {
      const z = Z[o + j]!, e = Math.exp(z - max);
      if (y) dot += y[o + j]! * z;
      Z[o + j] = e;
      total += e;
    }
    sum += max + Math.log(total) - dot;
    const inv = 1 / total;
    for (let j = 0; j < K; j++) {
      const p = Z[o + j]! * inv;
      Z[o + j] = p;
      if (y) dZ[o + j] = (p - y[o + j]!) * scale;
    }
  }
  return sum * scale;
}

export class TunedNet {
  private A: Float64Array[];
  private D: Float64Array[];
  private scratch: Float64Array;
  private act: number;

  constructor(private w: Workload, private layers: Layer[], maxBatch = w.batch) {
    this.layers = layers.map((L) => ({ ...L, W: L.W.slice(), b: L.b.slice() }));
    this.A = layers.map((L) => new Float64Array(maxBatch * L.outputs));
    this.D = layers.map((L) => new Float64Array(maxBatch * L.outputs));
    this.scratch = new Float64Array(2 * Math.max(...w.sizes));
    this.act = CODE[w.hidden];
  }

  /** Logits of the last layer end up in A[last]. */
  private forwardAll(x: Float64Array, n: number): void {
    const last = this.layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const L = this.layers[l]!;
      forward(l === 0 ? x : this.A[l - 1]!, n, L.inputs, L.W, L.outputs, L.b, this.A[l]!, l === last ? NONE : this.act);
    }
  }

  /** Turns logits into probabilities in place; with y, returns the mean loss and fills dZ = (p − y)/count. */
  private head(n: number, y: Float64Array | null): number {
    const last = this.layers.length - 1;
    const Z = this.A[last]!, dZ = this.D[last]!, K = this.layers[last]!.outputs;
    let sum = 0;
    if (this.w.head === "sigmoid-bce") {
      const scale = 1 / (n * K);
      for (let t = 0; t < n * K; t++) {
        const z = Z[t]!, p = 1 / (1 + Math.exp(-z));
        Z[t] = p;
        if (y) {
          sum += (z > 0 ? z : 0) - z * y[t]! + Math.log1p(Math.exp(-Math.abs(z)));
          dZ[t] = (p - y[t]!) * scale;
        }
      }
      return sum * scale;
    }
    return softmaxHead(Z, n, K, y, dZ);
  }

  train(x: Float64Array, y: Float64Array, n: number): number {
    this.forwardAll(x, n);
    const loss = this.head(n, y);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l]!;
      if (l > 0) inputGradient(this.D[l]!, n, L.outputs, L.W, L.inputs, this.A[l - 1]!, this.act, this.D[l - 1]!);
      updateWeights(l === 0 ? x : this.A[l - 1]!, n, L.inputs, this.D[l]!, L.outputs, L.W, L.b, this.w.lr, this.scratch);
    }
    return loss;
  }

  predict(x: Float64Array, n: number): Float64Array {
    this.forwardAll(x, n);
    this.head(n, null);
    return this.A[this.A.length - 1]!;
  }
}

export const tuned: EngineDef = {
  name: "ts-tuned",
  exact: () => true,
  tolerance: 1e-6,
  async create(w, layers, batches, params) {
    const net = w.model === "cnn" ? new (await import("./tuned-cnn.js")).TunedCnn(w, params)
      : w.model === "lstm" ? new (await import("./tuned-lstm.js")).TunedLstm(w, params)
      : new TunedNet(w, layers);
    return {
      step: (i) => net.train(batches[i]!.x, batches[i]!.y, batches[i]!.n),
      predict: (x, n) => net.predict(x, n),
    };
  },
};
