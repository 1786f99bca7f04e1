// The error function, a kernel because a backend computes it with loops (JS has no Math.erf).
// gelu lowers to it: gelu(x) = ½x(1 + erf(x/√2)), the exact form PyTorch uses by default.
import type { OpDef } from "./types.js";

export const TWO_OVER_SQRT_PI = 1.1283791670955126;
export const SQRT_PI = 1.7724538509055159;
/** Below this |x| the series; from here to 6 the continued fraction; beyond 6 erf is ±1 in float64. */
export const ERF_SWITCH = 2.5;
/** The series needs at most k = 77 below the switch; loops have constant bounds and break early. */
export const ERF_SERIES_MAX_K = 121;

/**
 * erf to full double precision: for |x| < 2.5 the series erf x = (2/√π)e^{−x²} Σ 2ⁿx^{2n+1}/(2n+1)!!,
 * whose terms are all positive (no cancellation); for 2.5 ≤ |x| < 6 the continued fraction for
 * erfc, evaluated by Lentz's method. Backends compute exactly this algorithm.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  let e: number;
  if (a < ERF_SWITCH) {
    let term = a;
    let sum = a;
    for (let k = 3; k <= ERF_SERIES_MAX_K; k += 2) {
      term *= (2 * a * a) / k;
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    e = sum * TWO_OVER_SQRT_PI * Math.exp(-a * a);
  } else if (a < 6) {
    let f = a;
    let c = a;
    let d = 0;
    for (let n = 1; n <= 100; n++) {
      d = 1 / (a + (n / 2) * d);
      c = a + n / 2 / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    e = 1 - Math.exp(-a * a) / (SQRT_PI * f);
  } else e = a >= 6 ? 1 : a; // NaN stays NaN
  return x < 0 ? -e : e;
}

export const erfOp: OpDef<"erf"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([a]) => a!,
  fold: ([a]) => erf(a!),
  // erf'(x) = (2/√π)·e^{−x²}
  vjp: (b, node, g) => {
    const x = node.inputs[0]!;
    return [b.mul(g, b.mul(b.const(TWO_OVER_SQRT_PI), b.unary("exp", b.neg(b.mul(x, x)))))];
  },
};
