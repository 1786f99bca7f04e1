// binaryen (the WebAssembly toolchain's optimizer, compiled to JS) is 15 MB and takes about a
// second to load, so it is imported only when a model is compiled for the wasm backend: nothing
// else in netc (parsing, `netc check`, the JS backend) pays for it.
import type BinaryenApi from "binaryen";

export type Binaryen = typeof BinaryenApi;
export type WasmModule = InstanceType<Binaryen["Module"]>;
export type ExprRef = number;

let loading: Promise<Binaryen> | undefined;

export function loadBinaryen(): Promise<Binaryen> {
  return (loading ??= import("binaryen").then((m) => m.default));
}
