// A wasm-backend module carries its kernels as base64 wasm bytes and instantiates them once,
// synchronously, with no imports. The WebAssembly API is reached through globalThis with the few
// members used typed here, so the module type-checks without DOM or Node type declarations.
import { decodeBase64 } from "./decode.js";

/** The part of the WebAssembly API a generated module uses. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The kernels' exports, and the buffer of the memory they export (fixed size: it never moves). */
export function instantiateKernels(base64: string): { exports: Record<string, unknown>; heap: ArrayBuffer } {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = new api.Instance(new api.Module(decodeBase64(base64)), {});
  return { exports: instance.exports, heap: (instance.exports.memory as { buffer: ArrayBuffer }).buffer };
}
