// The wasm backend's rule table: how each op of the IR's vocabulary is computed in f32x4 /
// f64x2 lanes. Elementwise ops give a vector expression (they fuse into a matmul's epilogue);
// `null` means the op has no vector rule yet, and a kernel containing it runs as JavaScript
// inside the same module, over typed-array views of the wasm memory (see kernels.ts). The
// kernel ops that are wasm kernels: matmul (matmul.ts, chosen in kernels.ts; a stack of rows
// [B,T,d] too, as B·T rows), conv2d's forward pass (conv.ts, fused with the bias and activation
// that follow it), its input derivative when the stride is 1 (the same kernel), its weight
// derivative (conv-weight.ts), maxpool2d and its derivative (pool.ts; image-kernels.ts chooses
// these, and leaves shapes they do not cover to JavaScript). The recurrent kernels ("js" below)
// call a wasm matmul for each time step's hidden products (kernels.ts recurrentStepSpec): only
// their cell equations, with Math.exp and Math.tanh, run as JavaScript. The others fall back to
// JavaScript.
import type { AttrsOf, KindOf, OpName } from "../../ir/vocabulary.js";
import { batchRows, binary, constant, select, unary, type Expr } from "./expr.js";

/** A vector expression from the operands' expressions, or null: this use falls back to JS. */
export type VectorRule<K extends OpName> = (args: readonly Expr[], attrs: AttrsOf<K>) => Expr | null;

export type WasmRule<K extends OpName> =
  KindOf<K> extends "elementwise" ? VectorRule<K> | null
  : KindOf<K> extends "leaf" ? "memory" | VectorRule<K>
  : KindOf<K> extends "modal" ? null // rewritten into primitives by passes/specialize.ts
  : "wasm" | "js";

const one = constant(1), zero = constant(0);

export const WASM_RULES: { readonly [K in OpName]: WasmRule<K> } = {
  input: "memory", // copied into the module's memory at the start of each call
  param: "memory",
  state: "memory",
  const: (_, { value }) => constant(value),
  batch: () => batchRows,

  neg: ([a]) => unary("neg", a!),
  abs: ([a]) => unary("abs", a!),
  sqrt: ([a]) => unary("sqrt", a!),
  rsqrt: ([a]) => binary("div", one, unary("sqrt", a!)),
  square: ([a]) => binary("mul", a!, a!),
  pow: ([a], { k }) =>
    k === 2 ? binary("mul", a!, a!)
    : k === 3 ? binary("mul", binary("mul", a!, a!), a!)
    : k === 0.5 ? unary("sqrt", a!)
    : k === -1 ? binary("div", one, a!)
    : null,
  relu: ([a]) => unary("relu", a!),
  leaky_relu: ([a], { alpha }) => select("gt", a!, zero, a!, binary("mul", constant(alpha), a!)),
  clip: ([a], { lo, hi }) => select("lt", a!, constant(lo), constant(lo), select("gt", a!, constant(hi), constant(hi), a!)),
  huber: ([a], { delta }) =>
    select("lt", unary("abs", a!), constant(delta), binary("mul", constant(0.5), binary("mul", a!, a!)), binary("mul", constant(delta), binary("sub", unary("abs", a!), constant(delta / 2)))),
  broadcast: ([a]) => a!,
  // Transcendentals need vector polynomial approximations (wasm has no exp or log).
  exp: null,
  log: null,
  sigmoid: null,
  tanh: null,
  elu: null,
  softplus: null,
  silu: null,
  mish: null,

  add: ([a, b]) => binary("add", a!, b!),
  sub: ([a, b]) => binary("sub", a!, b!),
  mul: ([a, b]) => binary("mul", a!, b!),
  div: ([a, b]) => binary("div", a!, b!),
  // As the JS rules write them (`a >= b ? a : b`), so NaN and ±0 come out the same.
  max: ([a, b]) => select("ge", a!, b!, a!, b!),
  min: ([a, b]) => select("le", a!, b!, a!, b!),
  gt: ([a, b]) => select("gt", a!, b!, one, zero),
  ge: ([a, b]) => select("ge", a!, b!, one, zero),
  where: ([c, a, b]) => select("ne", c!, zero, a!, b!),

  sum: "js",
  matmul: "wasm",
  erf: "js",
  softmax: "js",
  log_softmax: "js",
  concat: "js",
  slice: "js",
  reshape: "js",
  conv2d: "wasm",
  conv2d_backward_input: "wasm", // stride 1; a larger stride falls back to JavaScript
  conv2d_backward_weight: "wasm", // planes up to 64 pixel vectors, kernels up to 5×5
  maxpool2d: "wasm",
  maxpool2d_backward: "wasm", // windows up to 3×3
  avgpool2d: "js",
  avgpool2d_backward: "js",
  gather: "js",
  scatter_add: "js",
  recurrent: "js",
  recurrent_backward: "js",
  attention_scores: "js",
  attention_mix: "js",
  onehot: "js",
  dropout_mask: "js",
  bce_sum: "js",
  sigmoid_bce_sum: "js",
  ce_sum: "js",
  softmax_ce_sum: "js",

  dropout: null,
  batchnorm: null,
};
