// Buffer planning. Every tensor the training step computes gets a fixed place in a
// preallocated Float64Array sized for the compiled maximum batch; tensors whose lifetimes do
// not overlap share one array. Scalars live in locals and leaves need no storage of their own.
import { formKernels, isLeaf, type Kernel } from "./schedule.js";
import { numel, type Graph, type Node } from "./ir/graph.js";
import { trainableParams, type ModelIR } from "./model.js";
import { OPTIMIZER_STATE } from "./optim/index.js";

export interface Slot {
  index: number;
  /** Elements (float64). */
  size: number;
}

/** Buffer placement for one graph (the training step's, or the evaluation functions'). */
export interface Plan {
  /** Kernels (fused loop nests), in execution order; each root is a materialized node. */
  kernels: Kernel[];
  slotOf: Map<number, Slot>;
  slots: Slot[];
  /** Bytes the graph's tensors would take if none shared storage. */
  unsharedBytes: number;
  /** Output nodes stored in an arena instead of a work array, with their output names (see arenaOutputs). */
  pinned: ReadonlyMap<number, string>;
}

/**
 * Memory for a whole model. The training step and the evaluation functions (predict, loss)
 * never run at the same time, so their slots share arrays by index: array k is as large as
 * the larger of the two slots numbered k.
 */
export interface MemoryPlan {
  maxBatch: number;
  train: Plan;
  eval: Plan;
  /** The input-gradient graph's plan (inputGradients), when there is one. */
  explain?: Plan;
  /** Sizes (in float64 elements) of the shared work arrays. */
  arrays: number[];
  /**
   * `inputs`: copies of up to maxBatch rows of x and y, where predict and loss put the chunks of a
   * larger batch (and standardized inputs), and the standardization's mean and std.
   */
  bytes: { params: number; state: number; optimizer: number; gradients: number; work: number; workUnshared: number; inputs: number; total: number };
}

export function needsBuffer(node: Node): boolean {
  return node.shape.length > 0 && !isLeaf(node);
}

export function planMemory(train: Graph, evaluation: Graph, model: ModelIR, maxBatch: number, explain?: Graph): MemoryPlan {
  const trainPlan = planBuffers(train, maxBatch, arenaOutputs(train));
  // One graph for both modes: predict and loss run subsets of the training step's kernels, in its buffers.
  const evalPlan = evaluation === train ? trainPlan : planBuffers(evaluation, maxBatch);
  // inputGradients runs alone too, so its slots share the same arrays.
  const explainPlan = explain ? planBuffers(explain, maxBatch) : undefined;
  const arrays: number[] = [];
  for (const plan of [trainPlan, evalPlan, ...(explainPlan ? [explainPlan] : [])]) plan.slots.forEach((s, k) => (arrays[k] = Math.max(arrays[k] ?? 0, s.size)));
  const elements = (shapes: { shape: number[] }[]) => shapes.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const params = elements(model.params) * 8;
  const state = elements(model.state) * 8;
  const optimizer = elements(trainableParams(model)) * 8 * OPTIMIZER_STATE[model.train.optimizer.kind].length;
  const gradients = elements(trainableParams(model)) * 8;
  const work = arrays.reduce((n, size) => n + size * 8, 0);
  const workUnshared = Math.max(trainPlan.unsharedBytes, evalPlan.unsharedBytes);
  const inputs = (maxBatch * (model.input.width + model.target.width) + 2 * model.input.width) * 8;
  return {
    maxBatch,
    train: trainPlan,
    eval: evalPlan,
    explain: explainPlan,
    arrays,
    bytes: { params, state, optimizer, gradients, work, workUnshared, inputs, total: params + 2 * state + optimizer + gradients + work + inputs },
  };
}

/**
 * Gradients and new running statistics computed straight into arenas laid out like the
 * parameters and the state, so the optimizer runs one loop per learning-rate segment and the
 * statistics are stored with one copy. An output node shared by two outputs stays in a work
 * array and is copied instead. Keys are output names (`grad:h1.W`, `state:h1.mean`).
 */
export function arenaOutputs(graph: Graph): Map<number, string> {
  const count = new Map<number, number>();
  for (const node of graph.outputs.values()) count.set(node.id, (count.get(node.id) ?? 0) + 1);
  const pinned = new Map<number, string>();
  for (const [name, node] of graph.outputs) {
    if ((name.startsWith("grad:") || name.startsWith("state:")) && count.get(node.id) === 1 && needsBuffer(node)) pinned.set(node.id, name);
  }
  return pinned;
}

export function planBuffers(graph: Graph, maxBatch: number, pinned: ReadonlyMap<number, string> = new Map()): Plan {
  const kernels = formKernels(graph);
  const end = new Map<number, number>();
  kernels.forEach((k, i) => {
    for (const input of k.reads) end.set(input.id, Math.max(end.get(input.id) ?? -1, i));
  });
  // Gradients and new running statistics are read after the last kernel (by the update).
  for (const [name, node] of graph.outputs) if (name.startsWith("grad:") || name.startsWith("state:")) end.set(node.id, Infinity);

  const slots: Slot[] = [];
  const slotOf = new Map<number, Slot>();
  const busyUntil = new Map<Slot, number>();
  let unsharedBytes = 0;
  kernels.forEach(({ root: node }, def) => {
    if (!needsBuffer(node) || pinned.has(node.id)) return;
    const size = numel(node.shape, maxBatch);
    unsharedBytes += size * 8;
    const free = slots.filter((s) => busyUntil.get(s)! < def);
    // Best fit: the smallest free slot that is big enough, else grow the biggest free one.
    const fits = free.filter((s) => s.size >= size).sort((a, b) => a.size - b.size || a.index - b.index);
    let slot = fits[0] ?? free.sort((a, b) => b.size - a.size || a.index - b.index)[0];
    if (!slot) {
      slot = { index: slots.length, size: 0 };
      slots.push(slot);
    }
    slot.size = Math.max(slot.size, size);
    slotOf.set(node.id, slot);
    busyUntil.set(slot, end.get(node.id) ?? def);
  });
  return { kernels, slotOf, slots, unsharedBytes, pinned };
}
