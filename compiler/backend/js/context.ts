// What an op's emitter may ask of the code generator: names for storage and loop extents.
import type { Dim, Node, Shape } from "../../ir/graph.js";

export interface EmitContext {
  /** Storage of a node: a Float64Array buffer, a scalar local, a numeric literal, or the row count. */
  ref(node: Node): string;
  /** Where a leaf or planned tensor lives: an argument, a parameter or state array, a work buffer. */
  storage(node: Node): string;
  /** One element of an elementwise node from its operands' expressions (the backend's scalar rule). */
  scalar(node: Node, args: readonly string[]): string;
  /** A new local name that collides with nothing else in the function. */
  local(base: string): string;
  /** The runtime row count (the batch dimension). */
  readonly rows: string;
  /**
   * Declares a scalar result (`let total = 0;`). When a long function is split into parts the
   * scalar lives in the enclosing closure instead, and this becomes a plain assignment.
   */
  declare(name: string, init: string): string;
  /** The kernel's per-step matrix products when another backend runs them (recurrent layers on wasm). */
  products?: StepProducts;
}

/** Matrix products a JavaScript kernel calls once per step instead of computing them itself. */
export interface StepProducts {
  /** Once before the steps (packs a weight matrix), or "". */
  setup: string;
  /** The product of step t. */
  step(t: string): string;
}

/** JS expression for the extent of a dim. */
export function dimExpr(ctx: EmitContext, d: Dim): string {
  return d === "B" ? ctx.rows : String(d);
}

/** JS expression for an element count, constant-folded where the shape is static. */
export function sizeExpr(ctx: EmitContext, shape: Shape): string {
  const fixed = shape.reduce<number>((n, d) => (d === "B" ? n : n * d), 1);
  const batched = shape.includes("B");
  if (!batched) return String(fixed);
  return fixed === 1 ? ctx.rows : `${ctx.rows} * ${fixed}`;
}

/** Row-major strides as JS expressions (static except where a later dim is the batch). */
export function strideExprs(ctx: EmitContext, shape: Shape): string[] {
  const out: string[] = [];
  for (let i = 0; i < shape.length; i++) out.push(sizeExpr(ctx, shape.slice(i + 1)));
  return out;
}

/** `a * s` with the obvious simplifications, so emitted index arithmetic stays readable. */
export function times(a: string, stride: string): string {
  if (stride === "1") return a;
  if (stride === "0" || a === "0") return "0";
  return `${a} * ${stride}`;
}

/** `a*x + b*y + c` for constant factors, without the terms that are zero or the factors that are one. */
export function linear(terms: [string, number][], constant = 0): string {
  const parts = terms.filter(([, f]) => f !== 0).map(([v, f]) => (f === 1 ? v : `${v} * ${f}`));
  if (constant !== 0 || parts.length === 0) parts.push(String(constant));
  return parts.join(" + ").replace(/\+ -/g, "- ");
}

export function plus(terms: string[]): string {
  const kept = terms.filter((t) => t !== "0");
  return kept.length === 0 ? "0" : kept.join(" + ");
}

/** Statements and the final expression computing one element of a fused chain. */
export interface ElementCode {
  stmts: string;
  value: string;
}
