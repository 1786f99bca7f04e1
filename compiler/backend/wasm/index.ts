// The wasm backend's entry: lays the model's memory out in one linear memory (copies of the
// inputs, the parameter, gradient, optimizer-state and running-statistics arenas, the planned
// work arrays, scratch), picks the kernels that run in wasm, and builds the module. The emitter
// (emit/module.ts) then declares every array as a typed-array view at its address and calls the
// wasm kernels by name (a recurrent kernel calls its step's product once per time step); the
// other kernels stay JavaScript over those views.
import type { Graph, Node } from "../../ir/graph.js";
import type { ModelIR } from "../../model.js";
import { OPTIMIZER_STATE } from "../../optim/index.js";
import type { MemoryPlan, Plan } from "../../plan.js";
import type { Kernel } from "../../schedule.js";
import { addElementwise, type ElementwiseSpec } from "./elementwise.js";
import { imageKernels } from "./image-kernels.js";
import { matmulSpec, recurrentStepSpec, type KernelMemory } from "./kernels.js";
import { addMatmul, needsPack, packBytes, type MatmulSpec } from "./matmul.js";
import { buildModule } from "./module.js";
import { ELEMENT_BYTES, VECTOR_BYTES, type DType } from "./simd.js";
import { updateSpec } from "./update.js";

export type { DType } from "./simd.js";

/** Where parameters sit in the parameter arena (emit/module.ts arenaLayout), in elements. */
export interface Arenas {
  offset: ReadonlyMap<string, number>;
  total: number;
  trainable: number;
  segments: readonly { from: number; to: number; lr?: number }[];
}

/** Byte offsets of every array of the generated module in the wasm memory. */
export interface MemoryLayout {
  input: number;
  target: number;
  weights: number;
  grads: number;
  /** Optimizer state arenas, in OPTIMIZER_STATE order. */
  optimizer: number[];
  statsNow: number;
  statsNext: number;
  /** Work arrays by slot index. */
  arrays: number[];
  bytes: number;
}

/** A recurrent kernel's step product: `product(rows, t)`, after `pack()` once per call when it has one. */
export interface StepKernel {
  product: string;
  pack?: string;
}

export interface WasmBuild {
  dtype: DType;
  wasm: Uint8Array;
  layout: MemoryLayout;
  /** Kernels that run in wasm, by the name of their export. */
  calls: Map<Kernel, string>;
  /** JavaScript kernels that call a wasm product per time step (recurrent layers), by its export. */
  steps: Map<Kernel, StepKernel>;
  /** The update kernel of each learning-rate segment (empty: updates run in JavaScript). */
  updates: string[];
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function layoutMemory(model: ModelIR, plan: MemoryPlan, arenas: Arenas, dtype: DType): MemoryLayout {
  const place = placer(dtype);
  const stats = model.state.reduce((n, s) => n + size(s.shape), 0);
  const layout = {
    input: place.next(plan.maxBatch * model.input.width),
    target: place.next(plan.maxBatch * model.target.width),
    weights: place.next(arenas.total),
    grads: place.next(arenas.trainable),
    optimizer: OPTIMIZER_STATE[model.train.optimizer.kind].map(() => place.next(arenas.trainable)),
    statsNow: place.next(stats),
    statsNext: place.next(stats),
    arrays: plan.arrays.map((n) => place.next(n)),
  };
  return { ...layout, bytes: place.end() };
}

/** Builds the kernels of both plans (once when training and evaluation share a graph). */
export async function buildWasm(model: ModelIR, graph: Graph, plan: MemoryPlan, arenas: Arenas, dtype: DType): Promise<WasmBuild> {
  const layout = layoutMemory(model, plan, arenas, dtype);
  const plans: Plan[] = plan.eval.kernels === plan.train.kernels ? [plan.train] : [plan.train, plan.eval];
  const memories = plans.map((p) => ({ plan: p, memory: kernelMemory(model, p, p === plan.train, layout, arenas, plan.maxBatch, dtype) }));
  const updates = updateSpecs(model, arenas, layout, dtype);
  const { wasm, calls, steps } = await buildKernels(memories, layout.bytes, dtype, updates);
  return { dtype, wasm, layout, calls, steps, updates: updates.map((u) => u.name) };
}

/** A standalone predictor's wasm: its memory holds the input rows, the trained tensors and the work arrays. */
export interface PredictorWasmBuild {
  dtype: DType;
  wasm: Uint8Array;
  /** Byte offsets: the input rows, the tensors (laid out as `tensorOffset` says), each work array. */
  layout: { input: number; tensors: number; arrays: number[] };
  calls: Map<Kernel, string>;
  steps: Map<Kernel, StepKernel>;
}

/** Builds the predictor's kernels; `tensorOffset` gives each parameter's and statistic's element offset. */
export async function buildPredictorWasm(
  model: ModelIR,
  plan: Plan,
  tensors: { offset: ReadonlyMap<string, number>; total: number },
  maxBatch: number,
  dtype: DType,
): Promise<PredictorWasmBuild> {
  const place = placer(dtype);
  const layout = { input: place.next(maxBatch * model.input.width), tensors: place.next(tensors.total), arrays: plan.slots.map((s) => place.next(s.size)) };
  const bytes = ELEMENT_BYTES[dtype];
  const address = (node: Node): number | undefined => {
    if (node.op === "input") return node.attrs.name === model.input.name ? layout.input : undefined;
    if (node.op === "param" || node.op === "state") return layout.tensors + tensors.offset.get(node.attrs.name)! * bytes;
    const slot = plan.slotOf.get(node.id);
    return slot ? layout.arrays[slot.index] : undefined;
  };
  const { wasm, calls, steps } = await buildKernels([{ plan, memory: { address, maxBatch } }], place.end(), dtype, []);
  return { dtype, wasm, layout, calls, steps };
}

/** Every array starts on a 16-byte boundary (vector loads of a row start aligned more often). */
function placer(dtype: DType): { next(elements: number): number; end(): number } {
  let end = 0;
  return {
    next(elements) {
      const at = end;
      end += Math.ceil((elements * ELEMENT_BYTES[dtype]) / VECTOR_BYTES) * VECTOR_BYTES;
      return at;
    },
    end: () => end,
  };
}

/** The matmul kernels of the plans, the update kernels, and one packing scratch area after `usedBytes`. */
async function buildKernels(
  plans: { plan: Plan; memory: KernelMemory }[],
  usedBytes: number,
  dtype: DType,
  updates: ElementwiseSpec[],
): Promise<{ wasm: Uint8Array; calls: Map<Kernel, string>; steps: Map<Kernel, StepKernel> }> {
  const specs: MatmulSpec[] = [];
  const calls = new Map<Kernel, string>();
  const steps = new Map<Kernel, StepKernel>();
  for (const { plan, memory } of plans) {
    for (const k of plan.kernels) {
      const spec = matmulSpec(k, `k${specs.length}`, memory);
      if (spec) {
        specs.push(spec);
        calls.set(k, spec.name);
        continue;
      }
      const step = recurrentStepSpec(k, `k${specs.length}`, memory, ELEMENT_BYTES[dtype]);
      if (!step) continue;
      specs.push(step);
      steps.set(k, { product: step.name, ...(step.packExport ? { pack: step.packExport } : {}) });
    }
  }
  // Convolutions and max pooling; the convolutions' scratch areas for padded images come first.
  const images = imageKernels(plans, calls, usedBytes, dtype);
  const scratch = images.scratchEnd;
  // One scratch area for packed operands, as large as the largest kernel needs.
  const scratchBytes = Math.max(0, ...specs.filter((s) => needsPack(s, dtype)).map((s) => packBytes(s, dtype)));
  for (const s of specs) if (needsPack(s, dtype)) s.pack = scratch;
  const wasm = await buildModule({
    dtype,
    memoryBytes: scratch + scratchBytes,
    kernels: (simd) => {
      specs.forEach((s) => addMatmul(simd, s));
      images.add(simd);
      updates.forEach((u) => addElementwise(simd, u));
    },
  });
  return { wasm, calls, steps };
}

/** One update kernel per learning-rate segment of the arenas. */
function updateSpecs(model: ModelIR, arenas: Arenas, layout: MemoryLayout, dtype: DType): ElementwiseSpec[] {
  const bytes = ELEMENT_BYTES[dtype];
  const optimizer = model.train.optimizer;
  return arenas.segments.map((segment, k) =>
    updateSpec(optimizer, {
      name: `update${k}`,
      count: segment.to - segment.from,
      param: layout.weights + segment.from * bytes,
      grad: layout.grads + segment.from * bytes,
      state: layout.optimizer.map((at) => at + segment.from * bytes),
      ...(segment.lr !== undefined ? { lrScale: segment.lr / optimizer.lr } : {}),
      clipped: model.train.clipNorm > 0,
    }),
  );
}

function kernelMemory(model: ModelIR, plan: Plan, training: boolean, layout: MemoryLayout, arenas: Arenas, maxBatch: number, dtype: DType): KernelMemory {
  const bytes = ELEMENT_BYTES[dtype];
  const statOffset = new Map<string, number>();
  let at = 0;
  for (const s of model.state) statOffset.set(s.name, at), (at += size(s.shape));
  const address = (node: Node): number | undefined => {
    switch (node.op) {
      case "input":
        return node.attrs.name === model.input.name ? layout.input : layout.target;
      case "param":
        return layout.weights + arenas.offset.get(node.attrs.name)! * bytes;
      case "state":
        return layout.statsNow + statOffset.get(node.attrs.name)! * bytes;
    }
    // Gradients and new statistics computed straight into their arenas.
    const pinned = training ? plan.pinned.get(node.id) : undefined;
    if (pinned?.startsWith("grad:")) return layout.grads + arenas.offset.get(pinned.slice(5))! * bytes;
    if (pinned?.startsWith("state:")) return layout.statsNext + statOffset.get(pinned.slice(6))! * bytes;
    const slot = plan.slotOf.get(node.id);
    return slot ? layout.arrays[slot.index] : undefined;
  };
  return { address, maxBatch };
}
