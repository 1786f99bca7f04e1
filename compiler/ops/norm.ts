// Mode-dependent layers. `dropout` and `batchnorm` stay single nodes through lowering; the
// `specialize` pass (passes/specialize.ts) rewrites them into primitives for the training
// graph (random mask, batch statistics) or the evaluation graph (identity, running statistics).
// They have no VJP of their own: only their specialized forms are ever differentiated.
import { decodeShape, shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const dropout: OpDef<"dropout"> = { kind: "modal", arity: 1, inferShape: ([x]) => x! };

/** batchnorm(x, gamma, beta, runningMean, runningVar) over the batch axis of x[B, F]. */
export const batchnorm: OpDef<"batchnorm"> = {
  kind: "modal",
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
export const dropout_mask: OpDef<"dropout_mask"> = { kind: "kernel", arity: 0, inferShape: (_, attrs) => decodeShape(attrs.shape) };
