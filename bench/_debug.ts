import { netcModel } from "./engines/netc.js";
import { initialLayers, makeBatches, workload, netcWeights } from "./shared.js";
const w = workload(process.argv[2] ?? "W4");
const layers = initialLayers(w);
const b = makeBatches(w, 1)[0]!;
const m = await netcModel(w, layers);
const g = m.gradients(b.x, b.y, b.n);
console.log("loss", g.loss);
for (const [k, v] of Object.entries(g.grads)) {
  let bad = 0, max = 0;
  for (const x of v.data) { if (!Number.isFinite(x)) bad++; else max = Math.max(max, Math.abs(x)); }
  console.log(k, v.shape, "nonfinite", bad, "max|g|", max);
}
const w0 = m.getWeights();
m.trainStep(b.x, b.y, b.n);
const w1 = m.getWeights();
for (const k of Object.keys(w1)) { let bad=0; for (const x of w1[k]!.data) if (!Number.isFinite(x)) bad++; console.log("after step", k, "nonfinite", bad); }
