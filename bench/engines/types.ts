// The interface every engine implements. Engines are built from the shared initial weights and
// the shared batches (converting them to their own formats once, outside the timed loop).
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
  create(w: Workload, layers: Layer[], batches: Batch[]): Promise<Engine>;
}
