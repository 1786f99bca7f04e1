// Elementwise binary ops with broadcasting, the comparisons and `where` that piecewise
// derivatives are written with.
import { broadcastShapes, elementwise2 } from "./shape-rules.js";
import type { OpDef } from "./types.js";

export const add = elementwise2<"add">((a, b) => a + b, (_, __, g) => [g, g]);

export const sub = elementwise2<"sub">((a, b) => a - b, (b, _, g) => [g, b.neg(g)]);

export const mul = elementwise2<"mul">((a, b) => a * b, (b, node, g) => [b.mul(g, node.inputs[1]!), b.mul(g, node.inputs[0]!)]);

// d(a/b)/db = -(a/b)/b: reuses the quotient already computed by the forward pass.
export const div = elementwise2<"div">((a, b) => a / b, (b, node, g) => [
  b.div(g, node.inputs[1]!),
  b.neg(b.div(b.mul(g, node), node.inputs[1]!)),
]);

// Ties send the gradient to the first operand, as PyTorch's clamp_min does.
export const max = elementwise2<"max">(Math.max, (b, node, g) => {
  const [x, y] = node.inputs;
  const first = b.ge(x!, y!);
  return [b.mul(g, first), b.mul(g, b.sub(b.const(1), first))];
});

// The mirror image of max: ties send the gradient to the first operand (b >= a selects it).
export const min = elementwise2<"min">(Math.min, (b, node, g) => {
  const [x, y] = node.inputs;
  const first = b.ge(y!, x!);
  return [b.mul(g, first), b.mul(g, b.sub(b.const(1), first))];
});

/** 1 where a > b, else 0; piecewise constant, so its derivative is zero almost everywhere. */
export const gt = elementwise2<"gt">((a, b) => (a > b ? 1 : 0), () => [null, null]);

/** 1 where a >= b, else 0. */
export const ge = elementwise2<"ge">((a, b) => (a >= b ? 1 : 0), () => [null, null]);

/** where(c, a, b): a where c ≠ 0, else b. The gradient goes to the branch that was taken. */
export const where: OpDef<"where"> = {
  kind: "elementwise",
  arity: 3,
  inferShape: ([c, a, b]) => {
    const ab = broadcastShapes(a!, b!);
    return typeof ab === "string" ? ab : broadcastShapes(c!, ab);
  },
  fold: ([c, a, b]) => (c !== 0 ? a! : b!),
  vjp: (b, node, g) => {
    const [c] = node.inputs;
    const zero = b.const(0);
    return [null, b.where(c!, g, zero), b.where(c!, zero, g)];
  },
};
