// Built-in functions of the language, with their parameter lists. Argument checking (count,
// names, kinds) is table-driven from here so every builtin reports mistakes the same way.
export interface FunctionSig {
  /** Positional parameters, in order; `?` marks an optional one. */
  params: string[];
  doc: string;
}

export const ACTIVATIONS = ["sigmoid", "tanh", "relu", "softmax", "exp", "log"] as const;
export const LOSSES = ["bce", "cross_entropy", "mse"] as const;

export const BUILTINS: Record<string, FunctionSig> = {
  sigmoid: { params: ["x"], doc: "1 / (1 + e^-x), elementwise" },
  tanh: { params: ["x"], doc: "hyperbolic tangent, elementwise" },
  relu: { params: ["x"], doc: "max(x, 0), elementwise" },
  softmax: { params: ["x"], doc: "e^x / Σ e^x along the feature axis" },
  exp: { params: ["x"], doc: "e^x, elementwise" },
  log: { params: ["x"], doc: "natural logarithm, elementwise" },
  sum: { params: ["x"], doc: "sum of every element (batch included): a scalar" },
  mean: { params: ["x"], doc: "mean of every element (batch included): a scalar" },
  dense: { params: ["x", "n", "init?"], doc: "x @ W + b with W[in, n], b[n] made for you" },
  bce: { params: ["p", "y"], doc: "binary cross-entropy, mean over every element" },
  cross_entropy: { params: ["p", "y"], doc: "batch mean of −Σ y log p (y one-hot or class(K))" },
  mse: { params: ["p", "y"], doc: "mean squared error over every element" },
};

export const INITIALIZERS: Record<string, string[]> = {
  zeros: [],
  ones: [],
  normal: ["mean", "std"],
  uniform: ["lo", "hi"],
  xavier: [],
  he: [],
};

export const OPTIMIZERS: Record<string, Record<string, number | undefined>> = {
  sgd: { lr: 0.01 },
  momentum: { lr: 0.01, beta: 0.9 },
  adam: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
};

export const TRAIN_SETTINGS = ["optimizer", "epochs", "batch", "seed"] as const;
