// Module-level helpers emitted into every generated module (it has no imports). Kept as
// plain text here: they do not depend on the model.

export const API_TYPES = `
/** A tensor by value: its shape and row-major data. */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** Weights by name, e.g. \`"h1.W"\`. */
export type Weights = Record<string, Tensor>;

export interface FitOptions {
  /** Defaults to the model's \`train\` block. */
  epochs?: number;
  batch?: number;
  /** Seed of the minibatch shuffle. */
  seed?: number;
  shuffle?: boolean;
  /** Called after each epoch with the mean training loss; return false to stop early. */
  onEpoch?: (epoch: number, loss: number) => void | boolean;
}

export interface ModelOptions {
  /** Seed of the weight initialization; defaults to the \`train\` block's seed. */
  seed?: number;
}

export interface ModelInfo {
  name: string;
  input: { name: string; width: number };
  target: { name: string; width: number; classes: number | null };
  output: { name: string; width: number };
  params: { name: string; shape: number[] }[];
  paramCount: number;
  /** Bytes of preallocated memory: parameters, optimizer state and work buffers. */
  bytes: number;
  maxBatch: number;
  train: { optimizer: string; epochs: number; batch: number; seed: number };
}

export interface Model {
  readonly info: ModelInfo;
  /** One optimizer step on \`n\` rows; returns the loss before the step. A non-finite loss skips the update. */
  trainStep(x: Float64Array, y: Float64Array, n: number): number;
  /** Forward pass. The result is a view of an internal buffer, valid until the next call. */
  predict(x: Float64Array, n: number): Float64Array;
  /** Loss on \`n\` rows without updating anything. */
  loss(x: Float64Array, y: Float64Array, n: number): number;
  /** Loss and every parameter's gradient on \`n\` rows, without updating (copies). */
  gradients(x: Float64Array, y: Float64Array, n: number): { loss: number; grads: Weights };
  /** Epochs of shuffled minibatches; returns the mean training loss of each epoch. */
  fit(x: Float64Array, y: Float64Array, n: number, options?: FitOptions): number[];
  /** Copies of the weights by name. */
  getWeights(): Weights;
  /** Sets some or all weights; a wrong name, shape or non-finite value throws. */
  setWeights(weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void;
}
`;

export const HELPERS = `
/** sfc32: a small, fast, seedable generator, so initialization is identical on every machine. */
function makeRng(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

function gaussian(rng: () => number): number {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function initParam(data: Float64Array, kind: string, a: number, b: number, fanIn: number, fanOut: number, rng: () => number): void {
  for (let i = 0; i < data.length; i++) {
    let v = 0;
    if (kind === "ones") v = 1;
    else if (kind === "normal") v = a + b * gaussian(rng);
    else if (kind === "uniform") v = a + (b - a) * rng();
    else if (kind === "xavier") v = (2 * rng() - 1) * Math.sqrt(6 / (fanIn + fanOut));
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
