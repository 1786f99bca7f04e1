// The JavaScript backend's rule table: how each op of the IR's vocabulary is computed in the
// emitted TypeScript. Elementwise ops give the expression for one element (the kernel former
// fuses chains of them into one loop); kernels emit their own loop nest; leaves are read where
// they live. The mapped type makes a missing or mis-shaped rule a compile error.
import type { Node, NodeOf } from "../../ir/graph.js";
import type { AttrsOf, KindOf, OpName, OpsOfKind } from "../../ir/vocabulary.js";
import { lit } from "../../emit/literals.js";
import type { EmitContext } from "./context.js";
import { emitAttentionMix, emitAttentionScores } from "./attention.js";
import { emitErf } from "./erf.js";
import { emitGather, emitScatterAdd } from "./gather.js";
import { emitSumKernel } from "./fused.js";
import { emitBceSum, emitCeSum, emitSigmoidBceSum, emitSoftmaxCeSum } from "./losses.js";
import { emitMatmul } from "./matmul.js";
import { emitConcat, emitDropoutMask, emitOnehot, emitReshape, emitSlice } from "./shape-ops.js";
import { emitConv2d, emitConv2dBackwardInput, emitConv2dBackwardWeight } from "./conv.js";
import { emitAvgpool2d, emitAvgpool2dBackward, emitMaxpool2d, emitMaxpool2dBackward } from "./pool.js";
import { emitRecurrent, emitRecurrentBackward } from "./recurrent.js";
import { emitLogSoftmax, emitSoftmax } from "./softmax.js";

/** One element's value from its operands' expressions (always plain identifiers or literals). */
export interface ScalarRule<K extends OpName> {
  scalar(args: readonly string[], attrs: AttrsOf<K>): string;
}
/** Statements that compute the node into its buffer (or declare its scalar local). */
export interface KernelRule<K extends OpName> {
  emit(ctx: EmitContext, node: NodeOf<K>): string;
}
/** How a leaf is read: a literal, the row count, or the storage it lives in. */
export interface LeafRule<K extends OpName> {
  read(ctx: EmitContext, node: NodeOf<K>): string;
}

export type JsRule<K extends OpName> =
  KindOf<K> extends "elementwise" ? ScalarRule<K>
  : KindOf<K> extends "leaf" ? LeafRule<K>
  : KindOf<K> extends "modal" ? null // rewritten into primitives by passes/specialize.ts
  : KernelRule<K>;

const stored = { read: (ctx: EmitContext, node: Node) => ctx.storage(node) };
const softplus = (a: string) => `(${a} > 0 ? ${a} : 0) + Math.log1p(Math.exp(-Math.abs(${a})))`;

export const JS_RULES: { readonly [K in OpName]: JsRule<K> } = {
  input: stored,
  param: stored,
  state: stored,
  const: { read: (_, node) => lit(node.attrs.value) },
  batch: { read: (ctx) => ctx.rows },

  neg: { scalar: ([a]) => `-${a}` },
  exp: { scalar: ([a]) => `Math.exp(${a})` },
  log: { scalar: ([a]) => `Math.log(${a})` },
  sqrt: { scalar: ([a]) => `Math.sqrt(${a})` },
  rsqrt: { scalar: ([a]) => `1 / Math.sqrt(${a})` },
  abs: { scalar: ([a]) => `Math.abs(${a})` },
  square: { scalar: ([a]) => `${a} * ${a}` },
  // Small integer and half powers print as plain arithmetic.
  pow: {
    scalar: ([a], { k }) =>
      k === 2 ? `${a} * ${a}` : k === 3 ? `${a} * ${a} * ${a}` : k === 0.5 ? `Math.sqrt(${a})` : k === -1 ? `1 / ${a}` : `Math.pow(${a}, ${lit(k)})`,
  },
  sigmoid: { scalar: ([a]) => `1 / (1 + Math.exp(-${a}))` },
  tanh: { scalar: ([a]) => `Math.tanh(${a})` },
  relu: { scalar: ([a]) => `(${a} > 0 ? ${a} : 0)` },
  leaky_relu: { scalar: ([a], { alpha }) => `(${a} > 0 ? ${a} : ${lit(alpha)} * ${a})` },
  elu: { scalar: ([a], { alpha }) => `(${a} > 0 ? ${a} : ${lit(alpha)} * Math.expm1(${a}))` },
  softplus: { scalar: ([a]) => softplus(a!) },
  silu: { scalar: ([a]) => `${a} / (1 + Math.exp(-${a}))` },
  mish: { scalar: ([a]) => `${a} * Math.tanh(${softplus(a!)})` },
  clip: { scalar: ([a], { lo, hi }) => `(${a} < ${lit(lo)} ? ${lit(lo)} : ${a} > ${lit(hi)} ? ${lit(hi)} : ${a})` },
  huber: {
    scalar: ([a], { delta }) => `(Math.abs(${a}) < ${lit(delta)} ? 0.5 * ${a} * ${a} : ${lit(delta)} * (Math.abs(${a}) - ${lit(delta / 2)}))`,
  },
  broadcast: { scalar: ([a]) => a! },

  add: { scalar: ([a, b]) => `${a} + ${b}` },
  sub: { scalar: ([a, b]) => `${a} - ${b}` },
  mul: { scalar: ([a, b]) => `${a} * ${b}` },
  div: { scalar: ([a, b]) => `${a} / ${b}` },
  max: { scalar: ([a, b]) => `(${a} >= ${b} ? ${a} : ${b})` },
  min: { scalar: ([a, b]) => `(${a} <= ${b} ? ${a} : ${b})` },
  gt: { scalar: ([a, b]) => `(${a} > ${b} ? 1 : 0)` },
  ge: { scalar: ([a, b]) => `(${a} >= ${b} ? 1 : 0)` },
  where: { scalar: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})` },

  sum: { emit: (ctx, node) => emitSumKernel(ctx, { root: node, inlined: [], reads: [node.inputs[0]!] }) },

  matmul: { emit: (ctx, node) => emitMatmul(ctx, node, ctx.ref(node)) },
  erf: { emit: emitErf },
  softmax: { emit: emitSoftmax },
  log_softmax: { emit: emitLogSoftmax },
  concat: { emit: emitConcat },
  slice: { emit: emitSlice },
  reshape: { emit: emitReshape },
  conv2d: { emit: emitConv2d },
  conv2d_backward_input: { emit: emitConv2dBackwardInput },
  conv2d_backward_weight: { emit: emitConv2dBackwardWeight },
  maxpool2d: { emit: emitMaxpool2d },
  maxpool2d_backward: { emit: emitMaxpool2dBackward },
  avgpool2d: { emit: emitAvgpool2d },
  avgpool2d_backward: { emit: emitAvgpool2dBackward },
  gather: { emit: emitGather },
  scatter_add: { emit: emitScatterAdd },
  recurrent: { emit: emitRecurrent },
  recurrent_backward: { emit: emitRecurrentBackward },
  attention_scores: { emit: emitAttentionScores },
  attention_mix: { emit: emitAttentionMix },
  onehot: { emit: emitOnehot },
  dropout_mask: { emit: emitDropoutMask },
  bce_sum: { emit: emitBceSum },
  sigmoid_bce_sum: { emit: emitSigmoidBceSum },
  ce_sum: { emit: emitCeSum },
  softmax_ce_sum: { emit: emitSoftmaxCeSum },

  dropout: null,
  batchnorm: null,
};

type Elementwise = OpsOfKind<"elementwise">;
type Kernel = Exclude<OpName, Elementwise | OpsOfKind<"leaf"> | OpsOfKind<"modal">>;

/** The scalar rule of an elementwise node (the table is keyed by op, so the lookup is by op). */
export function scalarRule(node: Node): (args: readonly string[], attrs: object) => string {
  const rule = JS_RULES[node.op as Elementwise] as ScalarRule<Elementwise> | undefined;
  if (!rule || !("scalar" in rule)) throw new Error(`internal: '${node.op}' is not elementwise`);
  return rule.scalar as (args: readonly string[], attrs: object) => string;
}

export function kernelRule(node: Node): (ctx: EmitContext, node: Node) => string {
  const rule = JS_RULES[node.op as Kernel] as KernelRule<Kernel> | null;
  if (!rule || !("emit" in rule)) throw new Error(`internal: '${node.op}' has no kernel rule in the JS backend`);
  return rule.emit as (ctx: EmitContext, node: Node) => string;
}

export function leafRule(node: Node): (ctx: EmitContext, node: Node) => string {
  const rule = JS_RULES[node.op as OpsOfKind<"leaf">] as LeafRule<OpsOfKind<"leaf">>;
  return rule.read as (ctx: EmitContext, node: Node) => string;
}
