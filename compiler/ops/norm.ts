// Mode-dependent layers. `dropout` and `batchnorm` stay single nodes through lowering; the
// `specialize` pass (passes/specialize.ts) rewrites them into primitives for the training
// graph (random mask, batch statistics) or the evaluation graph (identity, running statistics).
// They have no VJP of their own: only their specialized forms are ever differentiated.
import { decodeShape } from "../ir/builder.js";
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

/** Non-trainable model state (batchnorm's running mean and variance), saved with the weights. */
export const state: OpDef = {
  name: "state",
  kind: "leaf",
  arity: 0,
  inferShape: (_, attrs) => attrs.shape as number[],
};

export const dropout: OpDef = {
  name: "dropout",
  kind: "other",
  arity: 1,
  inferShape: ([x]) => x!,
};

/** batchnorm(x, gamma, beta, runningMean, runningVar) over the batch axis of x[B, F]. */
export const batchnorm: OpDef = {
  name: "batchnorm",
  kind: "other",
  arity: 5,
  inferShape: ([x, gamma]) =>
    x!.length === 2 && x![0] === "B" && gamma!.length === 1 && gamma![0] === x![1]
      ? x!
      : `batchnorm needs a batch of vectors [B,F], got ${shapeToString(x!)}`,
};

/**
 * The inverted-dropout mask for one training step: each element is 0 with probability p,
 * else 1/(1−p). Drawn from the model's seeded dropout generator, so masks are reproducible.
 */
export const dropout_mask: OpDef = {
  name: "dropout_mask",
  kind: "other",
  arity: 0,
  inferShape: (_, attrs) => decodeShape(attrs.shape as number[]),
  emit(ctx, node) {
    const p = node.attrs.p as number;
    const out = ctx.ref(node);
    const i = ctx.local("i");
    const size = (node.attrs.shape as number[]).reduce((a, d) => (d === -1 ? a : a * d), 1);
    return `for (let ${i} = 0; ${i} < ${ctx.rows} * ${size}; ${i}++) ${out}[${i}] = nextDropout() < ${p} ? 0 : ${1 / (1 - p)};`;
  },
};

/** 1/√x, elementwise: batchnorm's and layernorm's normalizer. d/dx = −½·r³. */
export const rsqrt: OpDef = {
  name: "rsqrt",
  kind: "elementwise",
  arity: 1,
  inferShape: ([a]) => a!,
  scalar: ([a]) => `1 / Math.sqrt(${a})`,
  fold: ([a]) => 1 / Math.sqrt(a!),
  vjp: (b, r, g) => [b.mul(b.mul(g, b.const(-0.5)), b.mul(r, b.mul(r, r)))],
};
