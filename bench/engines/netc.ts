// netc: the workload's .net file compiled in-process, loaded from memory, given the shared weights.
import { compile } from "../../compiler/index.js";
import { loadGenerated } from "../../runtime/load.js";
import type { Model } from "../../runtime/generated-types.js";
import { netcWeights, workloadFile, workloadSource, type Layer, type Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

/** Compiles and instantiates a workload's trainer with the shared weights. */
export async function netcModel(w: Workload, layers: Layer[], maxBatch = w.batch): Promise<Model> {
  const { code, model: ir } = await compile(workloadSource(w.id), { file: workloadFile(w.id), maxBatch });
  if (ir.train.batch !== w.batch || ir.train.optimizer.kind !== "sgd" || ir.train.optimizer.lr !== w.lr) {
    throw new Error(`${w.id}.net disagrees with bench/shared.ts about batch, optimizer or lr`);
  }
  const model = (await loadGenerated(code)).createModel();
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
