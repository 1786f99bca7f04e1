// Buffer planning. Every tensor the training step computes gets a fixed place in a
// preallocated Float64Array sized for the compiled maximum batch; tensors whose lifetimes do
// not overlap share one array. Scalars live in locals and leaves need no storage of their own.
import { formKernels, type Kernel } from "./emit/kernels.js";
import { numel, type Graph, type Node } from "./ir/graph.js";
import type { ModelIR } from "./model.js";
import { OPTIMIZER_STATE } from "./optim/index.js";

export interface Slot {
  index: number;
  /** Elements (float64). */
  size: number;
  tensors: Node[];
}

export interface Plan {
  maxBatch: number;
  /** Kernels (fused loop nests) of the training step, in execution order. */
  kernels: Kernel[];
  /** Materialized nodes (kernel roots), in execution order. */
  schedule: Node[];
  slotOf: Map<number, Slot>;
  slots: Slot[];
  /** Bytes of parameters, optimizer state, and shared work buffers. */
  bytes: { params: number; optimizer: number; work: number; workUnshared: number; total: number };
}

export function needsBuffer(node: Node): boolean {
  return node.shape.length > 0 && node.op !== "input" && node.op !== "param";
}

export function planBuffers(graph: Graph, model: ModelIR, maxBatch: number): Plan {
  const kernels = formKernels(graph);
  const schedule = kernels.map((k) => k.root);
  const position = new Map(schedule.map((n, i) => [n.id, i]));
  const end = new Map<number, number>();
  kernels.forEach((k, i) => {
    for (const input of k.reads) end.set(input.id, Math.max(end.get(input.id) ?? -1, i));
  });
  for (const [name, node] of graph.outputs) if (name.startsWith("grad:")) end.set(node.id, Infinity);

  const slots: Slot[] = [];
  const slotOf = new Map<number, Slot>();
  const busyUntil = new Map<Slot, number>();
  let workUnshared = 0;
  for (const node of schedule) {
    if (!needsBuffer(node)) continue;
    const def = position.get(node.id)!;
    const size = numel(node.shape, maxBatch);
    workUnshared += size * 8;
    const free = slots.filter((s) => busyUntil.get(s)! < def);
    // Best fit: the smallest free slot that is big enough, else grow the biggest free one.
    const fits = free.filter((s) => s.size >= size).sort((a, b) => a.size - b.size || a.index - b.index);
    let slot = fits[0] ?? free.sort((a, b) => b.size - a.size || a.index - b.index)[0];
    if (!slot) {
      slot = { index: slots.length, size: 0, tensors: [] };
      slots.push(slot);
    }
    slot.size = Math.max(slot.size, size);
    slot.tensors.push(node);
    slotOf.set(node.id, slot);
    busyUntil.set(slot, end.get(node.id) ?? def);
  }
  const paramElems = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const params = paramElems * 8;
  const optimizer = params * OPTIMIZER_STATE[model.train.optimizer.kind].length;
  const work = slots.reduce((n, s) => n + s.size * 8, 0);
  return {
    maxBatch,
    kernels,
    schedule,
    slotOf,
    slots,
    bytes: { params, optimizer, work, workUnshared, total: params + optimizer + work },
  };
}
