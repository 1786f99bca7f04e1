// The contract of a generated training module, as seen by code that loads one at run time: the
// very types every generated module declares, from the prelude they are copied from.
import type { Model, ModelOptions } from "../compiler/prelude/api.js";

export type {
  FitOptions,
  FitResult,
  LossChunking,
  Model,
  ModelInfo,
  ModelOptions,
  Normalization,
  Tensor,
  TrainingState,
  Weights,
  WeightsFileJson,
} from "../compiler/prelude/api.js";

export interface GeneratedModule {
  createModel(options?: ModelOptions): Model;
}
