// Elementwise unary ops. Derivatives reuse the op's own output where the math allows
// (sigmoid' = s(1-s), tanh' = 1-t², exp' = exp), so the backward pass recomputes nothing.
import type { Attrs } from "../ir/graph.js";
import type { OpDef } from "./types.js";

/** A one-input elementwise op; its formula may depend on constant attributes (`alpha`, `k`). */
export function elementwise1(
  name: string,
  scalar: (a: string, attrs: Attrs) => string,
  fold: (a: number, attrs: Attrs) => number,
  vjp: OpDef["vjp"],
): OpDef {
  return {
    name,
    kind: "elementwise",
    arity: 1,
    inferShape: ([a]) => a!,
    scalar: ([a], attrs) => scalar(a!, attrs),
    fold: ([a], attrs) => fold(a!, attrs),
    vjp,
  };
}

const unary = elementwise1;

export const neg = unary("neg", (a) => `-${a}`, (a) => -a, (b, _, g) => [b.neg(g)]);

export const exp = unary("exp", (a) => `Math.exp(${a})`, Math.exp, (b, node, g) => [b.mul(g, node)]);

export const log = unary("log", (a) => `Math.log(${a})`, Math.log, (b, node, g) => [b.div(g, node.inputs[0]!)]);

export const sigmoid = unary(
  "sigmoid",
  (a) => `1 / (1 + Math.exp(-${a}))`,
  (a) => 1 / (1 + Math.exp(-a)),
  (b, s, g) => [b.mul(g, b.mul(s, b.sub(b.const(1), s)))],
);

export const tanh = unary("tanh", (a) => `Math.tanh(${a})`, Math.tanh, (b, t, g) => [
  b.mul(g, b.sub(b.const(1), b.mul(t, t))),
]);

export const relu = unary(
  "relu",
  (a) => `(${a} > 0 ? ${a} : 0)`,
  (a) => (a > 0 ? a : 0),
  // step(relu(z)) = step(z): using the output lets z be fused away in the forward pass.
  (b, node, g) => [b.mul(g, b.unary("step", node))],
);

/** Heaviside step, the derivative of relu; its own derivative is zero almost everywhere. */
export const step = unary("step", (a) => `(${a} > 0 ? 1 : 0)`, (a) => (a > 0 ? 1 : 0), () => [null]);
