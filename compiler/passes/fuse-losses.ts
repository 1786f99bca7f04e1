// Fuses an activation into the loss that follows it, before differentiation: bce(sigmoid(z))
// and cross_entropy(softmax(z)) become kernels on the logits z whose gradient is p − y. This
// is what makes those heads both fast and numerically stable.
import type { Rule } from "./rewrite.js";

const FUSIONS: Record<string, { activation: string; fused: string }> = {
  bce_sum: { activation: "sigmoid", fused: "sigmoid_bce_sum" },
  ce_sum: { activation: "softmax", fused: "softmax_ce_sum" },
};

export const fuseLosses: Rule = (b, node, inputs) => {
  const fusion = FUSIONS[node.op];
  const [p, y] = inputs;
  if (!fusion || !p || !y || p.op !== fusion.activation) return undefined;
  // The softmax kernel also reads the probabilities themselves (see ops/losses.ts).
  return b.node(fusion.fused, fusion.fused === "softmax_ce_sum" ? [p.inputs[0]!, y, p] : [p.inputs[0]!, y]);
};
