// Elementwise activations beyond the core set, each with the derivative written as IR. Where
// the derivative needs a piecewise factor no existing op gives, a small non-differentiable
// "grad" op supplies it (like `step` for relu); those are only ever built by a VJP.
import { lit } from "../emit/literals.js";
import type { Attrs } from "../ir/graph.js";
import { elementwise1 } from "./unary.js";

const alphaOf = (attrs: Attrs) => attrs.alpha as number;

/** 1 for positive inputs, α otherwise: leaky_relu's derivative; not itself differentiable. */
export const leaky_relu_grad = elementwise1(
  "leaky_relu_grad",
  (a, attrs) => `(${a} > 0 ? 1 : ${lit(alphaOf(attrs))})`,
  (a, attrs) => (a > 0 ? 1 : alphaOf(attrs)),
  () => [null],
);

export const leaky_relu = elementwise1(
  "leaky_relu",
  (a, attrs) => `(${a} > 0 ? ${a} : ${lit(alphaOf(attrs))} * ${a})`,
  (a, attrs) => (a > 0 ? a : alphaOf(attrs) * a),
  // For α ≥ 0 the output is positive exactly where the input is, so the derivative can read
  // the output and the input need not be kept for the backward pass.
  (b, y, g) => {
    const alpha = alphaOf(y.attrs);
    return [b.mul(g, b.node("leaky_relu_grad", [alpha >= 0 ? y : y.inputs[0]!], { alpha }))];
  },
);

/**
 * elu's derivative, 1 for x > 0 and α·eˣ otherwise. From the output y (α > 0, where y > 0
 * exactly when x > 0) that is y + α; from the input it is α·eˣ.
 */
export const elu_grad = elementwise1(
  "elu_grad",
  (a, attrs) => (attrs.fromOutput ? `(${a} > 0 ? 1 : ${a} + ${lit(alphaOf(attrs))})` : `(${a} > 0 ? 1 : ${lit(alphaOf(attrs))} * Math.exp(${a}))`),
  (a, attrs) => (a > 0 ? 1 : attrs.fromOutput ? a + alphaOf(attrs) : alphaOf(attrs) * Math.exp(a)),
  () => [null],
);

export const elu = elementwise1(
  "elu",
  (a, attrs) => `(${a} > 0 ? ${a} : ${lit(alphaOf(attrs))} * Math.expm1(${a}))`,
  (a, attrs) => (a > 0 ? a : alphaOf(attrs) * Math.expm1(a)),
  (b, y, g) => {
    const alpha = alphaOf(y.attrs);
    const fromOutput = alpha > 0;
    return [b.mul(g, b.node("elu_grad", [fromOutput ? y : y.inputs[0]!], { alpha, fromOutput }))];
  },
);

/** log(1 + eˣ) computed as max(x, 0) + log1p(e^−|x|), which neither overflows nor loses small values. */
export const softplus = elementwise1(
  "softplus",
  (a) => `(${a} > 0 ? ${a} : 0) + Math.log1p(Math.exp(-Math.abs(${a})))`,
  (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))),
  (b, y, g) => [b.mul(g, b.unary("sigmoid", y.inputs[0]!))],
);

/** x·σ(x) (swish with β = 1). Its derivative σ + y(1 − σ) reuses the output y. */
export const silu = elementwise1(
  "silu",
  (a) => `${a} / (1 + Math.exp(-${a}))`,
  (a) => a / (1 + Math.exp(-a)),
  (b, y, g) => {
    const s = b.unary("sigmoid", y.inputs[0]!);
    return [b.mul(g, b.add(s, b.mul(y, b.sub(b.const(1), s))))];
  },
);

export const sqrt = elementwise1("sqrt", (a) => `Math.sqrt(${a})`, Math.sqrt, (b, y, g) => [b.div(b.mul(b.const(0.5), g), y)]);

/** −1, 0 or 1: abs's derivative (0 at 0, as in PyTorch); not itself differentiable. */
export const sign = elementwise1("sign", (a) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)`, (a) => (a > 0 ? 1 : a < 0 ? -1 : 0), () => [null]);

export const abs = elementwise1("abs", (a) => `Math.abs(${a})`, Math.abs, (b, y, g) => [b.mul(g, b.unary("sign", y.inputs[0]!))]);

export const square = elementwise1("square", (a) => `${a} * ${a}`, (a) => a * a, (b, y, g) => [
  b.mul(g, b.mul(b.const(2), y.inputs[0]!)),
]);

const kOf = (attrs: Attrs) => attrs.k as number;

/** xᵏ for a constant k; small integer and half powers print as plain arithmetic. */
export const pow = elementwise1(
  "pow",
  (a, attrs) => {
    const k = kOf(attrs);
    if (k === 2) return `${a} * ${a}`;
    if (k === 3) return `${a} * ${a} * ${a}`;
    if (k === 0.5) return `Math.sqrt(${a})`;
    if (k === -1) return `1 / ${a}`;
    return `Math.pow(${a}, ${lit(k)})`;
  },
  (a, attrs) => Math.pow(a, kOf(attrs)),
  (b, y, g) => {
    const k = kOf(y.attrs);
    const x = y.inputs[0]!;
    if (k === 0) return [null];
    if (k === 1) return [g];
    const lower = k === 2 ? x : b.node("pow", [x], { k: k - 1 });
    return [b.mul(g, b.mul(b.const(k), lower))];
  },
);

const bounds = (attrs: Attrs) => [attrs.lo as number, attrs.hi as number] as const;

/** 1 inside [lo, hi], 0 outside: clip's derivative (PyTorch's clamp keeps the gradient at the bounds). */
export const clip_grad = elementwise1(
  "clip_grad",
  (a, attrs) => `(${a} >= ${lit(bounds(attrs)[0])} && ${a} <= ${lit(bounds(attrs)[1])} ? 1 : 0)`,
  (a, attrs) => (a >= bounds(attrs)[0] && a <= bounds(attrs)[1] ? 1 : 0),
  () => [null],
);

export const clip = elementwise1(
  "clip",
  (a, attrs) => `(${a} < ${lit(bounds(attrs)[0])} ? ${lit(bounds(attrs)[0])} : ${a} > ${lit(bounds(attrs)[1])} ? ${lit(bounds(attrs)[1])} : ${a})`,
  (a, attrs) => Math.min(Math.max(a, bounds(attrs)[0]), bounds(attrs)[1]),
  (b, y, g) => [b.mul(g, b.node("clip_grad", [y.inputs[0]!], y.attrs))],
);

/**
 * PyTorch's HuberLoss term on a difference d: ½d² where |d| < δ, else δ(|d| − ½δ). Its
 * derivative is d clipped to [−δ, δ].
 */
export const huber = elementwise1(
  "huber",
  (a, attrs) => {
    const delta = attrs.delta as number;
    return `(Math.abs(${a}) < ${lit(delta)} ? 0.5 * ${a} * ${a} : ${lit(delta)} * (Math.abs(${a}) - ${lit(delta / 2)}))`;
  },
  (a, attrs) => {
    const delta = attrs.delta as number;
    return Math.abs(a) < delta ? 0.5 * a * a : delta * (Math.abs(a) - delta / 2);
  },
  (b, y, g) => {
    const delta = y.attrs.delta as number;
    return [b.mul(g, b.node("clip", [y.inputs[0]!], { lo: -delta, hi: delta }))];
  },
);
