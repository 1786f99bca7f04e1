// netc's wasm SIMD matmul kernels on the dense-layer products of W4 and W5 (x@W with bias and
// relu, dY@Wᵀ with the relu mask, xᵀ@dY), in f32 and f64, against the native 128-bit SIMD
// ceiling (bench/ceiling-simd.c) measured in alternation with them, so the ratio holds on a
// loaded machine. Writes bench/KERNELS.md.   npx tsx bench/wasm-kernels.ts [--quick]
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { acc, binary, constant, load, select, unary, type Expr } from "../compiler/backend/wasm/expr.js";
import { addMatmul, DEFAULT_TILE, packBytes, type MatmulSpec } from "../compiler/backend/wasm/matmul.js";
import { buildModule } from "../compiler/backend/wasm/module.js";
import type { DType } from "../compiler/backend/wasm/simd.js";
import { measureSimdCeiling } from "./ceiling-simd.js";

const quick = process.argv.includes("--quick");
const seconds = quick ? 0.1 : 0.3;
const rounds = quick ? 1 : 3;

interface Product {
  label: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  epilogue: "plain" | "bias-relu" | "mask";
}

/** The three products of a dense layer [inputs → outputs] at batch B. */
const dense = (name: string, B: number, inputs: number, outputs: number, first: boolean): Product[] => [
  { label: `${name} x@W+b, relu`, m: B, k: inputs, n: outputs, transA: false, transB: false, epilogue: "bias-relu" },
  ...(first ? [] : [{ label: `${name} dY@Wᵀ ⊙ relu′`, m: B, k: outputs, n: inputs, transA: false, transB: true, epilogue: "mask" } as Product]),
  { label: `${name} xᵀ@dY`, m: inputs, k: B, n: outputs, transA: true, transB: false, epilogue: "plain" },
];

const PRODUCTS: Product[] = [
  { label: "ceiling shape 64×784 @ 784×128", m: 64, k: 784, n: 128, transA: false, transB: false, epilogue: "plain" },
  ...dense("W4 layer1 784→128", 64, 784, 128, true),
  ...dense("W4 layer2 128→10", 64, 128, 10, false),
  ...dense("W5 layer2 256→256", 64, 256, 256, false),
  ...dense("W5 layer4 256→10", 64, 256, 10, false),
];

async function kernelFor(dtype: DType, p: Product): Promise<() => void> {
  const bytes = dtype === "f32" ? 4 : 8;
  const a = 64, b = a + p.m * p.k * bytes, c = b + p.k * p.n * bytes, bias = c + p.m * p.n * bytes, z = bias + p.n * bytes, pack = z + p.m * p.n * bytes;
  const epilogue: Record<Product["epilogue"], Expr> = {
    plain: acc,
    "bias-relu": unary("relu", binary("add", acc, load(bias, "col"))),
    mask: select("gt", load(z), constant(0), acc, constant(0)),
  };
  const spec: MatmulSpec = { name: "kernel", m: { batch: true, max: p.m }, k: p.k, n: p.n, a: { addr: a, trans: p.transA }, b: { addr: b, trans: p.transB }, outputs: [{ addr: c, expr: epilogue[p.epilogue] }], pack };
  if (p.transA) (spec.m = p.m), (spec.k = { batch: true, max: p.k });
  const wasm = await buildModule({ dtype, memoryBytes: pack + packBytes(spec, dtype), kernels: (simd) => addMatmul(simd, spec) });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const memory = new (dtype === "f32" ? Float32Array : Float64Array)((instance.exports.memory as WebAssembly.Memory).buffer);
  for (let i = 0; i < memory.length; i++) memory[i] = Math.sin(i) * 0.5;
  const kernel = instance.exports.kernel as (batch: number) => void;
  const batch = p.transA ? p.k : p.m;
  return () => kernel(batch);
}

function gflops(fn: () => void, flop: number): number {
  // V8 runs new wasm in its baseline compiler (Liftoff) and tiers hot functions up to TurboFan
  // on a background thread, which a loaded machine delays: warm up by time, not by calls.
  const warm = performance.now() + 300;
  while (performance.now() < warm) fn();
  let reps = 0;
  const t0 = performance.now();
  let t = 0;
  do {
    fn();
    reps++;
  } while ((t = performance.now() - t0) < seconds * 1000);
  return (flop * reps) / (t / 1000) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: string[][] = [];
const ceilings: Record<DType, number[]> = { f32: [], f64: [] };
const results = new Map<string, number[]>();
const kernels = new Map<string, () => void>();
for (const dtype of ["f32", "f64"] as const) for (const p of PRODUCTS) kernels.set(`${dtype} ${p.label}`, await kernelFor(dtype, p));
let ceilingError = "";
for (let round = 0; round < rounds; round++) {
  const ceiling = measureSimdCeiling();
  if ("error" in ceiling) ceilingError = ceiling.error;
  else (ceilings.f32.push(ceiling.best.f32.gflops), ceilings.f64.push(ceiling.best.f64.gflops));
  for (const dtype of ["f32", "f64"] as const) {
    for (const p of PRODUCTS) {
      const key = `${dtype} ${p.label}`;
      results.set(key, [...(results.get(key) ?? []), gflops(kernels.get(key)!, 2 * p.m * p.k * p.n)]);
    }
  }
}
for (const dtype of ["f32", "f64"] as const) {
  const ceiling = ceilings[dtype].length ? median(ceilings[dtype]) : NaN;
  for (const p of PRODUCTS) {
    const g = median(results.get(`${dtype} ${p.label}`)!);
    rows.push([dtype, p.label, `${p.m}×${p.k} · ${p.k}×${p.n}`, g.toFixed(2), Number.isFinite(ceiling) ? `${((100 * g) / ceiling).toFixed(0)} %` : "—"]);
  }
}

const table = (head: string[], body: string[][]) => [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const md = [
  "# netc wasm SIMD kernels: GFLOP/s and % of the 128-bit SIMD ceiling",
  "",
  `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${cpus()[0]?.model} (${cpus().length} logical cores) · Node ${process.version} · load average ${loadavg()[0]!.toFixed(1)} at the end · ${rounds} round(s) of ${seconds} s per kernel, median. Reproduce: \`npx tsx bench/wasm-kernels.ts\`.`,
  "",
  `Ceiling: bench/ceiling-simd.c, native SSE (128-bit, mul + add, no FMA: what wasm SIMD128 maps to), best register tile on the 64×784 @ 784×128 product, measured in each round before the wasm kernels: f32 ${ceilings.f32.length ? median(ceilings.f32).toFixed(2) : "—"} GFLOP/s, f64 ${ceilings.f64.length ? median(ceilings.f64).toFixed(2) : "—"} GFLOP/s.${ceilingError ? ` (${ceilingError})` : ""}`,
  "",
  `netc tile: ${DEFAULT_TILE.f32.rows} rows × ${DEFAULT_TILE.f32.vecs} vectors (f32: 4 × 8 floats, f64: 4 × 4 doubles); the batch is the run-time dimension; dY@Wᵀ includes packing Wᵀ into panels.`,
  "",
  table(["precision", "product", "shape", "GFLOP/s", "% of ceiling"], rows),
  "",
].join("\n");
writeFileSync(fileURLToPath(new URL("./KERNELS.md", import.meta.url)), md);
process.stdout.write(md);
