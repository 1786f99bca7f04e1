// Handwritten tuned TypeScript for W7, an LSTM (PyTorch's equations, gate order i, f, g, o) whose
// last hidden state feeds a softmax layer. Time-major buffers, so each step's rows are one
// contiguous [n, ·] block: the input products of all steps are one [T·n, F] @ [F, 4h] matmul,
// each step's hidden products one [n, h] @ [h, 4h] matmul (tuned.ts's unroll-and-jam kernels),
// and the weight gradients one product each over all T·n rows. Nothing is allocated per step.
import type { Params } from "../models.js";
import { LSTM } from "../models.js";
import type { Workload } from "../shared.js";
import { forward, inputGradient, NONE, softmaxHead, updateWeights } from "./tuned.js";

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export class TunedLstm {
  private p: Params;
  private xs: Float64Array; // x time-major [T, n, F]
  private pre: Float64Array; // gate pre-activations, then gate values, [T, n, 4h]
  private hPrev: Float64Array; // h_{t-1} [T, n, h] (zeros at t = 0)
  private c: Float64Array; // cell states [T, n, h]
  private hLast: Float64Array;
  private z: Float64Array; private dz: Float64Array;
  private dA: Float64Array; // gate pre-activation gradients [T, n, 4h]
  private dh: Float64Array; private dc: Float64Array;
  private g: Float64Array;
  /** Step t's blocks of hPrev and dA, as views made once. */
  private hPrevAt: Float64Array[];
  private dAAt: Float64Array[];

  constructor(private w: Workload, params: Params, n = w.batch) {
    this.p = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, { shape: t.shape, data: t.data.slice() }]));
    const { T, F, n: h, classes } = LSTM;
    this.xs = new Float64Array(T * n * F);
    this.pre = new Float64Array(T * n * 4 * h);
    this.hPrev = new Float64Array(T * n * h);
    this.c = new Float64Array(T * n * h);
    this.hLast = new Float64Array(n * h);
    this.z = new Float64Array(n * classes);
    this.dz = new Float64Array(n * classes);
    this.dA = new Float64Array(T * n * 4 * h);
    this.dh = new Float64Array(n * h);
    this.dc = new Float64Array(n * h);
    this.g = new Float64Array(2 * 4 * h);
    this.hPrevAt = Array.from({ length: T }, (_, t) => this.hPrev.subarray(t * n * h, (t + 1) * n * h));
    this.dAAt = Array.from({ length: T }, (_, t) => this.dA.subarray(t * n * 4 * h, (t + 1) * n * 4 * h));
  }

  private forward(x: Float64Array, n: number): void {
    const { T, F, n: h, classes } = LSTM, G = 4 * h, p = this.p;
    for (let r = 0; r < n; r++) for (let t = 0; t < T; t++) this.xs.set(x.subarray((r * T + t) * F, (r * T + t + 1) * F), (t * n + r) * F);
    // x·W_ih + b_ih for every step at once, then + h₋₁·W_hh + b_hh step by step.
    forward(this.xs, T * n, F, p["s.W_ih"]!.data, G, p["s.b_ih"]!.data, this.pre, NONE);
    const Whh = p["s.W_hh"]!.data, bhh = p["s.b_hh"]!.data, hh = this.dA; // dA is free until the backward pass
    for (let t = 0; t < T; t++) {
      const rows = t * n;
      if (t > 0) forward(this.hPrevAt[t]!, n, h, Whh, G, bhh, hh, NONE);
      for (let r = 0; r < n; r++) {
        const a = (rows + r) * G, q = r * G, s = (rows + r) * h, sPrev = s - n * h;
        for (let j = 0; j < h; j++) {
          const hi = t > 0 ? hh[q + j]! : bhh[j]!, hf = t > 0 ? hh[q + h + j]! : bhh[h + j]!;
          const hg = t > 0 ? hh[q + 2 * h + j]! : bhh[2 * h + j]!, ho = t > 0 ? hh[q + 3 * h + j]! : bhh[3 * h + j]!;
          const i = sigmoid(this.pre[a + j]! + hi), f = sigmoid(this.pre[a + h + j]! + hf);
          const g = Math.tanh(this.pre[a + 2 * h + j]! + hg), o = sigmoid(this.pre[a + 3 * h + j]! + ho);
          const c = f * (t > 0 ? this.c[sPrev + j]! : 0) + i * g;
          this.pre[a + j] = i; this.pre[a + h + j] = f; this.pre[a + 2 * h + j] = g; this.pre[a + 3 * h + j] = o;
          this.c[s + j] = c;
          const hv = o * Math.tanh(c);
          if (t + 1 < T) this.hPrev[s + n * h + j] = hv;
          else this.hLast[r * h + j] = hv;
        }
      }
    }
    forward(this.hLast, n, h, p["p.W"]!.data, classes, p["p.b"]!.data, this.z, NONE);
  }

  train(x: Float64Array, y: Float64Array, n: number): number {
    const { T, F, n: h, classes } = LSTM, G = 4 * h, p = this.p, lr = this.w.lr;
    this.forward(x, n);
    const loss = softmaxHead(this.z, n, classes, y, this.dz);
    inputGradient(this.dz, n, classes, p["p.W"]!.data, h, this.hLast, NONE, this.dh);
    updateWeights(this.hLast, n, h, this.dz, classes, p["p.W"]!.data, p["p.b"]!.data, lr, this.g);
    const Whh = p["s.W_hh"]!.data;
    this.dc.fill(0, 0, n * h);
    for (let t = T - 1; t >= 0; t--) {
      const rows = t * n;
      // The gradient reaching h_t from step t + 1 (the loss reaches only the last step directly).
      if (t < T - 1) inputGradient(this.dAAt[t + 1]!, n, G, Whh, h, this.hLast, NONE, this.dh);
      for (let r = 0; r < n; r++) {
        const a = (rows + r) * G, s = (rows + r) * h, sPrev = s - n * h, d = r * h;
        for (let j = 0; j < h; j++) {
          const i = this.pre[a + j]!, f = this.pre[a + h + j]!, g = this.pre[a + 2 * h + j]!, o = this.pre[a + 3 * h + j]!;
          const tc = Math.tanh(this.c[s + j]!), dh = this.dh[d + j]!;
          const dc = this.dc[d + j]! + dh * o * (1 - tc * tc);
          const cPrev = t > 0 ? this.c[sPrev + j]! : 0;
          this.dA[a + j] = dc * g * i * (1 - i);
          this.dA[a + h + j] = dc * cPrev * f * (1 - f);
          this.dA[a + 2 * h + j] = dc * i * (1 - g * g);
          this.dA[a + 3 * h + j] = dh * tc * o * (1 - o);
          this.dc[d + j] = dc * f;
        }
      }
    }
    // Both biases get Σ dA: W_hh's product pairs it with b_hh, W_ih's with b_ih.
    updateWeights(this.hPrev, T * n, h, this.dA, G, Whh, p["s.b_hh"]!.data, lr, this.g);
    updateWeights(this.xs, T * n, F, this.dA, G, p["s.W_ih"]!.data, p["s.b_ih"]!.data, lr, this.g);
    return loss;
  }

  predict(x: Float64Array, n: number): Float64Array {
    this.forward(x, n);
    softmaxHead(this.z, n, LSTM.classes, null, this.dz);
    return this.z;
  }
}
