// Module-level helpers emitted into every generated module (it has no imports). Kept as
// plain text here: they do not depend on the model.

export const API_TYPES = `
/** A tensor by value: its shape and row-major data. */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** Weights by name, e.g. \`"h1.W"\`, including non-trainable state such as batchnorm running statistics. */
export type Weights = Record<string, Tensor>;

export interface FitOptions {
  /** Epochs to run in this call; defaults to the model's \`train\` block. */
  epochs?: number;
  batch?: number;
  /** Reseeds the minibatch shuffle. */
  seed?: number;
  shuffle?: boolean;
  /** Called after each epoch with its number (counting across calls) and mean training loss; return false to stop. */
  onEpoch?: (epoch: number, loss: number) => void | boolean;
}

export interface ModelOptions {
  /** Seed of the weight initialization, the shuffle and dropout; defaults to the \`train\` block's seed. */
  seed?: number;
}

/** Everything besides the weights that training depends on; with the weights it resumes training exactly. */
export interface TrainingState {
  step: number;
  epoch: number;
  lr: number;
  rng: { shuffle: number[]; dropout: number[] };
  /** Optimizer state by \`<param>/<slot>\`, e.g. \`"h1.W/m"\`. */
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
  /** Bytes of preallocated memory: parameters, state, optimizer state and work buffers. */
  bytes: number;
  maxBatch: number;
  train: { optimizer: string; lr: number; epochs: number; batch: number; seed: number };
}

export interface Model {
  readonly info: ModelInfo;
  /** One optimizer step on \`n\` rows (training mode); returns the loss before the step. A non-finite loss skips the update. */
  trainStep(x: Float64Array, y: Float64Array, n: number): number;
  /** Forward pass in evaluation mode. The result is a view of an internal buffer, valid until the next call. */
  predict(x: Float64Array, n: number): Float64Array;
  /** Loss on \`n\` rows without updating anything; evaluation mode unless \`mode\` is "train". */
  loss(x: Float64Array, y: Float64Array, n: number, mode?: "train" | "eval"): number;
  /** Loss and every trainable parameter's gradient on \`n\` rows (training mode), without updating (copies). */
  gradients(x: Float64Array, y: Float64Array, n: number): { loss: number; grads: Weights };
  /**
   * Saliency: the gradient of one output per row with respect to every input feature (evaluation
   * mode): by default each row's predicted class probability (classifiers) or the output (one
   * regression output); \`output\` picks an output index. A view of an internal buffer, valid until the next call.
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
`;

export const HELPERS = `
/** sfc32 over a 4-word state, so initialization, shuffling and dropout are identical on every machine. */
function sfc32(s: Uint32Array): number {
  const t = (s[0]! + s[1]! + s[3]!) >>> 0;
  s[3] = (s[3]! + 1) >>> 0;
  s[0] = s[1]! ^ (s[1]! >>> 9);
  s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
  s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) + t;
  return t / 4294967296;
}

function seedRng(s: Uint32Array, seed: number): void {
  s[0] = 0x9e3779b9;
  s[1] = 0x243f6a88;
  s[2] = 0xb7e15162;
  s[3] = seed >>> 0;
  for (let i = 0; i < 12; i++) sfc32(s);
}

function gaussian(s: Uint32Array): number {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - sfc32(s);
  const v = sfc32(s);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function initParam(data: Float64Array, kind: string, a: number, b: number, fanIn: number, fanOut: number, rng: Uint32Array): void {
  for (let i = 0; i < data.length; i++) {
    let v = 0;
    if (kind === "ones") v = 1;
    else if (kind === "normal") v = a + b * gaussian(rng);
    else if (kind === "uniform") v = a + (b - a) * sfc32(rng);
    else if (kind === "xavier") v = (2 * sfc32(rng) - 1) * Math.sqrt(6 / (fanIn + fanOut));
    else if (kind === "he") v = Math.sqrt(2 / fanIn) * gaussian(rng);
    data[i] = v;
  }
}

function checkRows(fn: string, n: number, maxBatch: number, x: Float64Array, xWidth: number, y: Float64Array | null, yWidth: number): void {
  if (!Number.isInteger(n) || n < 1 || n > maxBatch) {
    throw new RangeError(\`\${fn}: n must be an integer from 1 to \${maxBatch} (the compiled maximum batch), got \${n}\`);
  }
  if (x.length < n * xWidth) throw new RangeError(\`\${fn}: x holds \${x.length} values, \${n} rows need \${n * xWidth}\`);
  if (y && y.length < n * yWidth) throw new RangeError(\`\${fn}: y holds \${y.length} values, \${n} rows need \${n * yWidth}\`);
}

function badLabel(row: number, value: number, classes: number): never {
  throw new RangeError(\`class label \${value} in row \${row} is not an integer in [0, \${classes})\`);
}
`;
