// gelu, exactly: x·Φ(x) = ½x(1 + erf(x/√2)), and its derivative. JS has no Math.erf, so the
// emitted loops compute erf to full double precision: for |x| < 2.5 the series
// erf x = (2/√π)e^{−x²} Σ 2ⁿx^{2n+1}/(2n+1)!!, whose terms are all positive (no cancellation);
// for 2.5 ≤ |x| < 6 the continued fraction for erfc, evaluated by Lentz's method; beyond 6,
// erf is ±1 in float64. Each path takes at most about 40 iterations.
import { sizeExpr, type EmitContext } from "../emit/context.js";
import type { Node } from "../ir/graph.js";
import type { OpDef } from "./types.js";

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const SQRT_PI = 1.7724538509055159;
const SWITCH = 2.5;
/** Loops have constant bounds (the series needs at most k = 77 below the switch), and break early. */
const SERIES_MAX_K = 121;

/** The same algorithm as the emitted code, for constant folding and tests. */
export function erf(x: number): number {
  const a = Math.abs(x);
  let e: number;
  if (a < SWITCH) {
    const twoA2 = 2 * a * a;
    let term = a;
    let sum = a;
    for (let k = 3; k <= SERIES_MAX_K; k += 2) {
      term *= twoA2 / k;
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    e = sum * TWO_OVER_SQRT_PI * Math.exp(-a * a);
  } else if (a < 6) {
    let f = a;
    let c = a;
    let d = 0;
    for (let n = 1; n <= 100; n++) {
      d = 1 / (a + (n / 2) * d);
      c = a + n / 2 / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    e = 1 - Math.exp(-a * a) / (SQRT_PI * f);
  } else e = a >= 6 ? 1 : a; // NaN stays NaN
  return x < 0 ? -e : e;
}

/** Statements that set `target` (declared by the caller) to erf(`value`), using fresh locals. */
function erfStatements(ctx: EmitContext, value: string, target: string): string {
  const x = ctx.local("x"), a = ctx.local("a"), e = ctx.local("e"), k = ctx.local("k"), term = ctx.local("term"), sum = ctx.local("sum");
  const n = ctx.local("k"), f = ctx.local("f"), c = ctx.local("c"), d = ctx.local("d"), delta = ctx.local("delta");
  return `const ${x} = ${value};
const ${a} = Math.abs(${x});
let ${e} = 0;
if (${a} < ${SWITCH}) {
let ${term} = ${a}, ${sum} = ${a};
for (let ${k} = 3; ${k} <= ${SERIES_MAX_K}; ${k} += 2) {
${term} *= (2 * ${a} * ${a}) / ${k};
${sum} += ${term};
if (${term} <= 1e-17 * ${sum}) break;
}
${e} = ${sum} * ${TWO_OVER_SQRT_PI} * Math.exp(-${a} * ${a});
} else if (${a} < 6) {
let ${f} = ${a}, ${c} = ${a}, ${d} = 0;
for (let ${n} = 1; ${n} <= 100; ${n}++) {
${d} = 1 / (${a} + (${n} / 2) * ${d});
${c} = ${a} + ${n} / 2 / ${c};
const ${delta} = ${c} * ${d};
${f} *= ${delta};
if (Math.abs(${delta} - 1) < 1e-16) break;
}
${e} = 1 - Math.exp(-${a} * ${a}) / (${SQRT_PI} * ${f});
} else ${e} = ${a} >= 6 ? 1 : ${a};
${target} = ${x} < 0 ? -${e} : ${e};`;
}

/** A loop applying `body(value, target)` to every element (or once, for a scalar). */
function mapLoop(ctx: EmitContext, node: Node, body: (value: string, target: string) => string): string {
  const X = node.inputs[0]!;
  const out = ctx.ref(node);
  if (node.shape.length === 0) return `${ctx.declare(out, "0")}\n{\n${body(ctx.ref(X), out)}\n}`;
  const i = ctx.local("i");
  return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, node.shape)}; ${i}++) {\n${body(`${ctx.ref(X)}[${i}]`, `${out}[${i}]`)}\n}`;
}

const INV_SQRT_2PI = 0.3989422804014327;

/** gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)), the exact form (PyTorch's default). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** gelu'(x) = Φ(x) + x·φ(x). */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

export const geluOp: OpDef = {
  name: "gelu",
  kind: "other",
  arity: 1,
  inferShape: ([a]) => a!,
  fold: ([a]) => gelu(a!),
  vjp: (b, node, g) => [b.mul(g, b.node("gelu_grad", [node.inputs[0]!]))],
  emit: (ctx, node) =>
    mapLoop(ctx, node, (value, target) => {
      const x = ctx.local("x"), e = ctx.local("erf");
      return `const ${x} = ${value};\nlet ${e} = 0;\n${erfStatements(ctx, `${x} * ${Math.SQRT1_2}`, e)}\n${target} = 0.5 * ${x} * (1 + ${e});`;
    }),
};

/** The derivative of gelu, Φ(x) + x·φ(x); its own derivative is φ(x)·(2 − x²). */
export const gelu_grad: OpDef = {
  name: "gelu_grad",
  kind: "other",
  arity: 1,
  inferShape: ([a]) => a!,
  fold: ([a]) => geluGrad(a!),
  vjp: (b, node, g) => {
    const x = node.inputs[0]!;
    const x2 = b.mul(x, x);
    const phi = b.mul(b.const(INV_SQRT_2PI), b.unary("exp", b.mul(b.const(-0.5), x2)));
    return [b.mul(g, b.mul(phi, b.sub(b.const(2), x2)))];
  },
  emit: (ctx, node) =>
    mapLoop(ctx, node, (value, target) => {
      const x = ctx.local("x"), e = ctx.local("erf");
      return `const ${x} = ${value};\nlet ${e} = 0;\n${erfStatements(ctx, `${x} * ${Math.SQRT1_2}`, e)}
${target} = 0.5 * (1 + ${e}) + ${x} * ${INV_SQRT_2PI} * Math.exp(-0.5 * ${x} * ${x});`;
    }),
};
