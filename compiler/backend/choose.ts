// Which backend a model's kernels run on. Imports nothing heavy: the wasm backend itself (and
// binaryen) is loaded only once a model is compiled for it.
import type { ModelIR } from "../model.js";

/** Where the kernels run: JavaScript, wasm SIMD (matmuls, convolutions and max pooling in wasm, the rest JavaScript over its memory), or auto. */
export type Backend = "js" | "wasm" | "auto";

/**
 * auto's choice. Measured (bench/AUTO.md, bench/auto-crossover.ts: the two modules' steps in
 * alternating rounds in one process): on W1 (3 parameters, batch 4) the wasm step is no faster
 * and in some runs slower (0.73×–0.99×: the copies into its memory and the calls cost as much as
 * two weights' arithmetic); from about a hundred parameters it is 1.5–4.5× faster, and 2–4.5× on
 * 4 k–100 k parameters at every batch. What keeps models below 4,096 parameters on JavaScript is
 * compile time: building the wasm loads binaryen (about half a second from dist/, more through
 * tsx) and runs its optimizer, more than a small model's whole training run takes, and the
 * JavaScript module is the easier one to read.
 */
export function chooseBackend(model: ModelIR): "js" | "wasm" {
  return matmulParams(model) >= WASM_MIN_PARAMS ? "wasm" : "js";
}

/**
 * The parameters counted: the weights that wasm kernels multiply — of every matmul, on rows or
 * on a stack of rows (a sequence [T, d] is T rows), the recurrent layers' W_hh, whose per-step
 * products run in wasm too (W7, an LSTM of 18 k weights: the wasm step is about 2× JavaScript's
 * in float64, 2.5× in float32, bench/paired.ts), and convolution filters (W6, the digits CNN:
 * training about 2.6×, inference about 2.4× in float64). Attention's score and mix kernels run
 * as JavaScript on either backend, so their weights do not count.
 */
function matmulParams(model: ModelIR): number {
  const counted = new Set<string>();
  let total = 0;
  for (const node of model.forward.nodes) {
    if (node.op !== "matmul" && node.op !== "recurrent" && node.op !== "conv2d") continue;
    for (const input of node.inputs) {
      if (input.op !== "param" || counted.has(input.attrs.name)) continue;
      counted.add(input.attrs.name);
      total += input.attrs.shape.reduce((a, b) => a * b, 1);
    }
  }
  return total;
}

export const WASM_MIN_PARAMS = 4096;

/** The backend to compile for: auto resolved for this model; default js (the CLI's default is auto). */
export function resolveBackend(backend: Backend | undefined, model: ModelIR): "js" | "wasm" {
  return backend === "auto" ? chooseBackend(model) : (backend ?? "js");
}
