// Activations beyond the core set, each with its derivative written as IR: piecewise factors
// are comparisons and `where`, not ops of their own.
import { elementwise1 } from "./shape-rules.js";

// For α ≥ 0 the output is positive exactly where the input is, so the derivative reads the
// output and the input need not be kept for the backward pass.
export const leaky_relu = elementwise1<"leaky_relu">(
  (a, { alpha }) => (a > 0 ? a : alpha * a),
  (b, y, g) => {
    const alpha = y.attrs.alpha;
    const positive = b.gt(alpha >= 0 ? y : y.inputs[0]!, b.const(0));
    return [b.mul(g, b.where(positive, b.const(1), b.const(alpha)))];
  },
);

// elu' is 1 for x > 0 and α·eˣ otherwise; from the output (α > 0, where y > 0 exactly when
// x > 0) that is y + α, which spares the exponential.
export const elu = elementwise1<"elu">(
  (a, { alpha }) => (a > 0 ? a : alpha * Math.expm1(a)),
  (b, y, g) => {
    const alpha = y.attrs.alpha;
    const x = y.inputs[0]!;
    const fromOutput = alpha > 0;
    const negative = fromOutput ? b.add(y, b.const(alpha)) : b.mul(b.const(alpha), b.unary("exp", x));
    return [b.mul(g, b.where(b.gt(fromOutput ? y : x, b.const(0)), b.const(1), negative))];
  },
);

/** log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|): it neither overflows nor loses small values. */
export const softplus = elementwise1<"softplus">(
  (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))),
  (b, y, g) => [b.mul(g, b.unary("sigmoid", y.inputs[0]!))],
);

/** x·σ(x) (swish with β = 1). Its derivative σ + y(1 − σ) reuses the output y. */
export const silu = elementwise1<"silu">(
  (a) => a / (1 + Math.exp(-a)),
  (b, y, g) => {
    const s = b.unary("sigmoid", y.inputs[0]!);
    return [b.mul(g, b.add(s, b.mul(y, b.sub(b.const(1), s))))];
  },
);

/** x·tanh(softplus(x)). Its derivative is t + x·(1 − t²)·σ(x) with t = tanh(softplus(x)). */
export const mish = elementwise1<"mish">(
  (a) => a * Math.tanh(Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)))),
  (b, y, g) => {
    const x = y.inputs[0]!;
    const t = b.unary("tanh", b.unary("softplus", x));
    const slope = b.mul(b.mul(x, b.sub(b.const(1), b.mul(t, t))), b.unary("sigmoid", x));
    return [b.mul(g, b.add(t, slope))];
  },
);

// PyTorch's clamp passes the gradient where lo <= x <= hi, bounds included.
export const clip = elementwise1<"clip">(
  (a, { lo, hi }) => Math.min(Math.max(a, lo), hi),
  (b, y, g) => {
    const x = y.inputs[0]!;
    return [b.mul(g, b.mul(b.ge(x, b.const(y.attrs.lo)), b.ge(b.const(y.attrs.hi), x)))];
  },
);

/**
 * PyTorch's HuberLoss term on a difference d: ½d² where |d| < δ, else δ(|d| − ½δ). Its
 * derivative is d clipped to [−δ, δ].
 */
export const huber = elementwise1<"huber">(
  (a, { delta }) => (Math.abs(a) < delta ? 0.5 * a * a : delta * (Math.abs(a) - delta / 2)),
  (b, y, g) => [b.mul(g, b.node("clip", [y.inputs[0]!], { lo: -y.attrs.delta, hi: y.attrs.delta }))],
);
