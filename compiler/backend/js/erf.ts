// erf as a JS loop: the algorithm of ops/erf.ts (series below 2.5, continued fraction to 6,
// ±1 beyond), with its constants, inlined per element because JS has no Math.erf.
import type { NodeOf } from "../../ir/graph.js";
import { ERF_SERIES_MAX_K, ERF_SWITCH, SQRT_PI, TWO_OVER_SQRT_PI } from "../../ops/erf.js";
import { sizeExpr, type EmitContext } from "./context.js";

/** Statements that set `target` to erf(`value`), using fresh locals. */
function erfStatements(ctx: EmitContext, value: string, target: string): string {
  const x = ctx.local("x"), a = ctx.local("a"), e = ctx.local("e"), k = ctx.local("k"), term = ctx.local("term"), sum = ctx.local("sum");
  const n = ctx.local("k"), f = ctx.local("f"), c = ctx.local("c"), d = ctx.local("d"), delta = ctx.local("delta");
  return `const ${x} = ${value};
const ${a} = Math.abs(${x});
let ${e} = 0;
if (${a} < ${ERF_SWITCH}) {
let ${term} = ${a}, ${sum} = ${a};
for (let ${k} = 3; ${k} <= ${ERF_SERIES_MAX_K}; ${k} += 2) {
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

export function emitErf(ctx: EmitContext, node: NodeOf<"erf">): string {
  const X = node.inputs[0]!;
  const out = ctx.ref(node);
  if (node.shape.length === 0) return `${ctx.declare(out, "0")}\n{\n${erfStatements(ctx, ctx.ref(X), out)}\n}`;
  const i = ctx.local("i");
  return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, node.shape)}; ${i}++) {\n${erfStatements(ctx, `${ctx.ref(X)}[${i}]`, `${out}[${i}]`)}\n}`;
}
