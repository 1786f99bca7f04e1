// The IR's vocabulary: every op name, its kind and its attributes, in one type. The op registry
// (ops/index.ts) and every backend's rule table (backend/*/rules.ts) must cover exactly these
// names, so a misspelled op, a missing rule or a wrong attribute is a compile error.
//
// Kinds: `leaf` ops have no inputs and are read where they live; `elementwise` ops map
// elements (with broadcasting) and fuse into loops; `reduction` sums over axes; `kernel` ops need
// a loop nest of their own; `modal` ops mean different things in training and evaluation and are
// rewritten into primitives by the specialize pass before anything is differentiated or emitted.

type Op<K extends OpKind, A extends object = Record<never, never>> = { kind: K; attrs: A };
export type OpKind = "leaf" | "elementwise" | "reduction" | "kernel" | "modal";

/** The recurrent layers: Elman (tanh), gated recurrent unit, long short-term memory. */
export type RecurrentCell = "rnn" | "gru" | "lstm";

/** Shapes in attributes use -1 for the batch dimension, because attributes are plain numbers. */
type EncodedShape = readonly number[];

export interface Vocabulary {
  // Leaves
  input: Op<"leaf", { name: string; shape: EncodedShape }>;
  param: Op<"leaf", { name: string; shape: readonly number[] }>;
  /** Non-trainable state saved with the weights (batchnorm's running statistics). */
  state: Op<"leaf", { name: string; shape: readonly number[] }>;
  const: Op<"leaf", { value: number }>;
  /** The number of rows in the current batch, known only at run time. */
  batch: Op<"leaf">;
  // Elementwise, one input
  neg: Op<"elementwise">;
  exp: Op<"elementwise">;
  log: Op<"elementwise">;
  sqrt: Op<"elementwise">;
  rsqrt: Op<"elementwise">;
  abs: Op<"elementwise">;
  square: Op<"elementwise">;
  pow: Op<"elementwise", { k: number }>;
  sigmoid: Op<"elementwise">;
  tanh: Op<"elementwise">;
  relu: Op<"elementwise">;
  leaky_relu: Op<"elementwise", { alpha: number }>;
  elu: Op<"elementwise", { alpha: number }>;
  softplus: Op<"elementwise">;
  silu: Op<"elementwise">;
  mish: Op<"elementwise">;
  clip: Op<"elementwise", { lo: number; hi: number }>;
  huber: Op<"elementwise", { delta: number }>;
  /** An explicit broadcast to `shape`, made by the derivative of a reduction. */
  broadcast: Op<"elementwise", { shape: EncodedShape }>;
  // Elementwise, two or three inputs (broadcasting)
  add: Op<"elementwise">;
  sub: Op<"elementwise">;
  mul: Op<"elementwise">;
  div: Op<"elementwise">;
  max: Op<"elementwise">;
  min: Op<"elementwise">;
  /** 1 where a > b, else 0. Comparisons and `where` write piecewise derivatives. */
  gt: Op<"elementwise">;
  /** 1 where a >= b, else 0. */
  ge: Op<"elementwise">;
  /** where(c, a, b): a where c is non-zero, else b. */
  where: Op<"elementwise">;
  // Reductions
  sum: Op<"reduction", { axes: readonly number[]; keepdims: boolean }>;
  // Kernels
  matmul: Op<"kernel", { ta: boolean; tb: boolean }>;
  erf: Op<"kernel">;
  softmax: Op<"kernel">;
  log_softmax: Op<"kernel">;
  concat: Op<"kernel">;
  slice: Op<"kernel", { start: number; len: number }>;
  /** The same elements in row-major order under another shape (`flatten`): a copy. */
  reshape: Op<"kernel", { shape: EncodedShape }>;
  /** conv2d(x[N,C,H,W], w[F,C,k,k]) → [N,F,H',W'], PyTorch's cross-correlation with zero padding. */
  conv2d: Op<"kernel", { stride: number; padding: number }>;
  /** conv2d's derivative for x: (g[N,F,H',W'], w) → [N,C,height,width]. */
  conv2d_backward_input: Op<"kernel", { stride: number; padding: number; height: number; width: number }>;
  /** conv2d's derivative for w: (x, g[N,F,H',W']) → [F,C,kernel,kernel]. */
  conv2d_backward_weight: Op<"kernel", { stride: number; padding: number; kernel: number }>;
  /** The maximum of each k×k window (stride k) of x[N,C,H,W]. */
  maxpool2d: Op<"kernel", { k: number }>;
  /** maxpool2d's derivative: (x, g) → g routed to each window's first maximum, 0 elsewhere. */
  maxpool2d_backward: Op<"kernel", { k: number }>;
  /** The mean of each k×k window (stride k) of x[N,C,H,W]. */
  avgpool2d: Op<"kernel", { k: number }>;
  /** avgpool2d's derivative: g[N,C,H',W'] spread evenly over each window of [N,C,height,width]. */
  avgpool2d_backward: Op<"kernel", { k: number; height: number; width: number }>;
  /** gather(table[V,d], ids[...]) → [...ids, d]: row ids[i] of the table for each id (an embedding). */
  gather: Op<"kernel">;
  /** gather's derivative for the table: (ids, g[...ids, d]) → [rows, d], each g row added to row ids[i]. */
  scatter_add: Op<"kernel", { rows: number }>;
  /**
   * A recurrent layer over sequences, PyTorch's equations with a zero initial state:
   * (xw[B,T,G·n] = x·W_ih + b_ih, W_hh[n,G·n], b_hh[G·n]) → the tape [B,T,S·n], each step's row
   * holding h, h₋₁ and what the derivative needs (ops/recurrent.ts has the layouts).
   */
  recurrent: Op<"kernel", { cell: RecurrentCell }>;
  /** recurrent's derivative, backpropagation through time: (tape, W_hh, g_tape) → [B,T,D·n]. */
  recurrent_backward: Op<"kernel", { cell: RecurrentCell }>;
  /**
   * Attention scores per head: (q[B,T,d], k[B,T,d]) → [B,heads,T,T], scale · q_t·k_s over each
   * head's d/heads columns. `future` is what entries s > t hold: the product (keep), −∞ (masked:
   * a causal softmax gives them weight 0), or 0 (zero: the derivative of a causal mix).
   */
  attention_scores: Op<"kernel", { heads: number; scale: number; future: "keep" | "masked" | "zero" }>;
  /**
   * Attention's weighted sums: (p[B,heads,T,T], v[B,T,d]) → [B,T,d], row t of each head Σ_s p[t,s]·v_s,
   * or with `transposed` Σ_t p[t,s]·v_t (a derivative); `causal` leaves out the terms with s > t.
   */
  attention_mix: Op<"kernel", { heads: number; transposed: boolean; causal: boolean }>;
  onehot: Op<"kernel", { classes: number }>;
  dropout_mask: Op<"kernel", { p: number; shape: EncodedShape; id: number }>;
  bce_sum: Op<"kernel">;
  sigmoid_bce_sum: Op<"kernel">;
  ce_sum: Op<"kernel">;
  softmax_ce_sum: Op<"kernel">;
  // Modal (rewritten by passes/specialize.ts)
  dropout: Op<"modal", { p: number; id: number }>;
  batchnorm: Op<"modal", { momentum: number; eps: number }>;
}

export type OpName = keyof Vocabulary;
export type KindOf<K extends OpName> = Vocabulary[K]["kind"];
export type AttrsOf<K extends OpName> = Vocabulary[K]["attrs"];
/** Op names of one kind, e.g. `OpsOfKind<"elementwise">`. */
export type OpsOfKind<T extends OpKind> = { [K in OpName]: KindOf<K> extends T ? K : never }[OpName];
