// Which backend a model's kernels run on. Imports nothing heavy: the wasm backend itself (and
// binaryen) is loaded only once a model is compiled for it.
import type { ModelIR } from "../model.js";

/** Where the kernels run: JavaScript, wasm SIMD (matmuls in wasm, the rest JavaScript over its memory), or auto. */
export type Backend = "js" | "wasm" | "auto";

/**
 * auto's choice. Measured with bench/paired.ts (alternating rounds in one process, loaded
 * 2-core machine): the wasm backend's step is slower than the JavaScript one on W1 (3
 * parameters, batch 4: the copies into its memory and the calls cost more than two weights'
 * arithmetic), about as fast on W2 (33), 2–3× faster on W3 (131, batch 150) and 4–5× on W4/W5
 * (100 k–200 k). What keeps W2/W3-sized models on JavaScript too is compile time: loading
 * binaryen costs about a second, more than a small model's whole training run, and the
 * JavaScript module is easier to read.
 */
export function chooseBackend(model: ModelIR): "js" | "wasm" {
  const params = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  return params >= WASM_MIN_PARAMS ? "wasm" : "js";
}

export const WASM_MIN_PARAMS = 4096;

/** The backend to compile for: auto resolved for this model; default js (the CLI's default is auto). */
export function resolveBackend(backend: Backend | undefined, model: ModelIR): "js" | "wasm" {
  return backend === "auto" ? chooseBackend(model) : (backend ?? "js");
}
