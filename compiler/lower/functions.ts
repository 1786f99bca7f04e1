// Built-in functions of the language, with their parameter lists. Argument checking (count,
// names, kinds) is table-driven from here so every builtin reports mistakes the same way.
import type { UnaryOp } from "../ops/types.js";

export interface FunctionSig {
  /** Positional parameters, in order; `?` marks an optional one. */
  params: string[];
  doc: string;
  /** A one-input elementwise op of the IR that the function is, with nothing else to lower. */
  op?: UnaryOp;
  /** ReLU and its smooth or leaky relatives: a `dense` they follow starts from He initialization. */
  reluLike?: boolean;
}

export const ACTIVATIONS = [
  "sigmoid", "tanh", "relu", "softmax", "exp", "log",
  "leaky_relu", "elu", "gelu", "softplus", "swish", "silu", "mish", "identity", "log_softmax",
] as const;
export const LOSSES = ["bce", "cross_entropy", "mse", "mae", "huber", "bce_logits", "cross_entropy_logits"] as const;

/**
 * `table[name]` for the table's own entries only: looked up with a name from the source, a plain
 * object would answer `toString` or `__proto__` with an Object.prototype member.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export const BUILTINS: Record<string, FunctionSig> = {
  sigmoid: { params: ["x"], doc: "1 / (1 + e^-x), elementwise", op: "sigmoid" },
  tanh: { params: ["x"], doc: "hyperbolic tangent, elementwise", op: "tanh" },
  relu: { params: ["x"], doc: "max(x, 0), elementwise", op: "relu", reluLike: true },
  softmax: { params: ["x"], doc: "e^x / Σ e^x along the feature axis" },
  exp: { params: ["x"], doc: "e^x, elementwise", op: "exp" },
  log: { params: ["x"], doc: "natural logarithm, elementwise", op: "log" },
  sum: { params: ["x"], doc: "sum of every element (batch included): a scalar" },
  mean: { params: ["x", "axis?"], doc: "mean of every element (batch included): a scalar; with axis: k, the mean over axis k of each row ([T, d] → [d] for axis 0)" },
  dense: { params: ["x", "n", "init?"], doc: "x @ W + b with W[in, n], b[n] made for you, on the last axis" },
  conv2d: { params: ["x", "filters", "kernel?", "stride?", "padding?", "init?"], doc: "2-d convolution of images [C,H,W] with W[filters, C, k, k], b[filters] made for you (kernel 3, stride 1, padding 0)" },
  maxpool2d: { params: ["x", "k"], doc: "the maximum of each k×k window (stride k) of images [C,H,W]" },
  avgpool2d: { params: ["x", "k"], doc: "the mean of each k×k window (stride k) of images [C,H,W]" },
  flatten: { params: ["x"], doc: "each row's values as one vector: [C,H,W] → [C·H·W], row-major" },
  embedding: { params: ["x", "dim", "init?"], doc: "row s[t] of W[V, dim] (made for you, normal(0, 1)) for every id of an index input s[T]: index(V): [T] → [T, dim]" },
  rnn: { params: ["x", "n"], doc: "Elman recurrent layer, tanh(x·W_ih + b_ih + h·W_hh + b_hh), every hidden state: [T, in] → [T, n]" },
  gru: { params: ["x", "n"], doc: "gated recurrent unit (PyTorch's equations, gates r, z, n), every hidden state: [T, in] → [T, n]" },
  lstm: { params: ["x", "n"], doc: "long short-term memory (PyTorch's equations, gates i, f, g, o), every hidden state: [T, in] → [T, n]" },
  attention: { params: ["x", "heads?", "causal?"], doc: "multi-head self-attention on [T, d] with Wq, Wk, Wv, Wo [d, d] and their biases made for you: per head softmax(Q Kᵀ/√(d/heads)) V, heads concatenated, · Wo + bo; causal: true hides later positions" },
  last: { params: ["x"], doc: "the last position of a sequence: [T, d] → [d]" },
  batchnorm: { params: ["x", "momentum?", "eps?"], doc: "batch normalization with learnable scale and shift" },
  layernorm: { params: ["x", "eps?"], doc: "layer normalization with learnable scale and shift" },
  dropout: { params: ["x", "p?"], doc: "inverted dropout, active only in training" },
  leaky_relu: { params: ["x", "alpha?"], doc: "x for x > 0, else alpha·x (alpha 0.01)", reluLike: true },
  elu: { params: ["x", "alpha?"], doc: "x for x > 0, else alpha·(e^x − 1) (alpha 1)", reluLike: true },
  gelu: { params: ["x"], doc: "x·Φ(x) = ½x(1 + erf(x/√2)), the exact form", reluLike: true },
  softplus: { params: ["x"], doc: "log(1 + e^x), computed stably", op: "softplus" },
  swish: { params: ["x"], doc: "x·sigmoid(x), the same as silu", op: "silu", reluLike: true },
  silu: { params: ["x"], doc: "x·sigmoid(x)", op: "silu", reluLike: true },
  mish: { params: ["x"], doc: "x·tanh(softplus(x))", op: "mish", reluLike: true },
  identity: { params: ["x"], doc: "x itself" },
  log_softmax: { params: ["x"], doc: "log(softmax(x)) along the feature axis, computed stably" },
  sqrt: { params: ["x"], doc: "square root, elementwise", op: "sqrt" },
  abs: { params: ["x"], doc: "absolute value, elementwise", op: "abs" },
  square: { params: ["x"], doc: "x², elementwise", op: "square" },
  pow: { params: ["x", "k"], doc: "x^k for a constant k, elementwise" },
  max: { params: ["a", "b"], doc: "elementwise maximum, broadcasting" },
  min: { params: ["a", "b"], doc: "elementwise minimum, broadcasting" },
  clip: { params: ["x", "lo", "hi"], doc: "x limited to [lo, hi] (constants)" },
  concat: { params: ["a", "b"], doc: "joins two tensors along the feature (last) axis" },
  bce: { params: ["p", "y", "reduce?"], doc: "binary cross-entropy, mean over every element" },
  cross_entropy: { params: ["p", "y", "reduce?"], doc: "batch mean of −Σ y log p (y one-hot or class(K))" },
  mse: { params: ["p", "y", "reduce?"], doc: "mean squared error over every element" },
  mae: { params: ["p", "y", "reduce?"], doc: "mean absolute error over every element" },
  huber: { params: ["p", "y", "delta?", "reduce?"], doc: "Huber loss (PyTorch's HuberLoss), delta 1" },
  bce_logits: { params: ["z", "y", "reduce?"], doc: "bce(sigmoid(z), y) computed stably from the logits" },
  cross_entropy_logits: { params: ["z", "y", "reduce?"], doc: "cross_entropy(softmax(z), y) computed stably from the logits" },
  l1: { params: ["x"], doc: "Σ|x|, usually of a parameter: l1(h1.W)" },
  l2: { params: ["x"], doc: "Σx², usually of a parameter: l2(h1.W)" },
};

export const INITIALIZERS: Record<string, string[]> = {
  zeros: [],
  ones: [],
  normal: ["mean", "std"],
  uniform: ["lo", "hi"],
  xavier: [],
  he: [],
};

