// The op registry. Adding an op means adding one OpDef file and one line here.
import { add, div, ge, max, mul, sub } from "./binary.js";
import { broadcast } from "./broadcast.js";
import { batch, constant, input, param } from "./leaves.js";
import { bce_sum, ce_sum, sigmoid_bce_sum, softmax_ce_sum } from "./losses.js";
import { matmul } from "./matmul.js";
import { onehot } from "./onehot.js";
import { softmax } from "./softmax.js";
import { sum } from "./sum.js";
import type { OpDef } from "./types.js";
import { exp, log, neg, relu, sigmoid, step, tanh } from "./unary.js";

export const OPS: Readonly<Record<string, OpDef>> = Object.fromEntries(
  [
    input, param, constant, batch,
    neg, exp, log, sigmoid, tanh, relu, step,
    add, sub, mul, div, max, ge,
    broadcast, sum, matmul, softmax, onehot,
    bce_sum, sigmoid_bce_sum, ce_sum, softmax_ce_sum,
  ].map((op) => [op.name, op]),
);

export type { OpDef } from "./types.js";
