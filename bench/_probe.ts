import { loadEngine } from "/work/wt/bench67/bench/engines/index.js";
import { initialParams, workloadBatches } from "/work/wt/bench67/bench/models.js";
import { workload } from "/work/wt/bench67/bench/shared.js";
const [eng, id] = process.argv.slice(2);
const w = workload(id!);
const b = workloadBatches(w, 8);
const e = await (await loadEngine(eng!)).create(w, [], b, initialParams(w));
for (let i = 0; i < 5; i++) e.step(i % 8);
let t0 = performance.now(); let s = 0;
while (performance.now() - t0 < 3000) e.step(s++ % 8);
console.log(eng, id, "train steps/s", (s / ((performance.now() - t0) / 1000)).toFixed(2));
t0 = performance.now(); s = 0;
while (performance.now() - t0 < 2000) { e.predict(b[0]!.x, w.batch); s++; }
console.log(eng, id, "infer batches/s", (s / ((performance.now() - t0) / 1000)).toFixed(2));
