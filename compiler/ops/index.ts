// The op registry. Adding an op means adding one OpDef file and one line here.
import { abs, clip, clip_grad, elu, elu_grad, huber, leaky_relu, leaky_relu_grad, pow, sign, silu, softplus, sqrt, square } from "./activations.js";
import { add, div, ge, max, min, mul, sub } from "./binary.js";
import { broadcast } from "./broadcast.js";
import { concat, slice } from "./concat.js";
import { geluOp, gelu_grad } from "./gelu.js";
import { batch, constant, input, param } from "./leaves.js";
import { bce_sum, ce_sum, sigmoid_bce_sum, softmax_ce_sum } from "./losses.js";
import { log_softmax } from "./log-softmax.js";
import { matmul } from "./matmul.js";
import { batchnorm, dropout, dropout_mask, rsqrt, state } from "./norm.js";
import { onehot } from "./onehot.js";
import { softmax } from "./softmax.js";
import { sum } from "./sum.js";
import type { OpDef } from "./types.js";
import { exp, log, neg, relu, sigmoid, step, tanh } from "./unary.js";

export const OPS: Readonly<Record<string, OpDef>> = Object.fromEntries(
  [
    input, param, constant, batch,
    neg, exp, log, sigmoid, tanh, relu, step,
    add, sub, mul, div, max, ge, min,
    leaky_relu, leaky_relu_grad, elu, elu_grad, softplus, silu, geluOp, gelu_grad, log_softmax,
    sqrt, abs, sign, square, pow, clip, clip_grad, huber, concat, slice,
    broadcast, sum, matmul, softmax, onehot,
    bce_sum, sigmoid_bce_sum, ce_sum, softmax_ce_sum,
    state, dropout, batchnorm, dropout_mask, rsqrt,
  ].map((op) => [op.name, op]),
);

export type { OpDef } from "./types.js";
