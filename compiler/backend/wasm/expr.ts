// Elementwise expressions evaluated one vector at a time: a matmul's epilogue (bias, activation,
// derivative mask, accumulation) and the body of a standalone elementwise kernel. A load names
// a buffer (a constant address in linear memory) and how it is indexed at output element (i, j).
import type { ExprRef } from "./binaryen.js";
import type { CompareOp, Simd } from "./simd.js";

/**
 * - elem: the buffer has the output's shape [rows × cols], element (i, j);
 * - col: a row vector [cols] broadcast down the rows (a bias), element j;
 * - row: a column [rows] broadcast across (one value per row), element i;
 * - scalar: one element, the same everywhere (a learning rate set at run time).
 */
export type Index = "elem" | "col" | "row" | "scalar";

export type UnaryOp = "neg" | "abs" | "sqrt" | "relu";
export type BinaryOp = "add" | "sub" | "mul" | "div" | "min" | "max";

export type Expr =
  | { op: "acc" }
  /** The run-time row count (the kernel's parameter), as a float. */
  | { op: "batch" }
  /** A float64 parameter of the kernel after the row count (a learning rate, say). */
  | { op: "param"; index: number }
  | { op: "const"; value: number }
  | { op: "load"; addr: number; index: Index }
  | { op: UnaryOp; x: Expr }
  | { op: BinaryOp; a: Expr; b: Expr }
  | { op: "select"; cmp: CompareOp; a: Expr; b: Expr; then: Expr; else: Expr };

export const acc: Expr = { op: "acc" };
export const batchRows: Expr = { op: "batch" };
export const param = (index: number): Expr => ({ op: "param", index });
export const constant = (value: number): Expr => ({ op: "const", value });
export const load = (addr: number, index: Index = "elem"): Expr => ({ op: "load", addr, index });
export const unary = (op: UnaryOp, x: Expr): Expr => ({ op, x });
export const binary = (op: BinaryOp, a: Expr, b: Expr): Expr => ({ op, a, b });
export const select = (cmp: CompareOp, a: Expr, b: Expr, then: Expr, otherwise: Expr): Expr => ({ op: "select", cmp, a, b, then, else: otherwise });

/** Where one output vector sits: its accumulator (matmul only) and, per index kind, a pointer
 *  expression plus a constant byte offset (added to the buffer's address as the load's offset). */
export interface Site {
  acc?: () => ExprRef;
  address(index: Index): { ptr: () => ExprRef; offset: number };
}

export function emitVector(simd: Simd, expr: Expr, site: Site): ExprRef {
  const go = (e: Expr): ExprRef => emitVector(simd, e, site);
  switch (expr.op) {
    case "acc":
      if (!site.acc) throw new Error("an elementwise kernel's expression has no accumulator");
      return site.acc();
    case "const":
      return simd.splat(expr.value);
    case "batch":
      return simd.batchRows();
    case "param":
      return simd.floatParam(expr.index + 1);
    case "load": {
      const { ptr, offset } = site.address(expr.index);
      const at = expr.addr + offset;
      return expr.index === "row" || expr.index === "scalar" ? simd.loadSplat(at, ptr()) : simd.load(at, ptr());
    }
    case "neg":
      return simd.neg(go(expr.x));
    case "abs":
      return simd.abs(go(expr.x));
    case "sqrt":
      return simd.sqrt(go(expr.x));
    case "relu":
      return simd.pmax(simd.zero(), go(expr.x));
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "min":
    case "max":
      return simd[expr.op](go(expr.a), go(expr.b));
    case "select":
      return simd.select(simd.compare(expr.cmp, go(expr.a), go(expr.b)), go(expr.then), go(expr.else));
  }
}
