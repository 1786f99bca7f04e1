// The wasm SIMD kernel library against a float64 reference: every transpose combination of the
// three dense-layer products, odd shapes that exercise ragged row tiles, ragged column panels
// and k remainders, a batch-sized dimension passed at run time, and fused epilogues; a recurrent
// layer's step products; convolutions (padding, strides, ragged pixel vectors and filter groups,
// large planes), the convolution's weight derivative, and max pooling.
import { describe, expect, it } from "vitest";
import { addConv, convScratchBytes, type ConvSpec, type ConvTile } from "../../compiler/backend/wasm/conv.js";
import { addConvWeight, convWeightScratchBytes, type ConvWeightSpec } from "../../compiler/backend/wasm/conv-weight.js";
import { acc, binary, constant, load, select, unary, type Expr } from "../../compiler/backend/wasm/expr.js";
import { addMaxPool, addMaxPoolBackward, type MaxPoolBackwardSpec, type MaxPoolSpec } from "../../compiler/backend/wasm/pool.js";
import { addMatmul, packBytes, type Dim, type MatmulSpec, type Tile } from "../../compiler/backend/wasm/matmul.js";
import { buildModule } from "../../compiler/backend/wasm/module.js";
import type { DType } from "../../compiler/backend/wasm/simd.js";

interface Case {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  /** Which dimension (if any) is the batch, passed at run time. */
  batch?: "m" | "k";
  epilogue: "plain" | "bias-relu" | "relu-mask" | "accumulate";
  tile?: Partial<Tile>;
}

const SIZES = [1, 3, 5, 17, 64, 130];
const oddShapes = (): Case[] => {
  const cases: Case[] = [];
  let i = 0;
  const epilogues = ["plain", "bias-relu", "relu-mask", "accumulate"] as const;
  for (const m of SIZES) {
    for (const n of SIZES) {
      const k = SIZES[(i * 7) % SIZES.length]!;
      const [transA, transB] = [i % 3 === 1, i % 3 === 2];
      cases.push({ m, k, n, transA, transB, epilogue: epilogues[i % 4]! });
      i++;
    }
  }
  return cases;
};

/** The dense-layer products on W4/W5-like shapes, with the batch as the run-time dimension. */
const denseLayer: Case[] = [
  { m: 64, k: 784, n: 128, transA: false, transB: false, batch: "m", epilogue: "bias-relu" },
  { m: 64, k: 10, n: 128, transA: false, transB: true, batch: "m", epilogue: "relu-mask" },
  { m: 784, k: 64, n: 10, transA: true, transB: false, batch: "k", epilogue: "plain" },
  { m: 33, k: 37, n: 29, transA: true, transB: false, batch: "k", epilogue: "accumulate" },
  { m: 37, k: 41, n: 23, transA: false, transB: true, batch: "m", epilogue: "bias-relu" },
];

/** Tile shapes other than the default, so every microkernel size is covered. */
const tiles: Case[] = [
  { m: 19, k: 23, n: 37, transA: false, transB: false, epilogue: "bias-relu", tile: { rows: 6, vecs: 3, unrollK: 4 } },
  { m: 19, k: 23, n: 37, transA: true, transB: false, epilogue: "plain", tile: { rows: 1, vecs: 1, unrollK: 3, packB: true } },
  { m: 19, k: 23, n: 37, transA: false, transB: true, batch: "m", epilogue: "relu-mask", tile: { rows: 5, vecs: 2, unrollK: 2 } },
  { m: 19, k: 23, n: 37, transA: true, transB: false, batch: "k", epilogue: "accumulate", tile: { rows: 3, vecs: 4, unrollK: 4, packB: true } },
];

/** Lays out buffers back to back (element-aligned only, like a real buffer plan). */
function layout(bytes: number, sizes: Record<string, number>): { at: Record<string, number>; end: number } {
  const at: Record<string, number> = {};
  let end = bytes; // nothing at address 0, so a wrong zero pointer shows
  for (const [name, size] of Object.entries(sizes)) {
    at[name] = end;
    end += size * bytes;
  }
  return { at, end };
}

function epilogueExpr(kind: Case["epilogue"], at: Record<string, number>): Expr {
  switch (kind) {
    case "plain":
      return acc;
    case "bias-relu":
      return unary("relu", binary("add", acc, load(at.bias!, "col")));
    case "relu-mask": // dX = (dY·Wᵀ) ⊙ [z > 0], times a per-row scale and a run-time scalar
      return binary("mul", select("gt", load(at.z!, "elem"), constant(0), acc, constant(0)), binary("mul", load(at.rowScale!, "row"), load(at.scalar!, "scalar")));
    case "accumulate":
      return binary("add", load(at.c!, "elem"), acc);
  }
}

function reference(kind: Case["epilogue"], s: number, i: number, j: number, v: Record<string, Float64Array>, n: number): number {
  switch (kind) {
    case "plain":
      return s;
    case "bias-relu": {
      const z = s + v.bias![j]!;
      return z > 0 ? z : 0;
    }
    case "relu-mask":
      return (v.z![i * n + j]! > 0 ? s : 0) * (v.rowScale![i]! * v.scalar![0]!);
    case "accumulate":
      return v.c![i * n + j]! + s;
  }
}

async function check(dtype: DType, cases: Case[], runM?: (c: Case) => number): Promise<void> {
  const bytes = dtype === "f32" ? 4 : 8;
  const specs: { c: Case; spec: MatmulSpec; at: Record<string, number> }[] = [];
  let base = 0;
  for (const [index, c] of cases.entries()) {
    const { m, k, n } = c;
    const { at, end } = layout(bytes, { a: m * k, b: k * n, c: m * n, bias: n, z: m * n, rowScale: m, scalar: 1, pack: 0 });
    const dims: { m: Dim; k: Dim } = { m, k };
    if (c.batch) dims[c.batch] = { batch: true, max: c[c.batch] };
    const spec: MatmulSpec = {
      name: `mm${index}`,
      ...dims,
      n,
      a: { addr: base + at.a!, trans: c.transA },
      b: { addr: base + at.b!, trans: c.transB },
      outputs: [],
      pack: base + end,
      ...(c.tile ? { tile: c.tile } : {}),
    };
    const shifted = Object.fromEntries(Object.entries(at).map(([name, a]) => [name, base + a]));
    spec.outputs.push({ addr: shifted.c!, expr: epilogueExpr(c.epilogue, shifted) });
    specs.push({ c, spec, at: shifted });
    base += end + packBytes(spec, dtype) + 64;
  }
  const wasm = await buildModule({ dtype, memoryBytes: base, kernels: (simd) => specs.forEach((s) => addMatmul(simd, s.spec)) });
  expect(WebAssembly.validate(wasm)).toBe(true);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const buffer = (instance.exports.memory as WebAssembly.Memory).buffer;
  const Array_ = dtype === "f32" ? Float32Array : Float64Array;
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;

  for (const { c, spec, at } of specs) {
    const { m, k, n } = c;
    const views: Record<string, Float64Array | Float32Array> = {};
    const values: Record<string, Float64Array> = {};
    const sizes: Record<string, number> = { a: m * k, b: k * n, c: m * n, bias: n, z: m * n, rowScale: m, scalar: 1 };
    for (const [name, size] of Object.entries(sizes)) {
      views[name] = new Array_(buffer, at[name]!, size);
      for (let i = 0; i < size; i++) views[name][i] = rand();
      values[name] = Float64Array.from(views[name]); // what the kernel sees, rounded to dtype
    }
    const depth = c.batch === "k" && runM ? runM(c) : k;
    const mRun = c.batch === "m" && runM ? runM(c) : m;
    (instance.exports[spec.name] as (batch: number) => void)(c.batch === "k" ? depth : mRun);
    const A = (i: number, l: number) => (c.transA ? values.a![l * m + i]! : values.a![i * k + l]!);
    const B = (l: number, j: number) => (c.transB ? values.b![j * k + l]! : values.b![l * n + j]!);
    const out = views.c!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const computed = i < mRun;
        let s = 0, scale = 0;
        for (let l = 0; l < depth; l++) {
          s += A(i, l) * B(l, j);
          scale += Math.abs(A(i, l) * B(l, j));
        }
        // Rows past the run-time batch must be left alone.
        const want = computed ? reference(c.epilogue, s, i, j, values, n) : values.c![i * n + j]!;
        const tol = dtype === "f64" ? 1e-13 * (1 + scale) : 2e-6 * (1 + scale);
        const got = out[i * n + j]!;
        if (!(Math.abs(got - want) <= tol)) {
          throw new Error(`${dtype} ${JSON.stringify(c)} at (${i}, ${j}): got ${got}, want ${want}`);
        }
      }
    }
    // Nothing past C was touched: the ragged last vector of a row stores only its valid lanes.
    const after = new Array_(buffer, at.c! + m * n * bytes, 1)[0]!;
    expect(after).toBe(Array_.from(values.bias!)[0]);
  }
}

// Building a module loads binaryen (about a second, more on a busy machine).
describe.each(["f32", "f64"] as const)("wasm matmul kernels, %s", { timeout: 60_000 }, (dtype) => {
  it("odd shapes, every transpose combination and epilogue", async () => {
    await check(dtype, oddShapes());
  });
  it("dense-layer products with the batch passed at run time", async () => {
    await check(dtype, denseLayer);
  });
  it("a run-time batch smaller than the maximum leaves the other rows alone", async () => {
    await check(dtype, denseLayer.concat(tiles).filter((c) => c.batch), (c) => (c.batch === "m" ? Math.max(1, c.m - 3) : Math.max(1, c.k - 5)));
  });
  it("other register tiles, k unrolling and packed B", async () => {
    await check(dtype, tiles);
  });
});

interface ConvCase {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  k: number;
  stride: number;
  padding: number;
  /** Images computed at run time (the batch passed to the kernel), when fewer than N. */
  run?: number;
  tile?: Partial<ConvTile>;
  /** Weights stored [C,F,k,k] and read with taps mirrored: conv2d's input derivative. */
  flipped?: boolean;
}

const convCases: ConvCase[] = [
  { N: 3, C: 1, H: 8, W: 8, F: 12, k: 3, stride: 1, padding: 1 }, // W6's first layer
  { N: 2, C: 12, H: 4, W: 4, F: 24, k: 3, stride: 1, padding: 1 }, // and its second
  { N: 3, C: 3, H: 7, W: 9, F: 5, k: 3, stride: 1, padding: 0, run: 2 },
  { N: 2, C: 2, H: 9, W: 6, F: 7, k: 2, stride: 2, padding: 1 },
  { N: 2, C: 4, H: 11, W: 10, F: 6, k: 3, stride: 2, padding: 0, run: 1 },
  { N: 1, C: 2, H: 5, W: 5, F: 3, k: 5, stride: 1, padding: 2 },
  { N: 2, C: 3, H: 10, W: 13, F: 9, k: 4, stride: 3, padding: 2, tile: { vecs: 3, filters: 2 } },
  { N: 2, C: 1, H: 28, W: 27, F: 5, k: 3, stride: 1, padding: 1 }, // a plane too large to unroll: row blocks
  { N: 1, C: 2, H: 30, W: 30, F: 3, k: 3, stride: 2, padding: 1, tile: { vecs: 2, filters: 1 } },
  // Input derivatives: W6's second layer, and a 5×5 kernel whose forward padding was 1 (now 3).
  { N: 2, C: 24, H: 4, W: 4, F: 12, k: 3, stride: 1, padding: 1, flipped: true },
  { N: 3, C: 5, H: 7, W: 6, F: 6, k: 5, stride: 1, padding: 3, flipped: true, run: 2 },
];

/** conv2d + per-filter bias, then relu, in float64 (PyTorch's definition). */
function convReference(c: ConvCase, x: Float64Array, w: Float64Array, bias: Float64Array, n: number, f: number, oh: number, ow: number): { value: number; scale: number } {
  let s = 0, scale = 0;
  for (let ch = 0; ch < c.C; ch++) {
    for (let ki = 0; ki < c.k; ki++) {
      for (let kj = 0; kj < c.k; kj++) {
        const ih = oh * c.stride - c.padding + ki, iw = ow * c.stride - c.padding + kj;
        if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
        const weight = c.flipped ? ((ch * c.F + f) * c.k + c.k - 1 - ki) * c.k + c.k - 1 - kj : ((f * c.C + ch) * c.k + ki) * c.k + kj;
        const term = w[weight]! * x[((n * c.C + ch) * c.H + ih) * c.W + iw]!;
        s += term;
        scale += Math.abs(term);
      }
    }
  }
  const z = s + bias[f]!;
  return { value: z > 0 ? z : 0, scale: scale + Math.abs(bias[f]!) };
}

async function checkConv(dtype: DType, cases: ConvCase[]): Promise<void> {
  const bytes = dtype === "f32" ? 4 : 8;
  const built: { c: ConvCase; spec: ConvSpec; at: Record<string, number>; OH: number; OW: number }[] = [];
  let base = 0;
  for (const [index, c] of cases.entries()) {
    const OH = Math.floor((c.H + 2 * c.padding - c.k) / c.stride) + 1, OW = Math.floor((c.W + 2 * c.padding - c.k) / c.stride) + 1;
    const { at, end } = layout(bytes, { x: c.N * c.C * c.H * c.W, w: c.F * c.C * c.k * c.k, bias: c.F, out: c.N * c.F * OH * OW, guard: 1 });
    const shifted = Object.fromEntries(Object.entries(at).map(([name, a]) => [name, base + a]));
    const spec: ConvSpec = {
      name: `conv${index}`,
      n: c.run ? { batch: true, max: c.N } : c.N,
      C: c.C, H: c.H, W: c.W, F: c.F, k: c.k, stride: c.stride, padding: c.padding,
      x: shifted.x!,
      w: shifted.w!,
      outputs: [{ addr: shifted.out!, expr: unary("relu", binary("add", acc, load(shifted.bias!, "row"))) }],
      scratch: Math.ceil((base + end) / 16) * 16,
      ...(c.tile ? { tile: c.tile } : {}),
      ...(c.flipped ? { weights: { filterStride: c.k * c.k, channelStride: c.F * c.k * c.k, flipped: true } } : {}),
    };
    built.push({ c, spec, at: shifted, OH, OW });
    base = spec.scratch! + convScratchBytes(spec, dtype) + 64;
  }
  const wasm = await buildModule({ dtype, memoryBytes: base, kernels: (simd) => built.forEach((b) => addConv(simd, b.spec)) });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const buffer = (instance.exports.memory as WebAssembly.Memory).buffer;
  const Array_ = dtype === "f32" ? Float32Array : Float64Array;
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (const { c, spec, at, OH, OW } of built) {
    const sizes: Record<string, number> = { x: c.N * c.C * c.H * c.W, w: c.F * c.C * c.k * c.k, bias: c.F, out: c.N * c.F * OH * OW, guard: 1 };
    const values: Record<string, Float64Array> = {};
    for (const [name, size] of Object.entries(sizes)) {
      const view = new Array_(buffer, at[name]!, size);
      for (let i = 0; i < size; i++) view[i] = rand();
      values[name] = Float64Array.from(view);
    }
    const run = c.run ?? c.N;
    // Twice: the second call finds scratch as the first left it (its padding must still be zero).
    for (let call = 0; call < 2; call++) (instance.exports[spec.name] as (batch: number) => void)(run);
    const out = new Array_(buffer, at.out!, sizes.out!);
    for (let n = 0; n < c.N; n++) {
      for (let f = 0; f < c.F; f++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const i = ((n * c.F + f) * OH + oh) * OW + ow;
            // Images past the run-time batch are left alone.
            const { value: want, scale } = n < run ? convReference(c, values.x!, values.w!, values.bias!, n, f, oh, ow) : { value: values.out![i]!, scale: 0 };
            const tol = dtype === "f64" ? 1e-13 * (1 + scale) : 2e-6 * (1 + scale);
            if (!(Math.abs(out[i]! - want) <= tol)) throw new Error(`${dtype} ${JSON.stringify(c)} at (${n}, ${f}, ${oh}, ${ow}): got ${out[i]}, want ${want}`);
          }
        }
      }
    }
    // The ragged end of the last row stores only its valid lanes.
    expect(new Array_(buffer, at.guard!, 1)[0]).toBe(Array_.from(values.guard!)[0]);
  }
}

/** dW = Σ over images and output positions of g·x against float64 sums, on convCases' geometries. */
async function checkConvWeight(dtype: DType, cases: ConvCase[]): Promise<void> {
  const bytes = dtype === "f32" ? 4 : 8;
  const built: { c: ConvCase; spec: ConvWeightSpec; OH: number; OW: number }[] = [];
  let base = 0;
  for (const [index, c] of cases.entries()) {
    const OH = Math.floor((c.H + 2 * c.padding - c.k) / c.stride) + 1, OW = Math.floor((c.W + 2 * c.padding - c.k) / c.stride) + 1;
    const { at, end } = layout(bytes, { x: c.N * c.C * c.H * c.W, g: c.N * c.F * OH * OW, out: c.F * c.C * c.k * c.k });
    const spec: ConvWeightSpec = {
      name: `convw${index}`,
      n: c.run ? { batch: true, max: c.N } : c.N,
      C: c.C, H: c.H, W: c.W, F: c.F, k: c.k, stride: c.stride, padding: c.padding,
      x: base + at.x!, g: base + at.g!, out: base + at.out!,
      scratch: Math.ceil((base + end) / 16) * 16,
    };
    built.push({ c, spec, OH, OW });
    base = spec.scratch! + convWeightScratchBytes(spec, dtype) + 64;
  }
  const wasm = await buildModule({ dtype, memoryBytes: base, kernels: (simd) => built.forEach((b) => addConvWeight(simd, b.spec)) });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const buffer = (instance.exports.memory as WebAssembly.Memory).buffer;
  const Array_ = dtype === "f32" ? Float32Array : Float64Array;
  let seed = 3;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (const { c, spec, OH, OW } of built) {
    const fill = (at: number, size: number) => {
      const view = new Array_(buffer, at, size);
      for (let i = 0; i < size; i++) view[i] = rand();
      return Float64Array.from(view);
    };
    const x = fill(spec.x, c.N * c.C * c.H * c.W), g = fill(spec.g, c.N * c.F * OH * OW);
    const run = c.run ?? c.N;
    for (let call = 0; call < 2; call++) (instance.exports[spec.name] as (batch: number) => void)(run);
    const out = new Array_(buffer, spec.out, c.F * c.C * c.k * c.k);
    for (let f = 0; f < c.F; f++) {
      for (let ch = 0; ch < c.C; ch++) {
        for (let t = 0; t < c.k * c.k; t++) {
          let want = 0, scale = 0;
          for (let n = 0; n < run; n++) {
            for (let oh = 0; oh < OH; oh++) {
              for (let ow = 0; ow < OW; ow++) {
                const ih = oh * c.stride - c.padding + Math.floor(t / c.k), iw = ow * c.stride - c.padding + (t % c.k);
                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                const term = g[((n * c.F + f) * OH + oh) * OW + ow]! * x[((n * c.C + ch) * c.H + ih) * c.W + iw]!;
                want += term;
                scale += Math.abs(term);
              }
            }
          }
          const got = out[(f * c.C + ch) * c.k * c.k + t]!;
          const tol = dtype === "f64" ? 1e-13 * (1 + scale) : 2e-6 * (1 + scale);
          if (!(Math.abs(got - want) <= tol)) throw new Error(`${dtype} ${JSON.stringify(c)} at (${f}, ${ch}, ${t}): got ${got}, want ${want}`);
        }
      }
    }
  }
}

/** Max pooling in float64 as backend/js/pool.ts computes it: the first maximum, a NaN wins. */
function poolReference(x: Float64Array, W: number, k: number, first: number): number {
  let m = x[first]!;
  for (let t = 1; t < k * k; t++) {
    const v = x[first + Math.floor(t / k) * W + (t % k)]!;
    if (v > m || v !== v) m = v;
  }
  return m;
}

async function checkMaxPool(dtype: DType): Promise<void> {
  const bytes = dtype === "f32" ? 4 : 8;
  const cases = [
    { N: 3, C: 2, H: 8, W: 8, k: 2, run: 2 },
    { N: 2, C: 3, H: 7, W: 11, k: 2 },
    { N: 2, C: 1, H: 9, W: 14, k: 3 },
    { N: 1, C: 2, H: 5, W: 5, k: 1 },
    { N: 1, C: 2, H: 40, W: 42, k: 2 }, // row by row
  ];
  const specs: MaxPoolSpec[] = [], grads: MaxPoolBackwardSpec[] = [];
  let base = 0;
  for (const [index, c] of cases.entries()) {
    const OH = Math.floor(c.H / c.k), OW = Math.floor(c.W / c.k);
    const { at, end } = layout(bytes, { x: c.N * c.C * c.H * c.W, out: c.N * c.C * OH * OW, guard: 1, g: c.N * c.C * OH * OW, dx: c.N * c.C * c.H * c.W, guard2: 1 });
    const shared = { n: c.run ? { batch: true as const, max: c.N } : c.N, C: c.C, H: c.H, W: c.W, k: c.k, x: base + at.x! };
    specs.push({ name: `pool${index}`, ...shared, out: base + at.out! });
    grads.push({ name: `poolgrad${index}`, ...shared, g: base + at.g!, out: base + at.dx! });
    base += end + 64;
  }
  const wasm = await buildModule({ dtype, memoryBytes: base, kernels: (simd) => (specs.forEach((s) => addMaxPool(simd, s)), grads.forEach((s) => addMaxPoolBackward(simd, s))) });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const buffer = (instance.exports.memory as WebAssembly.Memory).buffer;
  const Array_ = dtype === "f32" ? Float32Array : Float64Array;
  let seed = 5;
  // Few distinct values, so windows have ties; now and then a NaN, a -0 or a 0.
  const pick = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const r = seed % 23;
    return r === 0 ? NaN : r === 1 ? -0 : r === 2 ? 0 : (r % 5) - 2;
  };
  cases.forEach((c, index) => {
    const spec = specs[index]!;
    const OH = Math.floor(c.H / c.k), OW = Math.floor(c.W / c.k);
    const x = new Array_(buffer, spec.x, c.N * c.C * c.H * c.W), out = new Array_(buffer, spec.out, c.N * c.C * OH * OW + 1);
    for (let i = 0; i < x.length; i++) x[i] = pick();
    out.fill(7);
    const values = Float64Array.from(x);
    const run = c.run ?? c.N;
    (instance.exports[spec.name] as (batch: number) => void)(run);
    for (let plane = 0; plane < c.N * c.C; plane++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const want = plane < run * c.C ? poolReference(values, c.W, c.k, plane * c.H * c.W + oh * c.k * c.W + ow * c.k) : 7;
          const got = out[plane * OH * OW + oh * OW + ow]!;
          // Object.is: NaN equals NaN, and -0 is not 0 (the first of equal maxima wins).
          if (!Object.is(got, want)) throw new Error(`${dtype} ${JSON.stringify(c)} at (${plane}, ${oh}, ${ow}): got ${got}, want ${want}`);
        }
      }
    }
    expect(out[c.N * c.C * OH * OW]).toBe(7);

    // The derivative: each window's gradient to the pixel backend/js/pool.ts picks, +0 elsewhere.
    const grad = grads[index]!;
    const g = new Array_(buffer, grad.g, c.N * c.C * OH * OW), dx = new Array_(buffer, grad.out, c.N * c.C * c.H * c.W + 1);
    for (let i = 0; i < g.length; i++) g[i] = i % 7 === 0 ? -(i + 1) : i + 1;
    dx.fill(7);
    (instance.exports[grad.name] as (batch: number) => void)(run);
    const want = new Float64Array(c.N * c.C * c.H * c.W).fill(7);
    want.fill(0, 0, run * c.C * c.H * c.W);
    for (let plane = 0; plane < run * c.C; plane++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const first = plane * c.H * c.W + oh * c.k * c.W + ow * c.k;
          let m = values[first]!, best = first;
          for (let t = 1; t < c.k * c.k; t++) {
            const at = first + Math.floor(t / c.k) * c.W + (t % c.k);
            if (values[at]! > m || values[at] !== values[at]) (m = values[at]!), (best = at);
          }
          want[best] = g[plane * OH * OW + oh * OW + ow]!;
        }
      }
    }
    want.forEach((w, i) => {
      if (!Object.is(dx[i], w)) throw new Error(`${dtype} derivative ${JSON.stringify(c)} at ${i}: got ${dx[i]}, want ${w}`);
    });
    expect(dx[c.N * c.C * c.H * c.W]).toBe(7);
  });
}

describe.each(["f32", "f64"] as const)("wasm image kernels, %s", { timeout: 60_000 }, (dtype) => {
  it("conv2d (and its input derivative) with bias and relu: padding, strides, ragged filter groups and rows, a run-time batch", async () => {
    await checkConv(dtype, convCases);
  });
  it("the weight derivative: padding, strides, ragged rows, a run-time batch", async () => {
    // Planes up to 64 pixel vectors (the others stay JavaScript), unflipped weights.
    await checkConvWeight(dtype, convCases.filter((c) => !c.flipped && c.H * c.W < 400));
  });
  it("max pooling and its derivative: ties, NaN and -0 as the JavaScript kernels, ragged rows, a run-time batch", async () => {
    await checkMaxPool(dtype);
  });
});

/**
 * A recurrent layer's step products (kernels.ts recurrentStepSpec): rows of A and C a whole
 * [T, row] block apart, A and C moved by the step passed at run time, the accumulators started
 * from a bias (forward) or from what C holds (backward, with W transposed and packed once by a
 * separate export). In float64 the sums are formed in the JavaScript backend's order: equal.
 */
describe.each(["f32", "f64"] as const)("wasm step products of a recurrent layer, %s", { timeout: 60_000 }, (dtype) => {
  const shapes = [
    { rows: 7, k: 6, n: 24, T: 5 },
    { rows: 5, k: 15, n: 5, T: 3 },
    { rows: 9, k: 16, n: 64, T: 2 },
  ];
  it.each([false, true])("W transposed and packed once: %s", async (transposed) => {
    const bytes = dtype === "f32" ? 4 : 8;
    const Array_ = dtype === "f32" ? Float32Array : Float64Array;
    const cases = shapes.map((s, index) => {
      // A tape row holds [pad, a (k), pad, c (n), pad]: A and C sit inside a longer row.
      const row = s.k + s.n + 7, aAt = 2, cAt = s.k + 5;
      const { at, end } = layout(bytes, { tape: s.rows * s.T * row, w: s.k * s.n, bias: s.n });
      return { s, row, aAt, cAt, at, end, index };
    });
    let base = 0;
    const specs = cases.map((c) => {
      const shifted = Object.fromEntries(Object.entries(c.at).map(([name, a]) => [name, base + a])) as Record<string, number>;
      const spec: MatmulSpec = {
        name: `step${c.index}`,
        m: { batch: true, max: c.s.rows },
        k: c.s.k,
        n: c.s.n,
        a: { addr: shifted.tape! + c.aAt * bytes, trans: false },
        b: { addr: shifted.w!, trans: transposed },
        rowStride: { a: c.s.T * c.row, c: c.s.T * c.row },
        step: c.row,
        init: transposed ? load(shifted.tape! + c.cAt * bytes, "elem") : load(shifted.bias!, "col"),
        outputs: [{ addr: shifted.tape! + c.cAt * bytes, expr: acc }],
        pack: base + c.end,
        ...(transposed ? { packExport: `step${c.index}p` } : {}),
      };
      const placed = { ...c, at: shifted, spec };
      base += c.end + packBytes(spec, dtype) + 64;
      return placed;
    });
    const wasm = await buildModule({ dtype, memoryBytes: base, kernels: (simd) => specs.forEach((s) => addMatmul(simd, s.spec)) });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
    const buffer = (instance.exports.memory as WebAssembly.Memory).buffer;
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    for (const { s, row, aAt, cAt, at, spec } of specs) {
      const tape = new Array_(buffer, at.tape!, s.rows * s.T * row), w = new Array_(buffer, at.w!, s.k * s.n), bias = new Array_(buffer, at.bias!, s.n);
      for (const v of [tape, w, bias]) for (let i = 0; i < v.length; i++) v[i] = rand();
      const weights = Float64Array.from(w); // as the kernel reads them, rounded to dtype
      const weight = (l: number, j: number) => weights[transposed ? j * s.k + l : l * s.n + j]!;
      if (transposed) {
        (instance.exports[`${spec.name}p`] as (rows: number, t: number) => void)(s.rows, 0);
        // The steps must read the packed copy, not W.
        w.fill(NaN);
      }
      const runRows = s.rows - 1; // the last row is past the batch: left alone
      for (let t = 0; t < s.T; t++) {
        const want = Float64Array.from(tape);
        for (let r = 0; r < runRows; r++) {
          const at = (r * s.T + t) * row;
          for (let j = 0; j < s.n; j++) {
            let sum = transposed ? want[at + cAt + j]! : bias[j]!;
            for (let l = 0; l < s.k; l++) sum += tape[at + aAt + l]! * weight(l, j);
            want[at + cAt + j] = sum;
          }
        }
        (instance.exports[spec.name] as (rows: number, t: number) => void)(runRows, t);
        for (let i = 0; i < want.length; i++) {
          const tol = dtype === "f64" ? 0 : 1e-5 * (1 + Math.abs(want[i]!));
          if (!(Math.abs(tape[i]! - want[i]!) <= tol)) throw new Error(`${dtype} ${JSON.stringify(s)} step ${t} at ${i}: got ${tape[i]}, want ${want[i]}`);
        }
      }
    }
  });
});
