// Fuses an activation into the loss that follows it, before differentiation: bce(sigmoid(z))
// and cross_entropy(softmax(z)) become kernels on the logits z whose gradient is p − y. This
// is what makes those heads both fast and numerically stable.
import type { Rule } from "./rewrite.js";

export const fuseLosses: Rule = (b, node, inputs) => {
  const [p, y] = inputs;
  if (node.op === "bce_sum" && p!.op === "sigmoid") return b.node("sigmoid_bce_sum", [p!.inputs[0]!, y!]);
  // The softmax kernel also reads the probabilities themselves (see ops/losses.ts).
  if (node.op === "ce_sum" && p!.op === "softmax") return b.node("softmax_ce_sum", [p!.inputs[0]!, y!, p!]);
  return undefined;
};
