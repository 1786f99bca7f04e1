// The error function, elementwise; `gelu` is built on it (x·Φ(x) = ½x(1 + erf(x/√2))). JS has
// no Math.erf, so the emitted loop computes it to full double precision: for |x| < 2.5 the
// series erf x = (2/√π)e^{−x²} Σ 2ⁿx^{2n+1}/(2n+1)!!, whose terms are all positive (no
// cancellation); for 2.5 ≤ |x| < 6 the continued fraction for erfc, evaluated by Lentz's method;
// beyond 6, erf is ±1 in float64. Each path takes at most about 40 iterations.
import { sizeExpr, type EmitContext } from "../emit/context.js";
import type { Node } from "../ir/graph.js";
import type { OpDef } from "./types.js";

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const SQRT_PI = 1.7724538509055159;
const SWITCH = 2.5;

/** The same algorithm as the emitted code, for constant folding and tests. */
export function erf(x: number): number {
  const a = Math.abs(x);
  let e: number;
  if (a < SWITCH) {
    const twoA2 = 2 * a * a;
    let term = a;
    let sum = a;
    for (let k = 3; term > 1e-17 * sum; k += 2) {
      term *= twoA2 / k;
      sum += term;
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

/** Statements that set `target` to erf(`value`), using fresh locals from `ctx`. */
function erfStatements(ctx: EmitContext, value: string, target: string): string {
  const x = ctx.local("x"), a = ctx.local("a"), e = ctx.local("e"), k = ctx.local("k"), term = ctx.local("term"), sum = ctx.local("sum");
  const n = ctx.local("k"), f = ctx.local("f"), c = ctx.local("c"), d = ctx.local("d"), delta = ctx.local("delta");
  return `const ${x} = ${value};
const ${a} = Math.abs(${x});
let ${e} = 0;
if (${a} < ${SWITCH}) {
let ${term} = ${a}, ${sum} = ${a};
for (let ${k} = 3; ${term} > 1e-17 * ${sum}; ${k} += 2) {
${term} *= (2 * ${a} * ${a}) / ${k};
${sum} += ${term};
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

export const erfOp: OpDef = {
  name: "erf",
  kind: "other",
  arity: 1,
  inferShape: ([a]) => a!,
  fold: ([a]) => erf(a!),
  // d erf(x)/dx = (2/√π) e^{−x²}
  vjp: (b, node, g) => {
    const x = node.inputs[0]!;
    return [b.mul(g, b.mul(b.const(TWO_OVER_SQRT_PI), b.unary("exp", b.neg(b.mul(x, x)))))];
  },
  emit(ctx, node) {
    const X = node.inputs[0] as Node;
    const out = ctx.ref(node);
    if (node.shape.length === 0) return `let ${out} = 0;\n{\n${erfStatements(ctx, ctx.ref(X), out)}\n}`;
    const i = ctx.local("i");
    return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, node.shape)}; ${i}++) {\n${erfStatements(ctx, `${ctx.ref(X)}[${i}]`, `${out}[${i}]`)}\n}`;
  },
};
