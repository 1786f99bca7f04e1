// The public types of a generated training module. Every generated module exports the ones it
// uses, copied from here at emit time (compiler/emit/prelude.ts); cli/generated-types.ts
// re-exports them for code that loads a module at run time.

/** A tensor by value: its shape and row-major data. */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** Weights by name, e.g. `"h1.W"`, including non-trainable state such as batchnorm running statistics. */
export type Weights = Record<string, Tensor>;

export interface FitOptions {
  /** Epochs to run in this call; defaults to the model's `train` block. */
  epochs?: number;
  batch?: number;
  /** Reseeds the minibatch shuffle. */
  seed?: number;
  shuffle?: boolean;
  /** Called after each epoch with its number (counting across calls) and mean training loss; return false to stop. */
  onEpoch?: (epoch: number, loss: number) => void | boolean;
  /**
   * Rows whose loss (evaluation mode, after every epoch) decides the best epoch; without them the
   * training rows' loss does, evaluated the same way.
   */
  validation?: { x: Float64Array; y: Float64Array; n: number };
  /** Stop after this many epochs in a row without a lower monitored loss. */
  patience?: number;
  /** End with the weights and training state of the best epoch (the monitored loss before this call counts too). */
  restoreBest?: boolean;
}

/** What fit did. */
export interface FitResult {
  /** The mean training loss of each epoch run (training mode, over its minibatches). */
  losses: number[];
  /**
   * With `validation`, `patience` or `restoreBest`: the evaluation-mode loss on the validation rows
   * (else the training rows) before the first epoch, then after each; otherwise empty.
   */
  monitored: number[];
  /** The epoch (counting across calls) with the lowest monitored loss, and that loss; null when nothing was monitored. */
  best: { epoch: number; loss: number } | null;
  /** True when `patience` ended the run before its epochs were done. */
  stoppedEarly: boolean;
  /** True when `restoreBest` put back the weights of an epoch other than the last. */
  restored: boolean;
}

/**
 * How `loss` handles more rows than the compiled maximum batch: it computes chunks of at most that
 * many rows and combines their losses by their row-weighted mean (a mean over rows plus terms
 * that do not depend on the rows) or their sum (a pure sum over rows); null when no combination
 * is exact, with the reason.
 */
export interface LossChunking {
  combine: "mean" | "sum" | null;
  reason: string | null;
}

/** A parsed `MODEL.weights.json` as netc train writes it (format netc-weights, version 1 or 2). */
export interface WeightsFileJson {
  format: string;
  version: number;
  model: string;
  labels?: string[] | null;
  normalization?: { mean: number[]; std: number[] } | null;
  state?: unknown;
  tensors: { name: string; shape: number[]; data?: string; values?: number[] }[];
  [field: string]: unknown;
}

/** Per-feature standardization of the inputs, `(x - mean) / std`, as trained with `netc train --normalize`. */
export interface Normalization {
  mean: number[];
  std: number[];
}

export interface ModelOptions {
  /** Seed of the weight initialization, the shuffle and dropout; defaults to the `train` block's seed. */
  seed?: number;
}

/** Everything besides the weights that training depends on; with the weights it resumes training exactly. */
export interface TrainingState {
  step: number;
  epoch: number;
  lr: number;
  /** Generator states, 4 words each; `dropout` is empty for a model without dropout. */
  rng: { shuffle: number[]; dropout: number[] };
  /** Optimizer state by `<param>/<slot>`, e.g. `"h1.W/m"`. */
  buffers: Record<string, number[]>;
}

export interface ModelInfo {
  name: string;
  /**
   * `width` values per row, the row-major flattening of `shape` ([4], or [1, 8, 8] for images);
   * `index` is set for an index input (`s[12]: index(27)`), whose values are ids in [0, index).
   */
  input: { name: string; width: number; shape: number[]; index?: number };
  /** `classes` for a class(K) target: one class index per row, or `positions` of them (`y[12]: class(27)`). */
  target: { name: string; width: number; classes: number | null; positions?: number };
  /** `width` values per row, the row-major flattening of `shape` ([3], or [12, 27] for a class per position). */
  output: { name: string; width: number; shape: number[] };
  params: { name: string; shape: number[]; trainable: boolean }[];
  state: { name: string; shape: number[] }[];
  paramCount: number;
  /** Bytes of preallocated memory: parameters, state, optimizer state, work buffers and input copies. */
  bytes: number;
  maxBatch: number;
  /** The element type of the model's arrays: float64, or float32 (values up to ±3.4e38). */
  precision: "f64" | "f32";
  /** How a prediction becomes a class: the largest output, a 0.5 threshold, or not at all. */
  classifier: "argmax" | "threshold" | null;
  /** How `loss` handles more than `maxBatch` rows, in each mode. */
  lossChunks: { eval: LossChunking; train: LossChunking };
  train: { optimizer: string; lr: number; epochs: number; batch: number; seed: number };
}

export interface Model {
  readonly info: ModelInfo;
  /**
   * One optimizer step on `n` rows (training mode); returns the loss before the step. A non-finite loss skips
   * the update; so does a step that would make a weight non-finite, and then the result is NaN.
   */
  trainStep(x: Float64Array, y: Float64Array, n: number): number;
  /**
   * Forward pass in evaluation mode on any number of rows (in chunks of `info.maxBatch`). Results go to
   * `out` when given; otherwise, up to `info.maxBatch` rows, to a view of an internal buffer valid until the
   * next call, and beyond that to a new array.
   */
  predict(x: Float64Array, n: number, out?: Float64Array): Float64Array;
  /**
   * Loss on `n` rows without updating anything; evaluation mode unless `mode` is "train". Above
   * `info.maxBatch` rows it combines the losses of chunks as `info.lossChunks` says, or throws a RangeError.
   */
  loss(x: Float64Array, y: Float64Array, n: number, mode?: "train" | "eval"): number;
  /** Loss and every trainable parameter's gradient on `n` rows (training mode), without updating (copies). */
  gradients(x: Float64Array, y: Float64Array, n: number): { loss: number; grads: Weights };
  /**
   * Saliency: the gradient of one output per row with respect to every input feature (evaluation
   * mode): by default each row's predicted class probability (classifiers) or the output (one
   * regression output); `output` picks an output index. A view of an internal buffer, valid until the next call.
   */
  inputGradients(x: Float64Array, n: number, output?: number): Float64Array;
  /** Epochs of shuffled minibatches, with early stopping and the best epoch when asked. */
  fit(x: Float64Array, y: Float64Array, n: number, options?: FitOptions): FitResult;
  /** Copies of the weights (and running statistics) by name. */
  getWeights(): Weights;
  /** Sets some or all weights; a wrong name, shape or non-finite value throws and changes nothing. */
  setWeights(weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void;
  getState(): TrainingState;
  setState(state: TrainingState): void;
  /** The learning rate the next step uses (fit sets it from the schedule at each epoch). */
  setLearningRate(lr: number): void;
  /**
   * Loads a parsed `MODEL.weights.json`: every tensor (names and shapes must match), the class labels, the
   * input standardization and, when the file has one and `options.state` is not false, the training
   * state (optimizer moments, counters, generators). Checks everything first; an error changes nothing.
   */
  loadWeightsFile(file: WeightsFileJson, options?: { state?: boolean }): void;
  /** Class names by index, from the last weights file loaded; null without one or when it had none. */
  readonly labels: readonly string[] | null;
  /**
   * The standardization every function taking `x` applies first (from a weights file trained with
   * --normalize), so `x` holds raw inputs; null when none.
   */
  readonly normalization: Readonly<Normalization> | null;
  /** The predicted class of each of `n` rows: its label when the loaded weights file had labels, else its index. */
  classify(x: Float64Array, n: number): (string | number)[];
}
