// netc: the workload's .net file compiled, loaded in-process, and given the shared weights.
// bench/run.ts compiles each workload once up front (task "emit") and points workers at the
// JavaScript through NETC_BENCH_CODE_DIR, so timed processes skip the compiler's start-up;
// without it, the engine compiles in-process.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { GeneratedModule, Model } from "../../cli/generated-types.js";
import { netcWeights, workloadFile, workloadSource, type Layer, type Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

/** Compiles a workload to JavaScript, checking the .net file agrees with bench/shared.ts. */
export async function netcJavaScript(w: Workload): Promise<string> {
  const { compile } = await import("../../compiler/index.js");
  const { toJavaScript } = await import("../../cli/load.js");
  const { code, model: ir } = await compile(workloadSource(w.id), { file: workloadFile(w.id) });
  if (ir.train.batch !== w.batch || ir.train.optimizer.kind !== "sgd" || ir.train.optimizer.lr !== w.lr) {
    throw new Error(`${w.id}.net disagrees with bench/shared.ts about batch, optimizer or lr`);
  }
  return toJavaScript(code);
}

export async function emitToDir(w: Workload, dir: string): Promise<void> {
  writeFileSync(join(dir, `${w.id}.mjs`), await netcJavaScript(w));
}

export async function netcModel(w: Workload, layers: Layer[]): Promise<Model> {
  const dir = process.env.NETC_BENCH_CODE_DIR;
  const cached = dir ? join(dir, `${w.id}.mjs`) : "";
  let mod: GeneratedModule;
  if (cached && existsSync(cached)) mod = (await import(pathToFileURL(cached).href)) as GeneratedModule;
  else {
    const js = await netcJavaScript(w);
    mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as GeneratedModule;
  }
  const model = mod.createModel();
  model.setWeights(netcWeights(layers));
  return model;
}

export const netc: EngineDef = {
  name: "netc",
  exact: () => true,
  tolerance: 1e-6,
  async create(w, layers, batches) {
    const model = await netcModel(w, layers);
    return {
      step: (i) => {
        const b = batches[i]!;
        return model.trainStep(b.x, b.y, b.n);
      },
      predict: (x, n) => model.predict(x, n),
    };
  },
};
