// The scalar-JS matmul ceiling: C[M×N] = A[M×K] · B[K×N], all row-major Float64Arrays, for the
// W4 forward shape 64×784 @ 784×128. Several hand-written variants; the best one is "what
// JavaScript can do at all" without SIMD or threads. Run alone: npx tsx bench/ceiling.ts
import Benchmark from "benchmark";

type Kernel = (A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number) => void;

/** i-k-j, one FMA per C load/store: what a straightforward loop does. */
function ikj(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  C.fill(0, 0, M * N);
  for (let i = 0; i < M; i++) {
    const c = i * N;
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k]!;
      const b = k * N;
      for (let j = 0; j < N; j++) C[c + j] += a * B[b + j]!;
    }
  }
}

/** i-k-j with k unrolled by 4: each C element is loaded and stored once per 4 FMAs. */
function ikjK4(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  C.fill(0, 0, M * N);
  const K4 = K - (K % 4);
  for (let i = 0; i < M; i++) {
    const c = i * N;
    const ai = i * K;
    let k = 0;
    for (; k < K4; k += 4) {
      const a0 = A[ai + k]!, a1 = A[ai + k + 1]!, a2 = A[ai + k + 2]!, a3 = A[ai + k + 3]!;
      const b0 = k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
      for (let j = 0; j < N; j++) C[c + j] += a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
    }
    for (; k < K; k++) {
      const a = A[ai + k]!;
      const b = k * N;
      for (let j = 0; j < N; j++) C[c + j] += a * B[b + j]!;
    }
  }
}

/** Unroll-and-jam: 2 rows of A × 4 values of k; 8 FMAs per 4 B loads and 2 C load/stores. */
function i2k4(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  C.fill(0, 0, M * N);
  const K4 = K - (K % 4);
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const c0 = i * N, c1 = c0 + N;
    const r0 = i * K, r1 = r0 + K;
    let k = 0;
    for (; k < K4; k += 4) {
      const x0 = A[r0 + k]!, x1 = A[r0 + k + 1]!, x2 = A[r0 + k + 2]!, x3 = A[r0 + k + 3]!;
      const y0 = A[r1 + k]!, y1 = A[r1 + k + 1]!, y2 = A[r1 + k + 2]!, y3 = A[r1 + k + 3]!;
      const b0 = k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
      for (let j = 0; j < N; j++) {
        const p = B[b0 + j]!, q = B[b1 + j]!, r = B[b2 + j]!, s = B[b3 + j]!;
        C[c0 + j] += x0 * p + x1 * q + x2 * r + x3 * s;
        C[c1 + j] += y0 * p + y1 * q + y2 * r + y3 * s;
      }
    }
    for (; k < K; k++) {
      const x = A[r0 + k]!, y = A[r1 + k]!;
      const b = k * N;
      for (let j = 0; j < N; j++) {
        const p = B[b + j]!;
        C[c0 + j] += x * p;
        C[c1 + j] += y * p;
      }
    }
  }
  if (i < M) ikjRow(A, B, C, i, K, N);
}

/** Unroll-and-jam: 4 rows of A × 2 values of k. */
function i4k2(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  C.fill(0, 0, M * N);
  const K2 = K - (K % 2);
  let i = 0;
  for (; i + 3 < M; i += 4) {
    const c0 = i * N, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
    const r0 = i * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
    for (let k = 0; k < K2; k += 2) {
      const a0 = A[r0 + k]!, a1 = A[r1 + k]!, a2 = A[r2 + k]!, a3 = A[r3 + k]!;
      const e0 = A[r0 + k + 1]!, e1 = A[r1 + k + 1]!, e2 = A[r2 + k + 1]!, e3 = A[r3 + k + 1]!;
      const b0 = k * N, b1 = b0 + N;
      for (let j = 0; j < N; j++) {
        const p = B[b0 + j]!, q = B[b1 + j]!;
        C[c0 + j] += a0 * p + e0 * q;
        C[c1 + j] += a1 * p + e1 * q;
        C[c2 + j] += a2 * p + e2 * q;
        C[c3 + j] += a3 * p + e3 * q;
      }
    }
    if (K2 < K) {
      const k = K2, b = k * N;
      const a0 = A[r0 + k]!, a1 = A[r1 + k]!, a2 = A[r2 + k]!, a3 = A[r3 + k]!;
      for (let j = 0; j < N; j++) {
        const p = B[b + j]!;
        C[c0 + j] += a0 * p;
        C[c1 + j] += a1 * p;
        C[c2 + j] += a2 * p;
        C[c3 + j] += a3 * p;
      }
    }
  }
  for (; i < M; i++) ikjRow(A, B, C, i, K, N);
}

/** Register tile: a 2×4 block of C lives in locals for the whole k loop, stored once. */
function tile2x4(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  if (M % 2 !== 0 || N % 4 !== 0) return ikj(A, B, C, M, K, N);
  for (let i = 0; i < M; i += 2) {
    const r0 = i * K, r1 = r0 + K;
    for (let j = 0; j < N; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let k = 0, b = j; k < K; k++, b += N) {
        const a0 = A[r0 + k]!, a1 = A[r1 + k]!;
        const p = B[b]!, q = B[b + 1]!, r = B[b + 2]!, s = B[b + 3]!;
        c00 += a0 * p; c01 += a0 * q; c02 += a0 * r; c03 += a0 * s;
        c10 += a1 * p; c11 += a1 * q; c12 += a1 * r; c13 += a1 * s;
      }
      const c0 = i * N + j, c1 = c0 + N;
      C[c0] = c00; C[c0 + 1] = c01; C[c0 + 2] = c02; C[c0 + 3] = c03;
      C[c1] = c10; C[c1 + 1] = c11; C[c1 + 2] = c12; C[c1 + 3] = c13;
    }
  }
}

/** Register tile 4×4: 16 accumulators, 16 FMAs per 8 loads (may spill on x64's 16 registers). */
function tile4x4(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  if (M % 4 !== 0 || N % 4 !== 0) return ikj(A, B, C, M, K, N);
  for (let i = 0; i < M; i += 4) {
    const r0 = i * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
    for (let j = 0; j < N; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, b = j; k < K; k++, b += N) {
        const p = B[b]!, q = B[b + 1]!, r = B[b + 2]!, s = B[b + 3]!;
        let a = A[r0 + k]!;
        c00 += a * p; c01 += a * q; c02 += a * r; c03 += a * s;
        a = A[r1 + k]!;
        c10 += a * p; c11 += a * q; c12 += a * r; c13 += a * s;
        a = A[r2 + k]!;
        c20 += a * p; c21 += a * q; c22 += a * r; c23 += a * s;
        a = A[r3 + k]!;
        c30 += a * p; c31 += a * q; c32 += a * r; c33 += a * s;
      }
      const c0 = i * N + j, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
      C[c0] = c00; C[c0 + 1] = c01; C[c0 + 2] = c02; C[c0 + 3] = c03;
      C[c1] = c10; C[c1 + 1] = c11; C[c1 + 2] = c12; C[c1 + 3] = c13;
      C[c2] = c20; C[c2 + 1] = c21; C[c2 + 2] = c22; C[c2 + 3] = c23;
      C[c3] = c30; C[c3 + 1] = c31; C[c3 + 2] = c32; C[c3 + 3] = c33;
    }
  }
}

/** Register tile 4×2. */
function tile4x2(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  if (M % 4 !== 0 || N % 2 !== 0) return ikj(A, B, C, M, K, N);
  for (let i = 0; i < M; i += 4) {
    const r0 = i * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
    for (let j = 0; j < N; j += 2) {
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
      for (let k = 0, b = j; k < K; k++, b += N) {
        const p = B[b]!, q = B[b + 1]!;
        const a0 = A[r0 + k]!, a1 = A[r1 + k]!, a2 = A[r2 + k]!, a3 = A[r3 + k]!;
        c00 += a0 * p; c01 += a0 * q;
        c10 += a1 * p; c11 += a1 * q;
        c20 += a2 * p; c21 += a2 * q;
        c30 += a3 * p; c31 += a3 * q;
      }
      const c0 = i * N + j, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
      C[c0] = c00; C[c0 + 1] = c01; C[c1] = c10; C[c1 + 1] = c11;
      C[c2] = c20; C[c2 + 1] = c21; C[c3] = c30; C[c3 + 1] = c31;
    }
  }
}

/** Unroll-and-jam: 4 rows of A × 4 values of k; 16 FMAs per 4 B loads and 4 C load/stores. */
function i4k4(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  if (M % 4 !== 0 || K % 4 !== 0) return i2k4(A, B, C, M, K, N);
  C.fill(0, 0, M * N);
  for (let i = 0; i < M; i += 4) {
    const c0 = i * N, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
    const r0 = i * K, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
    for (let k = 0; k < K; k += 4) {
      const a0 = A[r0 + k]!, a1 = A[r0 + k + 1]!, a2 = A[r0 + k + 2]!, a3 = A[r0 + k + 3]!;
      const e0 = A[r1 + k]!, e1 = A[r1 + k + 1]!, e2 = A[r1 + k + 2]!, e3 = A[r1 + k + 3]!;
      const f0 = A[r2 + k]!, f1 = A[r2 + k + 1]!, f2 = A[r2 + k + 2]!, f3 = A[r2 + k + 3]!;
      const g0 = A[r3 + k]!, g1 = A[r3 + k + 1]!, g2 = A[r3 + k + 2]!, g3 = A[r3 + k + 3]!;
      const b0 = k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
      for (let j = 0; j < N; j++) {
        const p = B[b0 + j]!, q = B[b1 + j]!, r = B[b2 + j]!, s = B[b3 + j]!;
        C[c0 + j] += a0 * p + a1 * q + a2 * r + a3 * s;
        C[c1 + j] += e0 * p + e1 * q + e2 * r + e3 * s;
        C[c2 + j] += f0 * p + f1 * q + f2 * r + f3 * s;
        C[c3 + j] += g0 * p + g1 * q + g2 * r + g3 * s;
      }
    }
  }
}

/** Unroll-and-jam: 2 rows of A × 8 values of k. */
function i2k8(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number): void {
  if (M % 2 !== 0 || K % 8 !== 0) return i2k4(A, B, C, M, K, N);
  C.fill(0, 0, M * N);
  for (let i = 0; i < M; i += 2) {
    const c0 = i * N, c1 = c0 + N;
    const r0 = i * K, r1 = r0 + K;
    for (let k = 0; k < K; k += 8) {
      const x0 = A[r0 + k]!, x1 = A[r0 + k + 1]!, x2 = A[r0 + k + 2]!, x3 = A[r0 + k + 3]!;
      const x4 = A[r0 + k + 4]!, x5 = A[r0 + k + 5]!, x6 = A[r0 + k + 6]!, x7 = A[r0 + k + 7]!;
      const y0 = A[r1 + k]!, y1 = A[r1 + k + 1]!, y2 = A[r1 + k + 2]!, y3 = A[r1 + k + 3]!;
      const y4 = A[r1 + k + 4]!, y5 = A[r1 + k + 5]!, y6 = A[r1 + k + 6]!, y7 = A[r1 + k + 7]!;
      const b0 = k * N;
      for (let j = 0; j < N; j++) {
        const b = b0 + j;
        const p0 = B[b]!, p1 = B[b + N]!, p2 = B[b + 2 * N]!, p3 = B[b + 3 * N]!;
        const p4 = B[b + 4 * N]!, p5 = B[b + 5 * N]!, p6 = B[b + 6 * N]!, p7 = B[b + 7 * N]!;
        C[c0 + j] += x0 * p0 + x1 * p1 + x2 * p2 + x3 * p3 + x4 * p4 + x5 * p5 + x6 * p6 + x7 * p7;
        C[c1 + j] += y0 * p0 + y1 * p1 + y2 * p2 + y3 * p3 + y4 * p4 + y5 * p5 + y6 * p6 + y7 * p7;
      }
    }
  }
}

function ikjRow(A: Float64Array, B: Float64Array, C: Float64Array, i: number, K: number, N: number): void {
  const c = i * N;
  for (let k = 0; k < K; k++) {
    const a = A[i * K + k]!;
    const b = k * N;
    for (let j = 0; j < N; j++) C[c + j] += a * B[b + j]!;
  }
}

export const VARIANTS: Record<string, Kernel> = { ikj, ikjK4, i2k4, i4k2, i4k4, i2k8, tile2x4, tile4x2, tile4x4 };

export interface CeilingResult {
  shape: string;
  variants: { name: string; gflops: number; rme: number }[];
  best: { name: string; gflops: number };
}

/** Times every variant (benchmark.js) after checking it against i-k-j. */
export function measureCeiling(minTime = 0.1, only: string[] = Object.keys(VARIANTS)): CeilingResult {
  const M = 64, K = 784, N = 128;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const A = Float64Array.from({ length: M * K }, rand);
  const B = Float64Array.from({ length: K * N }, rand);
  const ref = new Float64Array(M * N);
  ikj(A, B, ref, M, K, N);
  const flop = 2 * M * K * N;
  const variants: CeilingResult["variants"] = [];
  for (const [name, kernel] of Object.entries(VARIANTS).filter(([name]) => only.includes(name))) {
    const C = new Float64Array(M * N);
    kernel(A, B, C, M, K, N);
    for (let i = 0; i < C.length; i++) {
      if (Math.abs(C[i]! - ref[i]!) > 1e-9 * (1 + Math.abs(ref[i]!))) throw new Error(`ceiling variant ${name} is wrong at ${i}`);
    }
    const bench = new Benchmark(name, () => kernel(A, B, C, M, K, N), { minTime, maxTime: Math.max(0.5, minTime * 10) });
    bench.run();
    variants.push({ name, gflops: (bench.hz * flop) / 1e9, rme: bench.stats.rme });
  }
  const best = variants.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { shape: `${M}x${K} @ ${K}x${N}`, variants, best: { name: best.name, gflops: best.gflops } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureCeiling(Number(process.argv[2] ?? 0.1));
  for (const v of r.variants) console.log(`${v.name.padEnd(8)} ${v.gflops.toFixed(3)} GFLOP/s ±${v.rme.toFixed(1)}%`);
  console.log(`best: ${r.best.name} ${r.best.gflops.toFixed(3)} GFLOP/s`);
}
