// What the generated code hands the prelude: the functions it compiled for one model and the
// tables of its tensors. Its own file, so that fit.ts and model.ts both use it without a cycle.
import type { ModelInfo } from "./api.js";
import type { RowChunks } from "./chunks.js";
import type { OptimizerBuffer, Progress, Schedule } from "./training.js";
import type { TensorSlot } from "./weights.js";

export interface ModelCore {
  info: ModelInfo;
  tensors: TensorSlot[];
  optimizerBuffers: OptimizerBuffer[];
  progress: Progress;
  schedule: Schedule;
  shuffleRng: Uint32Array;
  /** null for a model without dropout. */
  dropoutRng: Uint32Array | null;
  /** Where predict and loss copy chunks of large batches and standardized inputs; holds the standardization. */
  rowChunks: RowChunks;
  trainStep(x: Float64Array, y: Float64Array, n: number): number;
  /** trainStep without its checks of `n` and the values, for rows fit has already checked. */
  trainRows(x: Float64Array, y: Float64Array, n: number): number;
  predict(x: Float64Array, n: number, out?: Float64Array): Float64Array;
  loss(x: Float64Array, y: Float64Array, n: number, mode?: "train" | "eval"): number;
  /** Forward pass (training mode), loss and every gradient, without updating (on rows already standardized). */
  forwardBackward(x: Float64Array, y: Float64Array, n: number): number;
  inputGradients(x: Float64Array, n: number, output?: number): Float64Array;
}
