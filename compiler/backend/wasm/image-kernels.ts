// Which image kernels of a plan run in wasm (convolutions, max pooling and their derivatives),
// and what they write. A maxpool2d (maxpool2d_backward) kernel becomes a MaxPoolSpec
// (MaxPoolBackwardSpec), a conv2d_backward_weight kernel a ConvWeightSpec. A conv2d kernel (or conv2d_backward_input, itself a
// convolution for stride 1) becomes
// a ConvSpec; when the convolution's only reader is the next elementwise kernel over its output
// (conv + bias, then an activation: the scheduler fuses elementwise work only into matmuls), that
// kernel's expression becomes the convolution's epilogue and the pair runs as one wasm kernel
// at the elementwise kernel's place (its other inputs, such as the reshaped bias, are computed
// by then). The convolution's own output is then never written: nothing else reads it.
import { sameShape, type Node, type NodeOf } from "../../ir/graph.js";
import type { Plan } from "../../plan.js";
import type { Kernel } from "../../schedule.js";
import { addConv, convScratchBytes, type ConvSpec } from "./conv.js";
import { addConvWeight, convWeightScratchBytes, WEIGHT_PLANE_VECTORS, type ConvWeightSpec } from "./conv-weight.js";
import { acc, type Expr, type Index } from "./expr.js";
import { kernelExpression, type KernelMemory } from "./kernels.js";
import type { Dim } from "./matmul.js";
import { addMaxPool, addMaxPoolBackward, type MaxPoolBackwardSpec, type MaxPoolSpec } from "./pool.js";
import type { DType, Simd } from "./simd.js";

/** Up to this many input pixels per channel the image copy into scratch is straight-line code. */
const MAX_PIXELS = 4096;
/** Largest kernel (in taps) whose taps are unrolled (as the JavaScript kernel's TAP_UNROLL). */
const MAX_TAPS = 121;

/**
 * The image kernels of the plans: each one's export name in `calls` (a fused convolution's own
 * kernel maps to "": it emits nothing), the scratch areas they need laid out from byte `scratch`
 * on, and what adds them to the module.
 */
export function imageKernels(plans: readonly { plan: Plan; memory: KernelMemory }[], calls: Map<Kernel, string>, scratch: number, dtype: DType): { scratchEnd: number; add(simd: Simd): void } {
  const convs: ConvSpec[] = [], weightGrads: ConvWeightSpec[] = [], pools: MaxPoolSpec[] = [], poolGrads: MaxPoolBackwardSpec[] = [];
  for (const { plan, memory } of plans) {
    for (const c of convCalls(plan.kernels, memory, `conv${convs.length}_`)) {
      c.spec.scratch = scratch;
      scratch += convScratchBytes(c.spec, dtype);
      convs.push(c.spec);
      calls.set(c.at, c.spec.name);
      if (c.absorbed) calls.set(c.absorbed, "");
    }
    for (const c of convWeightCalls(plan.kernels, memory, `convw${weightGrads.length}_`)) {
      c.spec.scratch = scratch;
      scratch += convWeightScratchBytes(c.spec, dtype);
      weightGrads.push(c.spec);
      calls.set(c.at, c.spec.name);
    }
    for (const p of maxPoolCalls(plan.kernels, memory, `maxpool${pools.length}_`)) {
      pools.push(p.spec);
      calls.set(p.at, p.spec.name);
    }
    for (const p of maxPoolBackwardCalls(plan.kernels, memory, `maxpoolgrad${poolGrads.length}_`)) {
      poolGrads.push(p.spec);
      calls.set(p.at, p.spec.name);
    }
  }
  return {
    scratchEnd: scratch,
    add(simd) {
      convs.forEach((c) => addConv(simd, c));
      weightGrads.forEach((w) => addConvWeight(simd, w));
      pools.forEach((p) => addMaxPool(simd, p));
      poolGrads.forEach((p) => addMaxPoolBackward(simd, p));
    },
  };
}

export interface ConvCall {
  spec: ConvSpec;
  /** The kernel whose place the wasm call takes. */
  at: Kernel;
  /** The conv2d kernel itself when it was fused into `at`: it emits nothing. */
  absorbed?: Kernel;
}

/** The wasm convolutions among `kernels`, named `${prefix}0`, `${prefix}1`, … */
export function convCalls(kernels: readonly Kernel[], memory: KernelMemory, prefix: string): ConvCall[] {
  const calls: ConvCall[] = [];
  kernels.forEach((k, index) => {
    if (k.inlined.length > 0) return;
    const conv = k.root;
    const name = `${prefix}${calls.length}`;
    const base = conv.op === "conv2d" ? convBase(conv, name, memory) : conv.op === "conv2d_backward_input" ? backwardInputBase(conv, name, memory) : null;
    if (!base) return;
    const fused = fusedEpilogue(kernels, index, memory);
    // One convolution per elementwise kernel (conv(a) + conv(b) fuses the first; the second is stored).
    if (fused && !calls.some((c) => c.at === fused.at)) {
      calls.push({ spec: { ...base, outputs: [fused.output] }, at: fused.at, absorbed: k });
      return;
    }
    const out = memory.address(conv);
    if (out !== undefined) calls.push({ spec: { ...base, outputs: [{ addr: out, expr: acc }] }, at: k });
  });
  return calls;
}

/** The wasm max poolings among `kernels` (forward only: the derivative stays JavaScript). */
export function maxPoolCalls(kernels: readonly Kernel[], memory: KernelMemory, prefix: string): { spec: MaxPoolSpec; at: Kernel }[] {
  const calls: { spec: MaxPoolSpec; at: Kernel }[] = [];
  for (const k of kernels) {
    if (k.root.op !== "maxpool2d" || k.inlined.length > 0) continue;
    const X = k.root.inputs[0]!;
    const [N, C, H, W] = X.shape as [Node["shape"][number], number, number, number];
    const x = memory.address(X), out = memory.address(k.root);
    const { k: window } = (k.root as NodeOf<"maxpool2d">).attrs;
    if (x === undefined || out === undefined || window * window > MAX_TAPS) continue;
    const n: Dim = N === "B" ? { batch: true, max: memory.maxBatch } : N!;
    calls.push({ spec: { name: `${prefix}${calls.length}`, n, C, H, W, k: window, x, out }, at: k });
  }
  return calls;
}

/** Max pooling's derivative for windows up to 3×3 (two vector registers per window pixel). */
function maxPoolBackwardCalls(kernels: readonly Kernel[], memory: KernelMemory, prefix: string): { spec: MaxPoolBackwardSpec; at: Kernel }[] {
  const calls: { spec: MaxPoolBackwardSpec; at: Kernel }[] = [];
  for (const k of kernels) {
    if (k.root.op !== "maxpool2d_backward" || k.inlined.length > 0) continue;
    const [X, G] = k.root.inputs as [Node, Node];
    const [N, C, H, W] = X.shape as [Node["shape"][number], number, number, number];
    const x = memory.address(X), g = memory.address(G), out = memory.address(k.root);
    const { k: window } = (k.root as NodeOf<"maxpool2d_backward">).attrs;
    if (x === undefined || g === undefined || out === undefined || window > 3 || H * W > MAX_PIXELS) continue;
    const n: Dim = N === "B" ? { batch: true, max: memory.maxBatch } : N!;
    calls.push({ spec: { name: `${prefix}${calls.length}`, n, C, H, W, k: window, x, g, out }, at: k });
  }
  return calls;
}

/** Largest kernel (in taps) whose weight derivative runs in wasm: one vector register per tap. */
const MAX_WEIGHT_TAPS = 25;
/** Its scratch holds a whole batch of padded images; beyond this (float64 bytes) it stays JavaScript. */
const MAX_WEIGHT_SCRATCH = 16 * 2 ** 20;

/** The wasm weight derivatives among `kernels`: planes of at most WEIGHT_PLANE_VECTORS (f64) pixel vectors. */
export function convWeightCalls(kernels: readonly Kernel[], memory: KernelMemory, prefix: string): { spec: ConvWeightSpec; at: Kernel }[] {
  const calls: { spec: ConvWeightSpec; at: Kernel }[] = [];
  for (const k of kernels) {
    if (k.root.op !== "conv2d_backward_weight" || k.inlined.length > 0) continue;
    const [X, G] = k.root.inputs as [Node, Node];
    const [N, C, H, W] = X.shape as [Node["shape"][number], number, number, number];
    const [, F, OH, OW] = G.shape as number[];
    const { stride, padding, kernel } = (k.root as NodeOf<"conv2d_backward_weight">).attrs;
    const x = memory.address(X), g = memory.address(G), out = memory.address(k.root);
    if (x === undefined || g === undefined || out === undefined || kernel * kernel > MAX_WEIGHT_TAPS || OH! * Math.ceil(OW! / 2) > WEIGHT_PLANE_VECTORS || H * W > MAX_PIXELS) continue;
    const n: Dim = N === "B" ? { batch: true, max: memory.maxBatch } : N!;
    const spec: ConvWeightSpec = { name: `${prefix}${calls.length}`, n, C, H, W, F: F!, k: kernel, stride, padding, x, g, out };
    if (convWeightScratchBytes(spec, "f64") > MAX_WEIGHT_SCRATCH) continue;
    calls.push({ spec, at: k });
  }
  return calls;
}

function convBase(conv: NodeOf<"conv2d">, name: string, memory: KernelMemory): Omit<ConvSpec, "outputs"> | null {
  const [X, Wt] = conv.inputs as [Node, Node];
  const [N, C, H, W] = X.shape as [Node["shape"][number], number, number, number];
  const [F, , k] = Wt.shape as number[];
  const x = memory.address(X), w = memory.address(Wt);
  if (x === undefined || w === undefined || k! * k! > MAX_TAPS || H * W > MAX_PIXELS) return null;
  const n: Dim = N === "B" ? { batch: true, max: memory.maxBatch } : N!;
  return { name, n, C, H, W, F: F!, k: k!, stride: conv.attrs.stride, padding: conv.attrs.padding, x, w };
}

/**
 * dx = Σ over filters and taps of w·g as a convolution of the output gradient [N,F,OH,OW]: for a
 * stride of 1 it is one with F channels and C filters, the taps flipped and padding k-1-p. A
 * larger stride (a convolution with holes) stays JavaScript.
 */
function backwardInputBase(node: NodeOf<"conv2d_backward_input">, name: string, memory: KernelMemory): Omit<ConvSpec, "outputs"> | null {
  const [G, Wt] = node.inputs as [Node, Node];
  const [N, F, OH, OW] = G.shape as [Node["shape"][number], number, number, number];
  const [, C, k] = Wt.shape as number[];
  const { stride, padding } = node.attrs;
  const g = memory.address(G), w = memory.address(Wt);
  if (g === undefined || w === undefined || stride !== 1 || padding > k! - 1 || k! * k! > MAX_TAPS || OH * OW > MAX_PIXELS) return null;
  const n: Dim = N === "B" ? { batch: true, max: memory.maxBatch } : N!;
  return { name, n, C: F, H: OH, W: OW, F: C!, k: k!, stride: 1, padding: k! - 1 - padding, x: g, w, weights: { filterStride: k! * k!, channelStride: C! * k! * k!, flipped: true } };
}

/**
 * The elementwise kernel that reads the convolution at kernels[index] as its only reader, as
 * an epilogue over the accumulator — or null when there is none, when a kernel in between
 * overwrites the convolution's inputs (the fused kernel reads them later than the plan says),
 * or when its output is stored where an input is.
 */
function fusedEpilogue(kernels: readonly Kernel[], index: number, memory: KernelMemory): { at: Kernel; output: { addr: number; expr: Expr } } | null {
  const conv = kernels[index]!.root;
  const readers = kernels.filter((k) => k.reads.includes(conv));
  if (readers.length !== 1) return null;
  const next = readers[0]!;
  const at = kernels.indexOf(next);
  if (next.core || !sameShape(next.root.shape, conv.shape) || at < index) return null;
  const inputs = new Set(conv.inputs.map((n) => memory.address(n)));
  for (const between of kernels.slice(index + 1, at)) if (inputs.has(memory.address(between.root))) return null;
  // The plan may give the elementwise kernel's output the storage of the convolution's input
  // (dead by then): the fused kernel would overwrite images it has not read yet.
  const out = memory.address(next.root);
  if (out === undefined || inputs.has(out)) return null;
  const expr = epilogue(next, conv, memory);
  return expr ? { at: next, output: { addr: out, expr } } : null;
}

/** The kernel's root as a vector expression over the convolution (`acc`) and loads, or null. */
function epilogue(k: Kernel, conv: Node, memory: KernelMemory): Expr | null {
  const shape = conv.shape;
  const indexOf = (n: Node): Index | null => {
    if (sameShape(n.shape, shape)) return "elem";
    // Broadcast against [N, F, OH, OW], aligned on the right: one value, or one per filter.
    const s = n.shape, offset = shape.length - s.length;
    if (offset < 0) return null;
    if (s.every((d) => d === 1)) return "scalar";
    return s.every((d, i) => (i + offset === 1 ? d === shape[1] : d === 1)) ? "row" : null;
  };
  return kernelExpression(k, conv, memory, indexOf);
}
