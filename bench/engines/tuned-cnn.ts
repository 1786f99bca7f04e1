// Handwritten tuned TypeScript for W6, the digits CNN: what a careful person writes for this one
// network. NCHW planes; each convolution's input lives in a zero-padded buffer so no tap is ever
// bounds-checked; the nine weights of a (filter, channel) slice sit in locals; relu is applied
// as the plane is finished; 2×2 max pooling writes straight into the next convolution's padded
// buffer and remembers its winner, so the backward pass scatters without searching. The dense
// layers reuse tuned.ts's matmuls. Nothing is allocated per step.
import type { Params } from "../models.js";
import { CNN } from "../models.js";
import type { Workload } from "../shared.js";
import { forward, inputGradient, NONE, RELU, softmaxHead, updateWeights } from "./tuned.js";

/** out[n,F,S,S] = relu(conv3×3(xp) + b): xp is [n,C,S+2,S+2], padded by one pixel of zeros. */
function convRelu(xp: Float64Array, n: number, C: number, F: number, S: number, W: Float64Array, b: Float64Array, out: Float64Array): void {
  const P = S + 2, plane = S * S, padded = P * P;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) {
      const o = (i * F + f) * plane;
      out.fill(b[f]!, o, o + plane);
      for (let c = 0; c < C; c++) {
        const w = (f * C + c) * 9, x = (i * C + c) * padded;
        const w0 = W[w]!, w1 = W[w + 1]!, w2 = W[w + 2]!, w3 = W[w + 3]!, w4 = W[w + 4]!;
        const w5 = W[w + 5]!, w6 = W[w + 6]!, w7 = W[w + 7]!, w8 = W[w + 8]!;
        for (let y = 0; y < S; y++) {
          const r0 = x + y * P, r1 = r0 + P, r2 = r1 + P, oy = o + y * S;
          for (let q = 0; q < S; q++) {
            out[oy + q] +=
              w0 * xp[r0 + q]! + w1 * xp[r0 + q + 1]! + w2 * xp[r0 + q + 2]! +
              w3 * xp[r1 + q]! + w4 * xp[r1 + q + 1]! + w5 * xp[r1 + q + 2]! +
              w6 * xp[r2 + q]! + w7 * xp[r2 + q + 1]! + w8 * xp[r2 + q + 2]!;
          }
        }
      }
      for (let t = o; t < o + plane; t++) if (!(out[t]! > 0)) out[t] = 0;
    }
  }
}

/**
 * 2×2 max pooling of a[planes,S,S] into dst, whose planes are `D` wide with the result at
 * offset `pad` (D = S/2 + 2, pad 1 for the next convolution's padded input; D = S/2, pad 0 for
 * the flattened output); arg[planes,S/2,S/2] gets each window's first largest pixel.
 */
function maxPool(a: Float64Array, planes: number, S: number, dst: Float64Array, D: number, pad: number, arg: Int32Array): void {
  const h = S / 2;
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      for (let q = 0; q < h; q++) {
        const i = p * S * S + 2 * y * S + 2 * q;
        let best = i, m = a[i]!;
        if (a[i + 1]! > m) (m = a[i + 1]!), (best = i + 1);
        if (a[i + S]! > m) (m = a[i + S]!), (best = i + S);
        if (a[i + S + 1]! > m) (m = a[i + S + 1]!), (best = i + S + 1);
        dst[p * D * D + (y + pad) * D + q + pad] = m;
        arg[(p * h + y) * h + q] = best;
      }
    }
  }
}

/** W −= lr·dW and b −= lr·db of a 3×3 convolution, from dz[n,F,S,S] and its padded input xp. */
function convUpdate(xp: Float64Array, dz: Float64Array, n: number, C: number, F: number, S: number, W: Float64Array, b: Float64Array, lr: number): void {
  const P = S + 2, plane = S * S, padded = P * P;
  for (let f = 0; f < F; f++) {
    let db = 0;
    for (let i = 0; i < n; i++) for (let t = (i * F + f) * plane, e = t + plane; t < e; t++) db += dz[t]!;
    for (let c = 0; c < C; c++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0;
      for (let i = 0; i < n; i++) {
        const g = (i * F + f) * plane, x = (i * C + c) * padded;
        for (let y = 0; y < S; y++) {
          const r0 = x + y * P, r1 = r0 + P, r2 = r1 + P, gy = g + y * S;
          for (let q = 0; q < S; q++) {
            const v = dz[gy + q]!;
            if (v === 0) continue; // most of dz is zero: pooling passes one pixel in four
            s0 += v * xp[r0 + q]!; s1 += v * xp[r0 + q + 1]!; s2 += v * xp[r0 + q + 2]!;
            s3 += v * xp[r1 + q]!; s4 += v * xp[r1 + q + 1]!; s5 += v * xp[r1 + q + 2]!;
            s6 += v * xp[r2 + q]!; s7 += v * xp[r2 + q + 1]!; s8 += v * xp[r2 + q + 2]!;
          }
        }
      }
      const w = (f * C + c) * 9;
      W[w] -= lr * s0; W[w + 1] -= lr * s1; W[w + 2] -= lr * s2;
      W[w + 3] -= lr * s3; W[w + 4] -= lr * s4; W[w + 5] -= lr * s5;
      W[w + 6] -= lr * s6; W[w + 7] -= lr * s7; W[w + 8] -= lr * s8;
    }
    b[f] -= lr * db;
  }
}

/** dxp[n,C,S+2,S+2] = Σ_f taps · dz[n,F,S,S], scattered into a padded buffer (its border is ignored). */
function convInputGrad(dz: Float64Array, n: number, C: number, F: number, S: number, W: Float64Array, dxp: Float64Array): void {
  const P = S + 2, plane = S * S, padded = P * P;
  dxp.fill(0, 0, n * C * padded);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const x = (i * C + c) * padded;
      for (let f = 0; f < F; f++) {
        const w = (f * C + c) * 9, g = (i * F + f) * plane;
        const w0 = W[w]!, w1 = W[w + 1]!, w2 = W[w + 2]!, w3 = W[w + 3]!, w4 = W[w + 4]!;
        const w5 = W[w + 5]!, w6 = W[w + 6]!, w7 = W[w + 7]!, w8 = W[w + 8]!;
        for (let y = 0; y < S; y++) {
          const r0 = x + y * P, r1 = r0 + P, r2 = r1 + P, gy = g + y * S;
          for (let q = 0; q < S; q++) {
            const v = dz[gy + q]!;
            if (v === 0) continue;
            dxp[r0 + q] += w0 * v; dxp[r0 + q + 1] += w1 * v; dxp[r0 + q + 2] += w2 * v;
            dxp[r1 + q] += w3 * v; dxp[r1 + q + 1] += w4 * v; dxp[r1 + q + 2] += w5 * v;
            dxp[r2 + q] += w6 * v; dxp[r2 + q + 1] += w7 * v; dxp[r2 + q + 2] += w8 * v;
          }
        }
      }
    }
  }
}

export class TunedCnn {
  private p: Params;
  private readonly F1 = CNN.filters[0];
  private readonly F2 = CNN.filters[1];
  private readonly S = CNN.image;
  private readonly flat = CNN.filters[1] * (CNN.image / 4) ** 2;
  private xp: Float64Array; private a1: Float64Array; private p1: Float64Array; private arg1: Int32Array;
  private a2: Float64Array; private p2: Float64Array; private arg2: Int32Array;
  private h: Float64Array; private z: Float64Array;
  private dz: Float64Array; private dh: Float64Array; private dflat: Float64Array;
  private dz2: Float64Array; private dp1: Float64Array; private dz1: Float64Array; private g: Float64Array;

  constructor(private w: Workload, params: Params, n = w.batch) {
    this.p = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, { shape: t.shape, data: t.data.slice() }]));
    const S = this.S, h = S / 2, P1 = S + 2, P2 = h + 2;
    this.xp = new Float64Array(n * P1 * P1);
    this.a1 = new Float64Array(n * this.F1 * S * S);
    this.p1 = new Float64Array(n * this.F1 * P2 * P2);
    this.arg1 = new Int32Array(n * this.F1 * h * h);
    this.a2 = new Float64Array(n * this.F2 * h * h);
    this.p2 = new Float64Array(n * this.flat);
    this.arg2 = new Int32Array(n * this.flat);
    this.h = new Float64Array(n * CNN.hidden);
    this.z = new Float64Array(n * CNN.classes);
    this.dz = new Float64Array(n * CNN.classes);
    this.dh = new Float64Array(n * CNN.hidden);
    this.dflat = new Float64Array(n * this.flat);
    this.dz2 = new Float64Array(n * this.F2 * h * h);
    this.dp1 = new Float64Array(n * this.F1 * P2 * P2);
    this.dz1 = new Float64Array(n * this.F1 * S * S);
    this.g = new Float64Array(2 * Math.max(CNN.hidden, this.flat));
  }

  private forward(x: Float64Array, n: number): void {
    const { S, F1, F2, p } = this, P = S + 2, h = S / 2;
    for (let i = 0; i < n; i++) for (let y = 0; y < S; y++) this.xp.set(x.subarray((i * S + y) * S, (i * S + y + 1) * S), i * P * P + (y + 1) * P + 1);
    convRelu(this.xp, n, 1, F1, S, p["c1.W"]!.data, p["c1.b"]!.data, this.a1);
    maxPool(this.a1, n * F1, S, this.p1, h + 2, 1, this.arg1);
    convRelu(this.p1, n, F1, F2, h, p["c2.W"]!.data, p["c2.b"]!.data, this.a2);
    maxPool(this.a2, n * F2, h, this.p2, h / 2, 0, this.arg2);
    forward(this.p2, n, this.flat, p["h.W"]!.data, CNN.hidden, p["h.b"]!.data, this.h, RELU);
    forward(this.h, n, CNN.hidden, p["p.W"]!.data, CNN.classes, p["p.b"]!.data, this.z, NONE);
  }

  train(x: Float64Array, y: Float64Array, n: number): number {
    const { S, F1, F2, p, flat, g } = this, lr = this.w.lr, h = S / 2, K = CNN.classes, H = CNN.hidden;
    this.forward(x, n);
    const loss = softmaxHead(this.z, n, K, y, this.dz);
    inputGradient(this.dz, n, K, p["p.W"]!.data, H, this.h, RELU, this.dh);
    updateWeights(this.h, n, H, this.dz, K, p["p.W"]!.data, p["p.b"]!.data, lr, g);
    // The pooled pixel's relu′ is 1 exactly when the pooled value is positive.
    inputGradient(this.dh, n, H, p["h.W"]!.data, flat, this.p2, RELU, this.dflat);
    updateWeights(this.p2, n, flat, this.dh, H, p["h.W"]!.data, p["h.b"]!.data, lr, g);
    this.dz2.fill(0);
    for (let t = 0; t < n * flat; t++) this.dz2[this.arg2[t]!] = this.dflat[t]!;
    convInputGrad(this.dz2, n, F1, F2, h, p["c2.W"]!.data, this.dp1);
    convUpdate(this.p1, this.dz2, n, F1, F2, h, p["c2.W"]!.data, p["c2.b"]!.data, lr);
    // dp1's interior, through relu′ (a pooled pixel > 0) and back to the pixel each window picked.
    this.dz1.fill(0);
    const P2 = h + 2;
    for (let pl = 0, t = 0; pl < n * F1; pl++) {
      for (let yy = 0; yy < h; yy++) {
        for (let q = 0; q < h; q++, t++) {
          const at = pl * P2 * P2 + (yy + 1) * P2 + q + 1;
          if (this.p1[at]! > 0) this.dz1[this.arg1[t]!] = this.dp1[at]!;
        }
      }
    }
    convUpdate(this.xp, this.dz1, n, 1, F1, S, p["c1.W"]!.data, p["c1.b"]!.data, lr);
    return loss;
  }

  predict(x: Float64Array, n: number): Float64Array {
    this.forward(x, n);
    softmaxHead(this.z, n, CNN.classes, null, this.dz);
    return this.z;
  }
}
