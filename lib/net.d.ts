// Types of an imported .net file (`import { createModel } from "./model.net"`): add
// `"types": ["netc/net"]` to tsconfig.json, or `/// <reference types="netc/net" />` to a .d.ts.
declare module "*.net" {
  import type { Model, ModelOptions } from "netc";

  export type { FitOptions, FitResult, LossChunking, Model, ModelInfo, ModelOptions, Normalization, Tensor, TrainingState, Weights, WeightsFileJson } from "netc";
  /** A fresh model: weights initialized from the seed (default: the train block's). */
  export function createModel(options?: ModelOptions): Model;
}
