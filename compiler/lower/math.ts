// Calls to the activations and elementwise functions beyond the core set, `concat`, and the
// parameter penalties `l1`/`l2`. Constant arguments (`alpha`, `k`, the bounds of `clip`) must
// be numbers known at compile time: they become attributes of the op, not tensors.
import type { Expr, Span } from "../../grammar/ast.js";
import { ShapeError } from "../ir/builder.js";
import { shapeToString, type Node } from "../ir/graph.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr, type ExprHint } from "./expr.js";
import { num, POISON, tensor, type Value } from "./values.js";

type Call = Extract<Expr, { kind: "call" }>;
export type BoundArgs = Map<string, { expr: Expr; span: Span }>;

/** Functions handled here; `lowerCall` hands them over after checking the arguments. */
export const MATH_FUNCTIONS = new Set([
  "leaky_relu", "elu", "gelu", "identity", "log_softmax", "pow", "max", "min", "clip", "concat", "l1", "l2",
]);

const DEFAULT_ALPHA: Record<string, number> = { leaky_relu: 0.01, elu: 1 };

export function lowerMathCall(ctx: LowerContext, e: Call, args: BoundArgs, scope: Scope): Value {
  const name = e.callee.name;
  const b = ctx.b;
  /** A tensor argument; numbers are refused (an activation of a constant is a constant). */
  const tensorArg = (p: string, hint: ExprHint = {}): Node | undefined => {
    const arg = args.get(p)!;
    const v = lowerExpr(ctx, arg.expr, scope, hint);
    if (v.kind === "tensor") return v.node;
    if (v.kind === "number") ctx.diags.error(arg.span, `argument '${p}' of '${name}' must be a tensor, got a number`);
    return undefined;
  };
  /** A compile-time number, or `fallback` when the argument is optional and absent. */
  const constArg = (p: string, fallback?: number): number | undefined => {
    const arg = args.get(p);
    if (!arg) return fallback;
    const v = lowerExpr(ctx, arg.expr, scope);
    if (v.kind === "number" && Number.isFinite(v.value)) return v.value;
    if (v.kind === "number") ctx.diags.error(arg.span, `argument '${p}' of '${name}' must be a finite number, got ${v.value}`);
    if (v.kind === "tensor") ctx.diags.error(arg.span, `argument '${p}' of '${name}' must be a constant number, got a tensor of shape ${shapeToString(v.node.shape)}`);
    return undefined;
  };
  // Shape rules never fail for one-input elementwise ops; the rest report their own errors.
  const shaped = (build: () => Node, explain: (err: ShapeError) => string): Value => {
    try {
      return tensor(build());
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      ctx.diags.error(e.span, explain(err));
      return POISON;
    }
  };

  switch (name) {
    case "leaky_relu":
    case "elu": {
      const x = tensorArg("x", { activation: name });
      const alpha = constArg("alpha", DEFAULT_ALPHA[name]);
      if (!x || alpha === undefined) return POISON;
      return tensor(b.node(name, [x], { alpha }));
    }
    case "gelu": {
      // ½x(1 + erf(x/√2)), the exact form; erf is the primitive with a rule in each backend.
      const x = tensorArg("x", { activation: name });
      if (!x) return POISON;
      return tensor(b.mul(b.mul(b.const(0.5), x), b.add(b.const(1), b.node("erf", [b.mul(x, b.const(Math.SQRT1_2))]))));
    }
    case "identity": {
      const x = tensorArg("x", { activation: name });
      return x ? tensor(x) : POISON;
    }
    case "log_softmax": {
      const x = tensorArg("x", { activation: name });
      if (!x) return POISON;
      if (x.shape.length === 0) {
        ctx.diags.error(e.span, `log_softmax needs a vector, got a scalar`);
        return POISON;
      }
      return tensor(b.node("log_softmax", [x]));
    }
    case "pow": {
      const x = tensorArg("x");
      const k = constArg("k");
      if (!x || k === undefined) return POISON;
      return tensor(b.node("pow", [x], { k }));
    }
    case "clip": {
      const x = tensorArg("x");
      const lo = constArg("lo");
      const hi = constArg("hi");
      if (!x || lo === undefined || hi === undefined) return POISON;
      if (!(lo <= hi)) {
        ctx.diags.error(e.span, `'clip' needs lo <= hi, got ${lo} and ${hi}`);
        return POISON;
      }
      return tensor(b.node("clip", [x], { lo, hi }));
    }
    case "max":
    case "min": {
      const [av, bv] = (["a", "b"] as const).map((p) => lowerExpr(ctx, args.get(p)!.expr, scope));
      if (av!.kind === "poison" || bv!.kind === "poison") return POISON;
      if (av!.kind === "number" && bv!.kind === "number") return num(Math[name](av!.value, bv!.value));
      const [x, y] = [av!, bv!].map((v) => (v.kind === "number" ? b.const(v.value) : (v as { node: Node }).node)) as [Node, Node];
      const text = (p: string) => ctx.text(args.get(p)!.span);
      return shaped(
        () => b.node(name, [x, y]),
        () => `shape mismatch: '${text("a")}' has shape ${shapeToString(x.shape)} but '${text("b")}' has shape ${shapeToString(y.shape)} ('${name}' needs shapes that broadcast)`,
      );
    }
    case "concat": {
      const x = tensorArg("a");
      const y = tensorArg("b");
      if (!x || !y) return POISON;
      const text = (p: string) => ctx.text(args.get(p)!.span);
      return shaped(
        () => b.node("concat", [x, y]),
        () => `shape mismatch: 'concat' joins the last axis and needs every other dimension equal, but '${text("a")}' has shape ${shapeToString(x.shape)} and '${text("b")}' has shape ${shapeToString(y.shape)}`,
      );
    }
    case "l1":
    case "l2": {
      const x = tensorArg("x");
      if (!x) return POISON;
      return tensor(b.sumAll(b.node(name === "l1" ? "abs" : "square", [x])));
    }
  }
  throw new Error(`internal: '${name}' is not a math function`);
}
