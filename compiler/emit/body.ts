// Emits the statements of one generated function (predict, loss, or the training step): the
// kernels it needs, in order, with a comment pointing back at the `.net` source whenever the
// source expression changes.
import type { EmitContext, StepProducts } from "../backend/js/context.js";
import { elementCode, matrixIndexer, emitElementwiseKernel, emitSumKernel } from "../backend/js/fused.js";
import { emitMatmul } from "../backend/js/matmul.js";
import { kernelRule, leafRule, scalarRule } from "../backend/js/rules.js";
import type { Node } from "../ir/graph.js";
import { defOf, isElementwise } from "../ops/index.js";
import type { Kernel } from "../schedule.js";
import { commentText } from "./literals.js";
import type { NameManager } from "./names.js";

export interface BodyEnv {
  /** Buffer identifier of a planned tensor, parameter buffer, or argument name of an input. */
  storage(node: Node): string | undefined;
  source: string;
  rows: string;
  /** The statement that runs a kernel in another backend (a wasm export), if it does. */
  call?(kernel: Kernel): string | undefined;
  /** A kernel's per-step products that run in another backend (a wasm export), if they do. */
  products?(kernel: Kernel): StepProducts | undefined;
}

export interface EmittedKernel {
  kernel: Kernel;
  code: string;
}

/**
 * Emits each kernel's statements. Scalars are claimed from `names` and declared where they are
 * computed, unless `closureScalars` is given: then they are claimed there, declared by the
 * caller at closure level, and merely assigned here (for functions split into parts).
 */
export function emitBody(
  kernels: readonly Kernel[],
  env: BodyEnv,
  names: NameManager,
  closureScalars?: { names: NameManager; declared: string[] },
): { kernels: EmittedKernel[]; ref: (n: Node) => string } {
  const scalars = new Map<number, string>();
  const storage = (node: Node): string => {
    const s = scalars.get(node.id) ?? env.storage(node);
    if (s === undefined) throw new Error(`internal: no storage for %${node.id} (${node.op})`);
    return s;
  };
  const ref = (node: Node): string => (defOf(node.op).kind === "leaf" ? leafRule(node)(ctx, node) : storage(node));
  const declare = closureScalars ? (name: string, init: string) => `${name} = ${init};` : (name: string, init: string) => `let ${name} = ${init};`;
  const scalar = (node: Node, args: readonly string[]) => scalarRule(node)(args, node.attrs);
  const ctx: EmitContext = { ref, storage, scalar, local: (base) => names.claim(base), rows: env.rows, declare };
  const out: EmittedKernel[] = [];
  let lastComment = "";
  for (const k of kernels) {
    const node = k.root;
    if (node.shape.length === 0) {
      const name = (closureScalars?.names ?? names).claim(scalarName(node));
      scalars.set(node.id, name);
      closureScalars?.declared.push(name);
    }
    const comment = describe(k.core ?? node, env.source);
    const head = comment && comment !== lastComment ? `// ${comment}\n` : "";
    lastComment = comment || lastComment;
    const products = env.products?.(k);
    out.push({ kernel: k, code: head + (env.call?.(k) ?? emitKernel(products ? { ...ctx, products } : ctx, k)) });
  }
  return { kernels: out, ref };
}

function emitKernel(ctx: EmitContext, k: Kernel): string {
  const root = k.root;
  if (k.core) {
    const epilogue = (i: string, j: string, acc: string) => elementCode(ctx, k, matrixIndexer(ctx, root.shape, i, j), acc);
    return emitMatmul(ctx, k.core, ctx.ref(root), epilogue);
  }
  if (isElementwise(root)) return emitElementwiseKernel(ctx, k);
  if (root.op === "sum") return emitSumKernel(ctx, k);
  return kernelRule(root)(ctx, root);
}

function scalarName(node: Node): string {
  return node.op === "sum" ? "total" : node.op.endsWith("_sum") ? "lossSum" : "s";
}

function describe(node: Node, source: string): string {
  if (!node.span) return "";
  const own = commentText(source.slice(node.span.start, node.span.end));
  // Code from inside a block shows the model line that called it: `h3 = residual(h2, 32) › batchnorm(…)`.
  const inside = node.site && (node.site.start > node.span.start || node.site.end < node.span.end);
  const text = inside ? `${commentText(source.slice(node.site!.start, node.site!.end))} › ${own}` : own;
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return node.grad ? `grad of: ${short}` : short;
}
