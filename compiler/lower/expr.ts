// Lowers expressions to IR. Numbers stay numbers until they meet a tensor; shape errors are
// reported at the expression with both operands' text and shapes.
import type { Expr, Span } from "../../grammar/ast.js";
import { ShapeError } from "../ir/builder.js";
import { shapeToString, type Node } from "../ir/graph.js";
import { lowerCall } from "./builtins.js";
import type { LowerContext, Scope } from "./context.js";
import { num, POISON, tensor, type Value } from "./values.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import { LOSSES } from "./functions.js";

const BINARY_OPS = { "+": "add", "-": "sub", "*": "mul", "/": "div" } as const;

export interface ExprHint {
  /** The activation applied to this expression, so `dense` can pick a matching initializer. */
  activation?: string;
}

export function lowerExpr(ctx: LowerContext, e: Expr, scope: Scope, hint: ExprHint = {}): Value {
  switch (e.kind) {
    case "num":
      return num(e.value);
    case "name":
      return lookup(ctx, e.name, e.span, scope);
    case "neg": {
      const v = lowerExpr(ctx, e.operand, scope);
      if (v.kind === "number") return num(-v.value);
      return v.kind === "tensor" ? tensor(ctx.b.neg(v.node)) : POISON;
    }
    case "binary":
      return lowerBinary(ctx, e as Extract<Expr, { kind: "binary" }>, scope);
    case "call":
      return lowerCall(ctx, e as Extract<Expr, { kind: "call" }>, scope, hint);
  }
}

export function lookup(ctx: LowerContext, name: string, span: Span, scope: Scope): Value {
  if (name.includes(".")) return lookupParam(ctx, name, span, scope);
  const bound = scope.vars.get(name);
  if (bound) return bound.value;
  const later = scope.later.get(name);
  if (later) {
    ctx.diags.error(span, `'${name}' is used before its definition (line ${later.line})`);
  } else if ((LOSSES as readonly string[]).includes(name)) {
    ctx.diags.error(span, `unknown name '${name}' (the shorthand '${name}' for ${name}(OUTPUT, TARGET) works only in a 'loss' statement)`);
  } else {
    const names = [...scope.vars.keys()].filter((n) => n !== "(prev)");
    ctx.diags.error(span, `unknown name '${name}'${didYouMean(name, names)}`);
  }
  return POISON;
}

/** A dotted name (`h1.W`) names a parameter made so far, by its full name. */
function lookupParam(ctx: LowerContext, name: string, span: Span, scope: Scope): Value {
  const param = ctx.params.find((p) => p.name === name);
  if (param) return tensor(param.node);
  const later = scope.later.get(name.slice(0, name.indexOf(".")));
  if (later) {
    ctx.diags.error(span, `'${name}' is used before its definition (line ${later.line})`);
  } else {
    const known = ctx.params.map((p) => p.name);
    ctx.diags.error(span, `unknown parameter '${name}'${didYouMean(name, known)} (parameters: ${known.join(", ") || "none"})`);
  }
  return POISON;
}

function lowerBinary(ctx: LowerContext, e: Extract<Expr, { kind: "binary" }>, scope: Scope): Value {
  const l = lowerExpr(ctx, e.left, scope);
  const r = lowerExpr(ctx, e.right, scope);
  if (l.kind === "poison" || r.kind === "poison") return POISON;
  if (l.kind === "number" && r.kind === "number") {
    const v = { "+": l.value + r.value, "-": l.value - r.value, "*": l.value * r.value, "/": l.value / r.value, "@": NaN }[e.op];
    if (e.op === "@") {
      ctx.diags.error(e.span, `'@' needs two tensors, got two numbers`);
      return POISON;
    }
    return num(v);
  }
  const a = l.kind === "number" ? ctx.b.const(l.value) : l.node;
  const b = r.kind === "number" ? ctx.b.const(r.value) : r.node;
  try {
    if (e.op === "@") {
      if (l.kind === "number" || r.kind === "number") {
        ctx.diags.error(e.span, `'@' needs two tensors, got a number`);
        return POISON;
      }
      return tensor(ctx.b.matmul(a, b));
    }
    return tensor(ctx.b.node(BINARY_OPS[e.op], [a, b]));
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    ctx.diags.error(e.span, e.op === "@" ? matmulMismatch(ctx, e, a, b) : `shape mismatch: '${ctx.text(e.left.span)}' has shape ${describe(a)} but '${ctx.text(e.right.span)}' has shape ${describe(b)} ('${e.op}' needs shapes that broadcast)`);
    return POISON;
  }
}

/** Says which dimensions of `a @ b` disagree, even when both sides look alike (`h1 @ h1`). */
function matmulMismatch(ctx: LowerContext, e: Extract<Expr, { kind: "binary" }>, a: Node, b: Node): string {
  const [left, right] = [ctx.text(e.left.span), ctx.text(e.right.span)];
  const inner = a.shape.at(-1);
  const shapes = `'${left}' has shape ${describe(a)}, '${right}' has shape ${describe(b)}`;
  if (b.shape[0] === "B") {
    return `the right side of '@' must be a matrix of fixed size (like a parameter [${inner ?? "n"},m]), but '${right}' has shape ${describe(b)}, a batch of rows (the left side '${left}' has shape ${describe(a)})`;
  }
  return `shape mismatch in '@': ${shapes}; the last dimension of the left side (${inner}) must equal the first of the right side (${b.shape[0]})`;
}

export function describe(node: Node): string {
  return shapeToString(node.shape);
}
