// The object createModel returns. The generated code supplies the hot functions it compiled
// for this model (trainStep, predict, loss, forwardBackward) and tables of its tensors; the
// rest of the API is the same for every model and lives here.
import type { Model, ModelInfo, Weights } from "./api.js";
import type { ModelCore } from "./core.js";
import { fitEpochs } from "./fit.js";
import { chunkRows } from "./chunks.js";
import { checkRows, largestValue } from "./inputs.js";
import {
  captureState,
  restoreState,
  setLearningRate,
  type OptimizerBuffer,
  type Progress,
  type Schedule,
} from "./training.js";
import { assignWeights, copyWeights, type TensorSlot } from "./weights.js";
import { loadWeightsFile, type LoadedFile } from "./weights-file.js";

export function assembleModel(core: ModelCore): Model {
  const { progress, shuffleRng, dropoutRng, optimizerBuffers } = core;
  let loaded: LoadedFile = { labels: null, normalization: null };
  return {
    info: deepFreeze(core.info),
    trainStep: core.trainStep,
    predict: core.predict,
    loss: core.loss,
    gradients: (x, y, n) => gradientsOf(core, x, y, n),
    inputGradients: core.inputGradients,
    fit: (x, y, n, options) => fitEpochs(core, x, y, n, options),
    getWeights: () => copyWeights(core.tensors),
    setWeights: (weights) => assignWeights(core.tensors, weights),
    getState: () => captureState(progress, shuffleRng, dropoutRng, optimizerBuffers),
    setState: (state) => restoreState(state, progress, shuffleRng, dropoutRng, optimizerBuffers),
    setLearningRate: (lr) => setLearningRate(progress, lr),
    loadWeightsFile: (file, options) => {
      loaded = loadWeightsFile(core, file, options);
    },
    get labels() {
      return loaded.labels && [...loaded.labels];
    },
    get normalization() {
      const n = loaded.normalization;
      return n && { mean: [...n.mean], std: [...n.std] };
    },
    classify: (x, n) => classifyRows(core, loaded.labels, x, n),
  };
}

/** Each row's class: the largest output (argmax) or output 0 against 0.5 (threshold), as its label when there are labels. */
export function classifyRows(
  core: ModelCore,
  labels: string[] | null,
  x: Float64Array,
  n: number,
): (string | number)[] {
  const { classifier, output, name } = core.info;
  if (classifier === null)
    throw new TypeError(
      `classify: model ${name} is not a classifier (its output is not a softmax, a one-unit sigmoid or for a class(K) target)`,
    );
  const p = core.predict(x, n);
  const w = output.width;
  const classes: (string | number)[] = [];
  for (let r = 0; r < n; r++) {
    let best = 0;
    if (classifier === "threshold") best = p[r]! >= 0.5 ? 1 : 0;
    else for (let k = 1; k < w; k++) if (p[r * w + k]! > p[r * w + best]!) best = k;
    classes.push(labels ? labels[best]! : best);
  }
  return classes;
}

/** The loss and copies of every trained parameter's gradient on `n` rows. */
export function gradientsOf(
  core: ModelCore,
  x: Float64Array,
  y: Float64Array,
  n: number,
): { loss: number; grads: Weights } {
  const { maxBatch, input, target } = core.info;
  checkRows(
    "gradients",
    n,
    maxBatch,
    x,
    input.width,
    y,
    target.width,
    input.index ?? 0,
    largestValue(core.info.precision),
  );
  const loss = core.forwardBackward(core.rowChunks.scaling.on ? chunkRows(core.rowChunks, x, 0, n) : x, y, n);
  const grads: Weights = {};
  for (const t of core.tensors)
    if (t.grad) grads[t.name] = { shape: [...t.shape], data: t.grad.slice(0, t.data.length) };
  return { loss, grads };
}

/** The model's description cannot be changed from outside: fit reads its sizes and defaults. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
