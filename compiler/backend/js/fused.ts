// Code for the elementwise part of a kernel: each inlined node becomes a `const` inside the
// loop body, operands are loaded from their buffers once, and broadcasting is resolved by
// giving each operand an index expression with stride 0 along broadcast dims.
import { sameShape, type Node, type NodeOf, type Shape } from "../../ir/graph.js";
import { isElementwise } from "../../ops/index.js";
import { dimExpr, plus, sizeExpr, strideExprs, times, type ElementCode, type EmitContext } from "./context.js";
import type { Kernel } from "../../schedule.js";


/** Index of `node`'s element at the loop position `vars` over `loopShape` (broadcasting). */
export type Indexer = (node: Node) => string;

export function broadcastIndexer(ctx: EmitContext, loopShape: Shape, vars: readonly string[]): Indexer {
  const loopStrides = strideExprs(ctx, loopShape);
  const flat = plus(vars.map((v, k) => times(v, loopStrides[k]!)));
  return (node) => {
    if (sameShape(node.shape, loopShape)) return flat;
    const offset = loopShape.length - node.shape.length;
    const strides = strideExprs(ctx, node.shape);
    return plus(node.shape.map((d, k) => (d === 1 && loopShape[k + offset] !== 1 ? "0" : times(vars[k + offset]!, strides[k]!))));
  };
}

/**
 * The broadcast indexer for a matmul's epilogue, whose loops run over the product as a matrix:
 * row `i` of all its leading axes, column `j`. A same-shaped operand is `i·N + j` and a bias
 * along the last axis `j`; anything else broadcast over some leading axes recovers them from
 * `i` by division (a position table [T,n] added to [B,T,n], say).
 */
export function matrixIndexer(ctx: EmitContext, rootShape: Shape, i: string, j: string): Indexer {
  if (rootShape.length === 2) return broadcastIndexer(ctx, rootShape, [i, j]);
  const lead = rootShape.slice(0, -1);
  const width = rootShape[rootShape.length - 1]!;
  const leadStrides = strideExprs(ctx, lead);
  // Index k of the leading axes: ⌊i / stride⌋ mod extent (the first axis needs no modulo).
  const digit = (k: number) => {
    const q = leadStrides[k] === "1" ? i : `Math.floor(${i} / ${leadStrides[k]})`;
    return k === 0 ? q : `(${q} % ${dimExpr(ctx, lead[k]!)})`;
  };
  return (node) => {
    if (sameShape(node.shape, rootShape)) return plus([times(i, String(width)), j]);
    const offset = rootShape.length - node.shape.length;
    const strides = strideExprs(ctx, node.shape);
    return plus(node.shape.map((d, k) => {
      const axis = k + offset;
      if (d === 1 && rootShape[axis] !== 1) return "0";
      return times(axis === rootShape.length - 1 ? j : digit(axis), strides[k]!);
    }));
  };
}

/** Statements computing the kernel's elementwise nodes for one element; `core` is the matmul's value. */
export function elementCode(ctx: EmitContext, k: Kernel, index: Indexer, core?: string, upTo: Node = k.root): ElementCode {
  const local = new Map<number, string>();
  const lines: string[] = [];
  const operand = (n: Node): string => {
    const known = local.get(n.id);
    if (known) return known;
    if (n === k.core) return core!;
    if (n.shape.length === 0 || n.op === "const" || n.op === "batch") return ctx.ref(n);
    const v = ctx.local("v");
    lines.push(`const ${v} = ${ctx.ref(n)}[${index(n)}];`);
    local.set(n.id, v);
    return v;
  };
  const chain = [...k.inlined.filter((n) => n !== k.core), ...(upTo === k.root && isElementwise(k.root) ? [k.root] : [])];
  let value = "";
  for (const n of chain) {
    const expr = ctx.scalar(n, n.inputs.map(operand));
    if (n === chain[chain.length - 1]) {
      value = expr;
      break;
    }
    const t = ctx.local("t");
    lines.push(`const ${t} = ${expr};`);
    local.set(n.id, t);
  }
  return { stmts: lines.join("\n"), value };
}

/** An elementwise kernel without a matmul: one loop nest over the root's shape. */
export function emitElementwiseKernel(ctx: EmitContext, k: Kernel): string {
  const root = k.root;
  const out = ctx.ref(root);
  if (root.shape.length === 0) {
    const { stmts, value } = elementCode(ctx, k, () => "0");
    return joinLines(stmts, ctx.declare(out, value));
  }
  const leaves = [...k.reads, ...k.inlined.flatMap((n) => n.inputs), ...root.inputs].filter((n) => n.shape.length > 0);
  if (leaves.every((n) => sameShape(n.shape, root.shape))) {
    const i = ctx.local("i");
    const { stmts, value } = elementCode(ctx, k, () => i);
    return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, root.shape)}; ${i}++) {\n${joinLines(stmts, `${out}[${i}] = ${value};`)}\n}`;
  }
  const vars = loopVars(ctx, root.shape);
  const index = broadcastIndexer(ctx, root.shape, vars);
  const { stmts, value } = elementCode(ctx, k, index);
  return nest(ctx, root.shape, vars, joinLines(stmts, `${out}[${index(root)}] = ${value};`));
}

/** A sum whose input is computed inline: accumulates the elementwise chain without storing it. */
export function emitSumKernel(ctx: EmitContext, k: Kernel): string {
  const root = k.root;
  const input = root.inputs[0]!;
  const axes = (root as NodeOf<"sum">).attrs.axes;
  const out = ctx.ref(root);
  const vars = loopVars(ctx, input.shape);
  const index = broadcastIndexer(ctx, input.shape, vars);
  const { stmts, value } = elementCode(ctx, k, index, undefined, input);
  const lastValue = k.inlined.includes(input) ? value : `${ctx.ref(input)}[${index(input)}]`;
  const keptShape = input.shape.filter((_, d) => !axes.includes(d));
  const keptVars = vars.filter((_, d) => !axes.includes(d));
  const outIndex = plus(keptVars.map((v, d) => times(v, strideExprs(ctx, keptShape)[d]!)));
  const target = root.shape.length === 0 ? out : `${out}[${outIndex}]`;
  const init = root.shape.length === 0 ? ctx.declare(out, "0") : `${out}.fill(0, 0, ${sizeExpr(ctx, keptShape)});`;
  return `${init}\n${nest(ctx, input.shape, vars, joinLines(stmts, `${target} += ${lastValue};`))}`;
}

/** Loop variables for a shape; a dimension of extent 1 has no loop, its only index is the literal 0. */
function loopVars(ctx: EmitContext, shape: Shape): string[] {
  return shape.map((d, k) => (d === 1 ? "0" : ctx.local(`i${k}`)));
}

export function nest(ctx: EmitContext, shape: Shape, vars: readonly string[], body: string): string {
  let code = body;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (vars[d] === "0") continue;
    code = `for (let ${vars[d]} = 0; ${vars[d]} < ${dimExpr(ctx, shape[d]!)}; ${vars[d]}++) {\n${code}\n}`;
  }
  return code;
}

function joinLines(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("\n");
}
