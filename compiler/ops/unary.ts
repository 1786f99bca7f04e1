// Elementwise one-input math. Derivatives reuse the op's own output where the math allows
// (sigmoid' = s(1-s), tanh' = 1-t², exp' = exp), so the backward pass recomputes nothing.
import { elementwise1 } from "./shape-rules.js";

export const neg = elementwise1<"neg">((a) => -a, (b, _, g) => [b.neg(g)]);

export const exp = elementwise1<"exp">(Math.exp, (b, y, g) => [b.mul(g, y)]);

export const log = elementwise1<"log">(Math.log, (b, y, g) => [b.div(g, y.inputs[0]!)]);

export const sqrt = elementwise1<"sqrt">(Math.sqrt, (b, y, g) => [b.div(b.mul(b.const(0.5), g), y)]);

/** 1/√x: batchnorm's and layernorm's normalizer. d/dx = −½·r³. */
export const rsqrt = elementwise1<"rsqrt">(
  (a) => 1 / Math.sqrt(a),
  (b, r, g) => [b.mul(b.mul(g, b.const(-0.5)), b.mul(r, b.mul(r, r)))],
);

// The derivative of abs at 0 is 0, as in PyTorch: sign(x) = [x > 0] − [x < 0].
export const abs = elementwise1<"abs">(Math.abs, (b, y, g) => {
  const x = y.inputs[0]!;
  const zero = b.const(0);
  return [b.mul(g, b.sub(b.gt(x, zero), b.gt(zero, x)))];
});

export const square = elementwise1<"square">((a) => a * a, (b, y, g) => [b.mul(g, b.mul(b.const(2), y.inputs[0]!))]);

/** xᵏ for a constant k. */
export const pow = elementwise1<"pow">(
  (a, attrs) => Math.pow(a, attrs.k),
  (b, y, g) => {
    const k = y.attrs.k;
    const x = y.inputs[0]!;
    if (k === 0) return [null];
    if (k === 1) return [g];
    const lower = k === 2 ? x : b.node("pow", [x], { k: k - 1 });
    return [b.mul(g, b.mul(b.const(k), lower))];
  },
);

export const sigmoid = elementwise1<"sigmoid">(
  (a) => 1 / (1 + Math.exp(-a)),
  (b, s, g) => [b.mul(g, b.mul(s, b.sub(b.const(1), s)))],
);

export const tanh = elementwise1<"tanh">(Math.tanh, (b, t, g) => [b.mul(g, b.sub(b.const(1), b.mul(t, t)))]);

// [relu(z) > 0] = [z > 0]: reading the output lets z be fused away in the forward pass.
export const relu = elementwise1<"relu">((a) => (a > 0 ? a : 0), (b, y, g) => [b.mul(g, b.gt(y, b.const(0)))]);
