// The interface every engine implements. Engines are built from the shared initial weights and
// the shared batches (converting them to their own formats once, outside the timed loop).
import type { Params } from "../models.js";
import type { Batch, Layer, Workload } from "../shared.js";

export interface Engine {
  /** One SGD step on batch `i`; returns the mean loss before the update. */
  step(i: number): number;
  /** Forward pass on n rows of x; returns the output probabilities (any array-like). */
  predict(x: Float64Array, n: number): ArrayLike<number>;
}

export interface EngineDef {
  name: string;
  /** Computes exactly the math of the workload (so its loss must match netc's); else why not. */
  exact(w: Workload): true | string;
  /** Relative tolerance of the loss check: 1e-6 for float64, 1e-3 for float32 engines. */
  tolerance: number;
  /** `layers` are the MLP workloads' dense layers (empty for W6/W7); `params` every workload's
   *  parameters by netc's names, the same numbers. Engines must not modify either. */
  create(w: Workload, layers: Layer[], batches: Batch[], params: Params): Promise<Engine>;
}
