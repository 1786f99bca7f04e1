import { loadEngine } from "./engines/index.js";
import { initialLayers, makeBatches, workload } from "./shared.js";
const w = workload(process.argv[2] ?? "W2");
const names = (process.argv[3] ?? "netc,ts-tuned").split(",");
const steps = Number(process.argv[4] ?? 100000);
const layers = initialLayers(w), batches = makeBatches(w, 8);
const engines = await Promise.all(names.map(async (n) => (await loadEngine(n)).create(w, layers, batches)));
for (let rep = 0; rep < 4; rep++) {
  const line: string[] = [];
  engines.forEach((e, k) => {
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) e.step(s & 7);
    const dt = performance.now() - t0;
    line.push(`${names[k]} ${((steps * w.batch) / dt).toFixed(1)} k samples/s`);
  });
  console.log(line.join("   "));
}
