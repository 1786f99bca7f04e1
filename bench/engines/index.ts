// Every engine, in table order, loaded lazily so a worker imports only the library it times.
// netc comes first: it is the reference the others are checked against.
import type { EngineDef } from "./types.js";

const LOADERS: Record<string, () => Promise<EngineDef>> = {
  netc: async () => (await import("./netc.js")).netc,
  "netc-wasm-f64": async () => (await import("./netc.js")).netcWasm,
  "netc-wasm-f32": async () => (await import("./netc.js")).netcWasmF32,
  "ts-tuned": async () => (await import("./tuned.js")).tuned,
  "ts-idiomatic": async () => (await import("./idiomatic.js")).idiomatic,
  "tfjs-cpu": async () => (await import("./tfjs.js")).tfjsCpu,
  "tfjs-wasm": async () => (await import("./tfjs.js")).tfjsWasm,
  "jax-js-f32": async () => (await import("./jaxjs.js")).jaxF32,
  "jax-js-f64": async () => (await import("./jaxjs.js")).jaxF64,
  "brain.js": async () => (await import("./brain.js")).brainjs,
  convnetjs: async () => (await import("./convnet.js")).convnet,
};

export const ENGINE_NAMES = Object.keys(LOADERS);

export function loadEngine(name: string): Promise<EngineDef> {
  const load = LOADERS[name];
  if (!load) throw new Error(`unknown engine ${name} (have: ${ENGINE_NAMES.join(", ")})`);
  return load();
}

/** The engines that implement W6 and W7 (the CNN and the LSTM); the rest only build MLPs. */
export const MODEL_ENGINES = ["netc", "netc-wasm-f64", "netc-wasm-f32", "ts-tuned", "tfjs-cpu", "tfjs-wasm", "jax-js-f32", "jax-js-f64"];

export const engineRuns = (engine: string, w: { model?: string }): boolean => !w.model || MODEL_ENGINES.includes(engine);
