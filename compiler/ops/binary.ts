// Elementwise binary ops with broadcasting. The autodiff driver sums each cotangent back to
// its operand's shape, so these rules never deal with broadcasting themselves.
import { broadcastShapes } from "./shape-rules.js";
import type { OpDef } from "./types.js";

function binary(
  name: string,
  scalar: (a: string, b: string) => string,
  fold: (a: number, b: number) => number,
  vjp: OpDef["vjp"],
): OpDef {
  return {
    name,
    kind: "elementwise",
    arity: 2,
    inferShape: ([a, b]) => broadcastShapes(a!, b!),
    scalar: ([a, b]) => scalar(a!, b!),
    fold: ([a, b]) => fold(a!, b!),
    vjp,
  };
}

export const add = binary("add", (a, b) => `${a} + ${b}`, (a, b) => a + b, (_, __, g) => [g, g]);

export const sub = binary("sub", (a, b) => `${a} - ${b}`, (a, b) => a - b, (b, _, g) => [g, b.neg(g)]);

export const mul = binary("mul", (a, b) => `${a} * ${b}`, (a, b) => a * b, (b, node, g) => [
  b.mul(g, node.inputs[1]!),
  b.mul(g, node.inputs[0]!),
]);

// d(a/b)/db = -(a/b)/b: reuses the quotient already computed by the forward pass.
export const div = binary("div", (a, b) => `${a} / ${b}`, (a, b) => a / b, (b, node, g) => [
  b.div(g, node.inputs[1]!),
  b.neg(b.div(b.mul(g, node), node.inputs[1]!)),
]);

// Ties send the gradient to the first operand, as PyTorch's clamp_min does.
export const max = binary("max", (a, b) => `(${a} >= ${b} ? ${a} : ${b})`, Math.max, (b, node, g) => {
  const [x, y] = node.inputs as [typeof node, typeof node];
  const first = b.node("ge", [x, y]);
  return [b.mul(g, first), b.mul(g, b.sub(b.const(1), first))];
});

// The mirror image of max: ties send the gradient to the first operand (b >= a selects it).
export const min = binary("min", (a, b) => `(${a} <= ${b} ? ${a} : ${b})`, Math.min, (b, node, g) => {
  const [x, y] = node.inputs as [typeof node, typeof node];
  const first = b.node("ge", [y, x]);
  return [b.mul(g, first), b.mul(g, b.sub(b.const(1), first))];
});

/** 1 where a >= b, else 0: the selector in max's derivative; not itself differentiable. */
export const ge = binary("ge", (a, b) => `(${a} >= ${b} ? 1 : 0)`, (a, b) => (a >= b ? 1 : 0), () => [null, null]);
