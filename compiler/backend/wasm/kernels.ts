// Which of a plan's kernels run in wasm, and as what: a kernel built around a matmul whose
// epilogue has a vector rule for every node becomes a MatmulSpec over addresses in the
// module's linear memory. Every other kernel, and a matmul whose operands or epilogue the wasm
// rules cannot express, stays JavaScript over typed-array views of the same memory (unless it is
// a convolution or a max pooling: image-kernels.ts).
import { sameShape, type Dim as IrDim, type Node, type NodeOf } from "../../ir/graph.js";
import type { OpName } from "../../ir/vocabulary.js";
import type { Kernel } from "../../schedule.js";
import { acc, load, type Expr, type Index } from "./expr.js";
import type { Dim, MatmulSpec } from "./matmul.js";
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
  // A stack of rows ([B,T,d] @ W: dense on a sequence) stays JavaScript: these specs are rank 2.
  if (A.shape.length !== 2 || B.shape.length !== 2) return null;
  const { ta, tb } = core.attrs;
  const [M, N] = core.shape as [IrDim, IrDim];
  const K = ta ? A.shape[0]! : A.shape[1]!;
  const a = memory.address(A), b = memory.address(B), out = memory.address(k.root);
  if (a === undefined || b === undefined || out === undefined || typeof N !== "number") return null;
  const dim = (d: IrDim): Dim => (d === "B" ? { batch: true, max: memory.maxBatch } : d);
  // The kernel's one run-time parameter is the batch: at most one of m and k may be it.
  if (M === "B" && K === "B") return null;
  if (ta ? M === "B" : K === "B" && M !== 1) return null;
  if (tb && K === "B") return null;
  const expr = epilogue(k, core, memory);
  if (!expr) return null;
  return { name, m: dim(M), k: dim(K), n: N, a: { addr: a, trans: ta }, b: { addr: b, trans: tb }, outputs: [{ addr: out, expr }] };
}

/** The root's value as a vector expression over the accumulator and loads, or null. */
function epilogue(k: Kernel, core: Node, memory: KernelMemory): Expr | null {
  const inside = new Set(k.inlined.map((n) => n.id));
  const [rows, cols] = k.root.shape;
  const indexOf = (n: Node): Index | null => {
    if (sameShape(n.shape, k.root.shape)) return "elem";
    const s = n.shape;
    if ((s.length === 1 && s[0] === cols) || (s.length === 2 && s[0] === 1 && s[1] === cols)) return "col";
    if (s.length === 2 && s[0] === rows && s[1] === 1) return "row";
    return null;
  };
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
