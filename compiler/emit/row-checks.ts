// The arguments generated code adds to the prelude's input checks (compiler/prelude/inputs.ts).
import type { ModelIR } from "../model.js";

/**
 * The trailing arguments of a module's checkRows calls: the index input's id count, and a float32
 * model's largest value (finite doubles beyond it would become Infinity in its arrays).
 */
export function rowCheckTail(model: ModelIR): string {
  if (model.train.precision === "f32") return `, ${model.input.index ?? 0}, ${FLOAT32_MAX}`;
  return model.input.index ? `, ${model.input.index}` : "";
}

/** The largest finite float32, as the prelude's largestValue("f32") returns it. */
export const FLOAT32_MAX = "3.4028234663852886e38";
