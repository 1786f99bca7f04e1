// Which of a plan's kernels run in wasm, and as what: a kernel built around a matmul whose
// epilogue has a vector rule for every node becomes a MatmulSpec over addresses in the
// module's linear memory (a stack of rows [B,T,d] is B·T rows). A recurrent kernel stays
// JavaScript for its cell equations but gets a MatmulSpec for its step's hidden products,
// which it calls once per time step. Every other kernel, and a matmul whose operands or
// epilogue the wasm rules cannot express, stays JavaScript over typed-array views of the same
// memory, unless it is a convolution or a max pooling (image-kernels.ts).
import { sameShape, type Node, type NodeOf, type Shape } from "../../ir/graph.js";
import type { OpName } from "../../ir/vocabulary.js";
import { matrixView } from "../../ops/matmul.js";
import { BACKWARD, GATES, HIDDEN_GRADS_AT, HIDDEN_PRODUCTS_AT, STASH, TAPE } from "../../ops/recurrent.js";
import type { Kernel } from "../../schedule.js";
import { acc, load, type Expr, type Index } from "./expr.js";
import { maxOf, type Dim, type MatmulSpec } from "./matmul.js";
import { WASM_RULES, type VectorRule } from "./rules.js";

export interface KernelMemory {
  /** Byte address of a node's storage in linear memory (planned buffer or leaf), if it has one. */
  address(node: Node): number | undefined;
  maxBatch: number;
}

/** The matmul kernel for `k`, or null when it runs as JavaScript. */
export function matmulSpec(k: Kernel, name: string, memory: KernelMemory): MatmulSpec | null {
  const core = k.core ?? (k.root.op === "matmul" ? (k.root as NodeOf<"matmul">) : undefined);
  if (!core || !sameShape(core.shape, k.root.shape)) return null;
  const [A, B] = core.inputs as [Node, Node];
  const { ta, tb } = core.attrs;
  // A stack of rows ([B,T,d] @ W: dense on a sequence) is one matrix of B·T rows.
  const viewA = matrixView(A.shape, ta), viewB = matrixView(B.shape, tb);
  const M = flatDim(viewA.rows, memory.maxBatch), K = flatDim(viewA.cols, memory.maxBatch), N = flatDim(viewB.cols, memory.maxBatch);
  const a = memory.address(A), b = memory.address(B), out = memory.address(k.root);
  if (a === undefined || b === undefined || out === undefined || typeof N !== "number" || M === null || K === null) return null;
  // The kernel's one run-time parameter is the batch: at most one of m and k may be it.
  const batched = (d: Dim) => typeof d !== "number";
  if (batched(M) && batched(K)) return null;
  if (ta ? batched(M) : batched(K) && maxOf(M) !== 1) return null;
  if (tb && batched(K)) return null;
  const expr = epilogue(k, core, memory);
  if (!expr) return null;
  return { name, m: M, k: K, n: N, a: { addr: a, trans: ta }, b: { addr: b, trans: tb }, outputs: [{ addr: out, expr }] };
}

/** Axes laid end to end as one dimension: a constant, the batch times a constant, or null (the batch twice). */
function flatDim(axes: Shape, maxBatch: number): Dim | null {
  const times = axes.reduce<number>((n, d) => (d === "B" ? n : n * d), 1);
  const batches = axes.filter((d) => d === "B").length;
  if (batches > 1) return null;
  return batches === 0 ? times : { batch: true, max: maxBatch * times, ...(times === 1 ? {} : { times }) };
}

/**
 * The matrix product of one time step of a recurrent kernel, or null when it stays JavaScript:
 * forward, h₋₁·W_hh + b_hh from a step's rows of the tape into its hidden-product blocks;
 * backward, the next step's hidden-product gradients times W_hhᵀ added to the gradient reaching
 * h_t, which the JavaScript kernel has stashed in the step's output row. Called with the batch
 * and the step t; each sum starts from the value the JavaScript backend's starts from, so the
 * float64 results are the same bit for bit. The backward's W_hhᵀ is packed once per call of
 * the kernel by the export `${name}p`.
 */
export function recurrentStepSpec(k: Kernel, name: string, memory: KernelMemory, bytes: number): MatmulSpec | null {
  const node = k.root;
  if (node.op !== "recurrent" && node.op !== "recurrent_backward") return null;
  const { cell } = (node as NodeOf<"recurrent">).attrs;
  const [first, W] = node.inputs as [Node, Node];
  const tapeNode = node.op === "recurrent" ? node : first;
  const n = W.shape[0] as number, gn = GATES[cell] * n, T = tapeNode.shape[1] as number;
  const tapeRow = TAPE[cell].length * n, gradRow = BACKWARD[cell].length * n;
  const rows: Dim = { batch: true, max: memory.maxBatch };
  if (node.op === "recurrent") {
    const tape = memory.address(node), w = memory.address(W), bias = memory.address(node.inputs[2]!);
    if (tape === undefined || w === undefined || bias === undefined) return null;
    return {
      name,
      m: rows,
      k: n,
      n: gn,
      a: { addr: tape + n * bytes, trans: false }, // h₋₁, the tape's second block
      b: { addr: w, trans: false },
      rowStride: { a: T * tapeRow, c: T * tapeRow },
      step: tapeRow,
      init: load(bias, "col"),
      outputs: [{ addr: tape + HIDDEN_PRODUCTS_AT[cell] * n * bytes, expr: acc }],
    };
  }
  const out = memory.address(node), w = memory.address(W);
  if (out === undefined || w === undefined) return null;
  const stash = out + STASH[cell] * n * bytes;
  return {
    name,
    m: rows,
    k: gn,
    n,
    a: { addr: out + (gradRow + HIDDEN_GRADS_AT[cell] * n) * bytes, trans: false }, // step t + 1's row
    b: { addr: w, trans: true },
    rowStride: { a: T * gradRow, c: T * gradRow },
    step: gradRow,
    init: load(stash, "elem"),
    outputs: [{ addr: stash, expr: acc }],
    packExport: `${name}p`,
  };
}

/** The root's value as a vector expression over the accumulator and loads, or null. */
function epilogue(k: Kernel, core: Node, memory: KernelMemory): Expr | null {
  // The root's rows are all its leading axes (a stack of rows), its columns the last.
  const root = k.root.shape;
  const rows = root.slice(0, -1), cols = root[root.length - 1];
  const indexOf = (n: Node): Index | null => {
    const s = n.shape;
    if (sameShape(s, root)) return "elem";
    if (s[s.length - 1] === cols && s.slice(0, -1).every((d) => d === 1)) return "col";
    if (s.length === root.length && s[s.length - 1] === 1 && sameShape(s.slice(0, -1), rows)) return "row";
    return null;
  };
  return kernelExpression(k, core, memory, indexOf);
}

/**
 * Kernel `k`'s root as a vector expression: `core` (the matmul or convolution whose result the
 * kernel finishes) is the accumulator, the kernel's inlined nodes apply their vector rules, and
 * everything else is a load, indexed as `indexOf` says, or null when some node has no rule or
 * no indexing.
 */
export function kernelExpression(k: Kernel, core: Node, memory: KernelMemory, indexOf: (n: Node) => Index | null): Expr | null {
  const inside = new Set(k.inlined.map((n) => n.id));
  const build = (n: Node): Expr | null => {
    if (n === core) return acc;
    const rule = WASM_RULES[n.op as OpName];
    if (n !== k.root && !inside.has(n.id)) {
      // Read from memory, or computed from the leaf's attributes (const, batch).
      if (typeof rule === "function" && (n.op === "const" || n.op === "batch")) return (rule as VectorRule<OpName>)([], n.attrs as never);
      const at = memory.address(n);
      const index = indexOf(n);
      return at === undefined || index === null ? null : load(at, index);
    }
    if (typeof rule !== "function") return null;
    const args: Expr[] = [];
    for (const input of n.inputs) {
      const e = build(input);
      if (!e) return null;
      args.push(e);
    }
    return (rule as VectorRule<OpName>)(args, n.attrs as never);
  };
  return build(k.root);
}
