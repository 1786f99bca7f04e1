// One wasm module: a linear memory (exported as "memory") and the kernels, validated and
// optimized by binaryen.
import { loadBinaryen } from "./binaryen.js";
import { Simd, type DType } from "./simd.js";

export const PAGE_BYTES = 65536;
/** Vector loads at a ragged row end may read up to 16 bytes past the last buffer. */
export const MEMORY_SLACK = 16;

export interface ModuleSpec {
  dtype: DType;
  /** Bytes the buffers take; the memory is this plus slack, in whole pages. */
  memoryBytes: number;
  /** Adds the kernels (functions and exports) to the module. */
  kernels: (simd: Simd) => void;
  /** binaryen -O level (default 2; 0 = as generated). */
  optimize?: number;
}

export async function buildModule(spec: ModuleSpec): Promise<Uint8Array<ArrayBuffer>> {
  const binaryen = await loadBinaryen();
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    const pages = Math.ceil((spec.memoryBytes + MEMORY_SLACK) / PAGE_BYTES);
    m.setMemory(pages, pages, "memory");
    spec.kernels(new Simd(binaryen, m, spec.dtype));
    if (!m.validate()) throw new Error("netc generated an invalid wasm module (binaryen validation failed)");
    const level = spec.optimize ?? 2;
    if (level > 0) {
      binaryen.setOptimizeLevel(level);
      binaryen.setShrinkLevel(0);
      m.optimize();
    }
    return new Uint8Array(m.emitBinary());
  } finally {
    m.dispose();
  }
}
