// The wasm SIMD kernel library against a float64 reference: every transpose combination of the
// three dense-layer products, odd shapes that exercise ragged row tiles, ragged column panels
// and k remainders, a batch-sized dimension passed at run time, and fused epilogues.
import { describe, expect, it } from "vitest";
import { acc, binary, constant, load, select, unary, type Expr } from "../../compiler/backend/wasm/expr.js";
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
