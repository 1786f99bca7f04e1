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
  /** `width` values per row, the row-major flattening of `shape` ([4], or [1, 8, 8] for images). */
  input: { name: string; width: number; shape: number[] };
  target: { name: string; width: number; classes: number | null };
  output: { name: string; width: number };
  params: { name: string; shape: number[]; trainable: boolean }[];
  state: { name: string; shape: number[] }[];
  paramCount: number;
  /** Bytes of preallocated memory: parameters, state, optimizer state and work buffers. */
  bytes: number;
  maxBatch: number;
  train: { optimizer: string; lr: number; epochs: number; batch: number; seed: number };
}

export interface Model {
  readonly info: ModelInfo;
  /**
   * One optimizer step on `n` rows (training mode); returns the loss before the step. A non-finite loss skips
   * the update; so does a step that would make a weight non-finite, and then the result is NaN.
   */
  trainStep(x: Float64Array, y: Float64Array, n: number): number;
  /** Forward pass in evaluation mode. The result is a view of an internal buffer, valid until the next call. */
  predict(x: Float64Array, n: number): Float64Array;
  /** Loss on `n` rows without updating anything; evaluation mode unless `mode` is "train". */
  loss(x: Float64Array, y: Float64Array, n: number, mode?: "train" | "eval"): number;
  /** Loss and every trainable parameter's gradient on `n` rows (training mode), without updating (copies). */
  gradients(x: Float64Array, y: Float64Array, n: number): { loss: number; grads: Weights };
  /**
   * Saliency: the gradient of one output per row with respect to every input feature (evaluation
   * mode): by default each row's predicted class probability (classifiers) or the output (one
   * regression output); `output` picks an output index. A view of an internal buffer, valid until the next call.
   */
  inputGradients(x: Float64Array, n: number, output?: number): Float64Array;
  /** Epochs of shuffled minibatches; returns the mean training loss of each epoch. */
  fit(x: Float64Array, y: Float64Array, n: number, options?: FitOptions): number[];
  /** Copies of the weights (and running statistics) by name. */
  getWeights(): Weights;
  /** Sets some or all weights; a wrong name, shape or non-finite value throws and changes nothing. */
  setWeights(weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void;
  getState(): TrainingState;
  setState(state: TrainingState): void;
  /** The learning rate the next step uses (fit sets it from the schedule at each epoch). */
  setLearningRate(lr: number): void;
}
