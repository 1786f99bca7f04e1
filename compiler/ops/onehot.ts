// Turns class indices (a `class(K)` target, one number per row) into one-hot rows. An index
// that is not an integer in [0, K) stops the step with a message naming the row.
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const onehot: OpDef = {
  name: "onehot",
  kind: "other",
  arity: 1,
  inferShape: ([a], attrs) => (a!.length === 1 ? [a![0]!, attrs.classes as number] : `onehot needs one index per row, got ${shapeToString(a!)}`),
  vjp: () => [null],
  emit(ctx, node) {
    const K = node.attrs.classes as number;
    const y = ctx.ref(node.inputs[0]!);
    const out = ctx.ref(node);
    const r = ctx.local("r"), c = ctx.local("c");
    return `${out}.fill(0, 0, ${ctx.rows} * ${K});
for (let ${r} = 0; ${r} < ${ctx.rows}; ${r}++) {
const ${c} = ${y}[${r}];
if (!(${c} >= 0 && ${c} < ${K} && ${c} === Math.floor(${c}))) badLabel(${r}, ${c}, ${K});
${out}[${r} * ${K} + ${c}] = 1;
}`;
  },
};
