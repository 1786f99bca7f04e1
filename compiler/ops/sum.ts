// Sum over some axes. Dropped axes (keepdims false) must be leading, so the cotangent can be
// broadcast straight back; trailing reductions keep their dims (softmax's backward, for one).
import { shapeToString, type Dim } from "../ir/graph.js";
import { dimExpr, plus, strideExprs, times } from "../emit/context.js";
import type { OpDef } from "./types.js";

export const sum: OpDef = {
  name: "sum",
  kind: "reduce",
  arity: 1,
  inferShape: ([a], attrs) => {
    const axes = attrs.axes as number[];
    if (axes.some((ax) => ax < 0 || ax >= a!.length)) return `sum axes ${axes} out of range for ${shapeToString(a!)}`;
    if (attrs.keepdims) return a!.map((d, i) => (axes.includes(i) ? 1 : d));
    if (!axes.every((ax, i) => ax === i)) return `internal: sum without keepdims must reduce leading axes`;
    return a!.slice(axes.length);
  },
  vjp: (b, node, g) => [b.broadcastTo(g, node.inputs[0]!.shape)],
  emit(ctx, node) {
    const input = node.inputs[0]!;
    const axes = node.attrs.axes as number[];
    const keep = node.attrs.keepdims as boolean;
    const out = ctx.ref(node);
    const vars = input.shape.map((_, k) => ctx.local(`i${k}`));
    const inIndex = plus(vars.map((v, k) => times(v, strideExprs(ctx, input.shape)[k]!)));
    const kept: { v: string; d: Dim }[] = [];
    input.shape.forEach((d, k) => {
      if (!axes.includes(k)) kept.push({ v: vars[k]!, d });
    });
    const outShape = kept.map((k) => k.d);
    const outStrides = strideExprs(ctx, outShape);
    const outIndex = plus(kept.map((k, j) => times(k.v, outStrides[j]!)));
    const scalarOut = node.shape.length === 0;
    const target = scalarOut ? out : `${out}[${outIndex}]`;
    let body = `${target} += ${ctx.ref(input)}[${inIndex}];`;
    for (let k = input.shape.length - 1; k >= 0; k--) {
      body = `for (let ${vars[k]} = 0; ${vars[k]} < ${dimExpr(ctx, input.shape[k]!)}; ${vars[k]}++) {\n${body}\n}`;
    }
    void keep;
    const init = scalarOut ? `let ${out} = 0;` : `${out}.fill(0, 0, ${outSize(ctx, outShape)});`;
    return `${init}\n${body}`;
  },
};

function outSize(ctx: Parameters<NonNullable<OpDef["emit"]>>[0], shape: readonly Dim[]): string {
  return shape.reduce<string>((acc, d) => (acc === "1" ? dimExpr(ctx, d) : `${acc} * ${dimExpr(ctx, d)}`), "1");
}
