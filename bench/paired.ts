// Engines timed in one process, in alternating rounds, so load on a shared machine hits them
// alike: a steadier ratio than separate processes at different moments (bench/run.ts).
//   npx tsx bench/paired.ts W4 netc-wasm-f32,jax-js-f32 [--infer]
// tfjs has one global backend: pair at most one of tfjs-cpu and tfjs-wasm (the one created last
// would run both).
import { loadEngine } from "./engines/index.js";
import { initialParams, workloadBatches } from "./models.js";
import { initialLayers, workload } from "./shared.js";

const [id = "W4", list = "netc-wasm-f32,jax-js-f32"] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const infer = process.argv.includes("--infer");
const w = workload(id);
const batches = workloadBatches(w, 8);
const engines = [];
for (const name of list.split(",")) engines.push({ name, engine: await (await loadEngine(name)).create(w, w.model ? [] : initialLayers(w), batches, initialParams(w)) });

const rates = new Map<string, number[]>();
for (let round = 0; round < 5; round++) {
  for (const { name, engine } of engines) {
    let s = 0;
    const run = () => (infer ? engine.predict(batches[0]!.x, w.batch) : engine.step(s % 8), s++);
    const warm = performance.now() + 300;
    while (performance.now() < warm) run();
    s = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 700) run();
    rates.set(name, [...(rates.get(name) ?? []), (s * w.batch) / ((performance.now() - t0) / 1000)]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const first = median(rates.get(engines[0]!.name)!);
for (const { name } of engines) {
  const r = median(rates.get(name)!);
  console.log(`${id} ${infer ? "inference" : "training"} ${name.padEnd(14)} ${r.toFixed(0).padStart(9)} samples/s   ${engines[0]!.name} ÷ this: ${(first / r).toFixed(2)}×`);
}
