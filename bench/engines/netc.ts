// netc: the workload's .net file compiled, loaded in-process, and given the shared weights.
// bench/run.ts compiles each workload once up front (task "emit") and points workers at the
// JavaScript through NETC_BENCH_CODE_DIR, so timed processes skip the compiler's start-up;
// without it, the engine compiles in-process.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { GeneratedModule, Model } from "../../cli/generated-types.js";
import { copyParams, type Params } from "../models.js";
import { workloadFile, workloadSource, type Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

/** Which backend and precision an engine compiles for; the plain "netc" engine is JS, float64. */
export interface Variant {
  backend: "js" | "wasm" | "auto";
  precision: "f64" | "f32";
}
const DEFAULT: Variant = { backend: "js", precision: "f64" };
const suffix = (v: Variant) => (v.backend === "js" && v.precision === "f64" ? "" : `-${v.backend}-${v.precision}`);

/** Compiles a workload to JavaScript, checking the .net file agrees with bench/shared.ts. */
export async function netcJavaScript(w: Workload, variant: Variant = DEFAULT): Promise<string> {
  const { compile } = await import("../../compiler/index.js");
  const { toJavaScript } = await import("../../cli/load.js");
  const { code, model: ir } = await compile(workloadSource(w.id), { file: workloadFile(w.id), ...variant });
  if (ir.train.batch !== w.batch || ir.train.optimizer.kind !== "sgd" || ir.train.optimizer.lr !== w.lr) {
    throw new Error(`${w.id}.net disagrees with bench/shared.ts about batch, optimizer or lr`);
  }
  return toJavaScript(code);
}

export async function emitToDir(w: Workload, dir: string): Promise<void> {
  writeFileSync(join(dir, `${w.id}.mjs`), await netcJavaScript(w));
}

export async function netcModel(w: Workload, params: Params, variant: Variant = DEFAULT): Promise<Model> {
  const dir = process.env.NETC_BENCH_CODE_DIR;
  const cached = dir ? join(dir, `${w.id}${suffix(variant)}.mjs`) : "";
  let mod: GeneratedModule;
  if (cached && existsSync(cached)) mod = (await import(pathToFileURL(cached).href)) as GeneratedModule;
  else {
    const js = await netcJavaScript(w, variant);
    mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as GeneratedModule;
  }
  const model = mod.createModel();
  const weights = copyParams(params);
  // A float32 module takes Float32Array weights.
  if (variant.precision === "f32") for (const w of Object.values(weights)) w.data = Float32Array.from(w.data) as unknown as Float64Array;
  model.setWeights(weights);
  return model;
}

/** The caller's float64 rows in float32, converted once per array (outside the timed loop). */
const float32Copies = new WeakMap<Float64Array, Float32Array>();
function asFloat32(x: Float64Array): Float32Array {
  let copy = float32Copies.get(x);
  if (!copy) float32Copies.set(x, (copy = Float32Array.from(x)));
  return copy;
}

function netcEngine(name: string, variant: Variant): EngineDef {
  return {
    name,
    exact: () => true,
    tolerance: variant.precision === "f32" ? 1e-3 : 1e-6,
    async create(w, _layers, batches, params) {
      const model = await netcModel(w, params, variant);
      // Data in the module's own precision, converted once outside the timed loop.
      const data = variant.precision === "f32" ? batches.map((b) => ({ ...b, x: Float32Array.from(b.x), y: Float32Array.from(b.y) })) : batches;
      type Arrays = Parameters<Model["trainStep"]>[0];
      return {
        step: (i) => {
          const b = data[i]!;
          return model.trainStep(b.x as Arrays, b.y as Arrays, b.n);
        },
        predict: (x, n) => model.predict((variant.precision === "f32" ? asFloat32(x) : x) as Arrays, n),
      };
    },
  };
}

export const netc = netcEngine("netc", DEFAULT);
export const netcWasm = netcEngine("netc-wasm-f64", { backend: "wasm", precision: "f64" });
export const netcWasmF32 = netcEngine("netc-wasm-f32", { backend: "wasm", precision: "f32" });
