// The op registry: what every op of the IR's vocabulary (ir/vocabulary.ts) is. Adding an op
// means one entry in the vocabulary, one OpDef here, and one rule in each backend's table; the
// type below makes a missing one a compile error.
import type { Node, Shape } from "../ir/graph.js";
import type { OpKind, OpName } from "../ir/vocabulary.js";
import { attention_mix, attention_scores } from "./attention.js";
import { clip, elu, huber, leaky_relu, mish, silu, softplus } from "./activations.js";
import { add, div, ge, gt, max, min, mul, sub, where } from "./binary.js";
import { broadcast } from "./broadcast.js";
import { concat, slice } from "./concat.js";
import { conv2d, conv2d_backward_input, conv2d_backward_weight } from "./conv.js";
import { erfOp } from "./erf.js";
import { gather, scatter_add } from "./gather.js";
import { batch, constant, input, param, state } from "./leaves.js";
import { bce_sum, ce_sum, sigmoid_bce_sum, softmax_ce_sum } from "./losses.js";
import { matmul } from "./matmul.js";
import { batchnorm, dropout, dropout_mask } from "./norm.js";
import { onehot } from "./onehot.js";
import { avgpool2d, avgpool2d_backward, maxpool2d, maxpool2d_backward } from "./pool.js";
import { recurrent, recurrent_backward } from "./recurrent.js";
import { reshape } from "./reshape.js";
import { log_softmax, softmax } from "./softmax.js";
import { sum } from "./sum.js";
import type { IRBuilder, OpDef } from "./types.js";
import { abs, exp, log, neg, pow, relu, rsqrt, sigmoid, sqrt, square, tanh } from "./unary.js";

export const OPS: { readonly [K in OpName]: OpDef<K> } = {
  input, param, state, const: constant, batch,
  neg, exp, log, sqrt, rsqrt, abs, square, pow, sigmoid, tanh, relu,
  leaky_relu, elu, softplus, silu, mish, clip, huber, broadcast,
  add, sub, mul, div, max, min, gt, ge, where,
  sum,
  matmul, erf: erfOp, softmax, log_softmax, concat, slice, reshape, gather, scatter_add, recurrent, recurrent_backward, attention_scores, attention_mix, onehot, dropout_mask,
  conv2d, conv2d_backward_input, conv2d_backward_weight, maxpool2d, maxpool2d_backward, avgpool2d, avgpool2d_backward,
  bce_sum, sigmoid_bce_sum, ce_sum, softmax_ce_sum,
  dropout, batchnorm,
};

/** An op's definition as seen by code that handles every op alike (autodiff, verify, simplify). */
export interface AnyOpDef {
  readonly kind: OpKind;
  readonly arity: number;
  inferShape(inputs: readonly Shape[], attrs: object): Shape | string;
  vjp?(b: IRBuilder, node: Node, g: Node): (Node | null)[];
  fold?(args: readonly number[], attrs: object): number;
}

export function defOf(op: OpName): AnyOpDef {
  return OPS[op] as unknown as AnyOpDef;
}

/** Elementwise ops with inputs fuse into loops (a const broadcast is a leaf in disguise). */
export function isElementwise(node: Node): boolean {
  return defOf(node.op).kind === "elementwise" && node.inputs.length > 0;
}

export type { OpDef } from "./types.js";
