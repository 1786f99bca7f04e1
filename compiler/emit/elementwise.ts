// One loop emitter for every elementwise op: broadcasting is resolved here, once, by giving
// each operand an index expression (stride 0 along broadcast dims).
import { sameShape, type Node } from "../ir/graph.js";
import { OPS } from "../ops/index.js";
import { dimExpr, plus, sizeExpr, strideExprs, times, type EmitContext } from "./context.js";

export function emitElementwise(ctx: EmitContext, node: Node): string {
  const def = OPS[node.op]!;
  const out = ctx.ref(node);
  if (node.shape.length === 0) {
    return `const ${out} = ${def.scalar!(node.inputs.map((i) => ctx.ref(i)), node.attrs)};`;
  }
  const flat = node.inputs.every((i) => i.shape.length === 0 || sameShape(i.shape, node.shape));
  if (flat) {
    const i = ctx.local("i");
    const { loads, args } = operands(ctx, node, () => i);
    return `for (let ${i} = 0; ${i} < ${sizeExpr(ctx, node.shape)}; ${i}++) {\n${loads}${out}[${i}] = ${def.scalar!(args, node.attrs)};\n}`;
  }
  const vars = node.shape.map((_, k) => ctx.local(`i${k}`));
  const outIndex = plus(vars.map((v, k) => times(v, strideExprs(ctx, node.shape)[k]!)));
  const { loads, args } = operands(ctx, node, (input) => broadcastIndex(ctx, node, input, vars));
  let body = `${loads}${out}[${outIndex}] = ${def.scalar!(args, node.attrs)};`;
  for (let k = node.shape.length - 1; k >= 0; k--) {
    const v = vars[k]!;
    body = `for (let ${v} = 0; ${v} < ${dimExpr(ctx, node.shape[k]!)}; ${v}++) {\n${body}\n}`;
  }
  return body;
}

/** Binds each buffer operand to a local, so ops that use an operand twice read it once. */
function operands(ctx: EmitContext, node: Node, index: (input: Node) => string) {
  let loads = "";
  const args = node.inputs.map((input) => {
    if (input.shape.length === 0) return ctx.ref(input);
    const v = ctx.local("v");
    loads += `const ${v} = ${ctx.ref(input)}[${index(input)}];\n`;
    return v;
  });
  return { loads, args };
}

function broadcastIndex(ctx: EmitContext, node: Node, input: Node, vars: string[]): string {
  const offset = node.shape.length - input.shape.length;
  const strides = strideExprs(ctx, input.shape);
  return plus(input.shape.map((d, k) => (d === 1 && node.shape[k + offset] !== 1 ? "0" : times(vars[k + offset]!, strides[k]!))));
}
