// The contract of a generated training module, as seen by code that loads one at run time.
// It mirrors the `Model` interface every generated module declares (compiler/emit/helpers.ts).
export interface Tensor {
  shape: number[];
  data: Float64Array;
}
export type Weights = Record<string, Tensor>;

export interface FitOptions {
  epochs?: number;
  batch?: number;
  seed?: number;
  shuffle?: boolean;
  onEpoch?: (epoch: number, loss: number) => void | boolean;
}

export interface TrainingState {
  step: number;
  epoch: number;
  lr: number;
  rng: { shuffle: number[]; dropout: number[] };
  buffers: Record<string, number[]>;
}

export interface ModelInfo {
  name: string;
  input: { name: string; width: number };
  target: { name: string; width: number; classes: number | null };
  output: { name: string; width: number };
  params: { name: string; shape: number[]; trainable: boolean }[];
  state: { name: string; shape: number[] }[];
  paramCount: number;
  bytes: number;
  maxBatch: number;
  train: { optimizer: string; lr: number; epochs: number; batch: number; seed: number };
}

export interface Model {
  readonly info: ModelInfo;
  trainStep(x: Float64Array, y: Float64Array, n: number): number;
  predict(x: Float64Array, n: number): Float64Array;
  loss(x: Float64Array, y: Float64Array, n: number, mode?: "train" | "eval"): number;
  gradients(x: Float64Array, y: Float64Array, n: number): { loss: number; grads: Weights };
  inputGradients(x: Float64Array, n: number, output?: number): Float64Array;
  fit(x: Float64Array, y: Float64Array, n: number, options?: FitOptions): number[];
  getWeights(): Weights;
  setWeights(weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void;
  getState(): TrainingState;
  setState(state: TrainingState): void;
  setLearningRate(lr: number): void;
}

export interface GeneratedModule {
  createModel(options?: { seed?: number }): Model;
}
