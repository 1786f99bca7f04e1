// Loss kernels, each a sum over every element (the caller divides for the mean). The fused
// forms take logits: their gradient w.r.t. the logits is the famous `p − y`, and their
// forward pass is stable for any logit (log-sum-exp, softplus).
import { shapeToString, type Shape } from "../ir/graph.js";
import { sameShapeRule } from "./shape-rules.js";
import type { OpDef } from "./types.js";

// PyTorch's BCELoss: logs clamped at −100 so p = 0 or 1 gives a finite loss, and the same
// ε = 1e-12 floor on p(1−p) in the gradient.
export const bce_sum: OpDef<"bce_sum"> = {
  kind: "kernel",
  arity: 2,
  inferShape: sameShapeRule("bce"),
  vjp: (b, node, g) => {
    const [p, y] = node.inputs;
    const denom = b.max(b.mul(p!, b.sub(b.const(1), p!)), b.const(1e-12));
    return [b.mul(g, b.div(b.sub(p!, y!), denom)), null];
  },
};

/** bce(sigmoid(z), y) from the logits z: max(z,0) − z·y + log(1 + e^−|z|). */
export const sigmoid_bce_sum: OpDef<"sigmoid_bce_sum"> = {
  kind: "kernel",
  arity: 2,
  inferShape: sameShapeRule("bce"),
  vjp: (b, node, g) => {
    const [z, y] = node.inputs;
    return [b.mul(g, b.sub(b.unary("sigmoid", z!), y!)), null];
  },
};

/** −Σ y log p on probabilities, log clamped at −100 like bce. */
export const ce_sum: OpDef<"ce_sum"> = {
  kind: "kernel",
  arity: 2,
  inferShape: sameShapeRule("cross_entropy"),
  vjp: (b, node, g) => {
    const [p, y] = node.inputs;
    return [b.neg(b.mul(g, b.div(y!, b.max(p!, b.const(1e-300))))), null];
  },
};

/** cross_entropy(softmax(z), y) from the logits: Σ_rows (logΣexp z − Σ y·z). */
export const softmax_ce_sum: OpDef<"softmax_ce_sum"> = {
  kind: "kernel",
  // (z, y, p) with p = softmax(z), which the training step computes anyway: taking it as an
  // input lets the loss skip a second round of exponentials.
  arity: 3,
  inferShape: (inputs) => {
    const [z, , p] = inputs as [Shape, Shape, Shape];
    if (shapeToString(z) !== shapeToString(p)) return `internal: softmax_ce_sum needs p of z's shape`;
    return sameShapeRule("cross_entropy")(inputs.slice(0, 2));
  },
  // d/dz = p·Σy − y, which is the famous p − y when each row of y sums to 1; that is known
  // for one-hot rows made from class indices, while a dense target may hold any values.
  vjp: (b, node, g) => {
    const [, y, p] = node.inputs;
    const scaled = y!.op === "onehot" ? p! : b.mul(p!, b.sum(y!, [y!.shape.length - 1], true));
    return [b.mul(g, b.sub(scaled, y!)), null, null];
  },
};
