// One measurement in a fresh Node process, so JIT state never leaks between engines:
//   node --expose-gc --import tsx bench/worker.ts '<task JSON>'
// prints one line "@@RESULT <json>". bench/run.ts spawns these.
import { PerformanceObserver, performance } from "node:perf_hooks";
import Benchmark from "benchmark";
import { loadEngine } from "./engines/index.js";
import type { Engine } from "./engines/types.js";
import { initialParams, workloadBatches } from "./models.js";
import { initialLayers, workload, workloadFile, workloadSource, type Layer, type Workload } from "./shared.js";

export type Task =
  | { kind: "train"; engine: string; workload: string; checkSteps: number; minTime: number; pairedCeiling?: boolean }
  | { kind: "infer"; engine: string; workload: string; minTime: number }
  | { kind: "latency"; engine: string; workload: string; minTime: number }
  | { kind: "gc"; engine: string; workload: string; steps: number; warmup: number; warmupMs: number }
  | { kind: "compile"; workload: string }
  | { kind: "emit"; workload: string; dir: string }
  | { kind: "ceiling"; minTime: number };

/** The ceiling variants that have come out on top on this kind of machine. */
const PAIRED_VARIANTS = ["i2k4", "i4k4", "i2k8", "tile4x4"];

/** Distinct batches cycled through by every engine. */
export const BATCHES = 8;

function time(fn: () => void, minTime: number): { hz: number; rme: number; samples: number } {
  const bench = new Benchmark("task", fn, { minTime, maxTime: Math.max(0.5, minTime * 10), minSamples: 5 });
  bench.run();
  if (bench.error) throw bench.error;
  return { hz: bench.hz, rme: bench.stats.rme, samples: bench.stats.sample.length };
}

async function setup(name: string, w: Workload) {
  const layers = w.model ? [] : initialLayers(w);
  const batches = workloadBatches(w, BATCHES);
  const def = await loadEngine(name);
  return { def, layers, batches, engine: await def.create(w, layers, batches, initialParams(w)) };
}

async function train(t: Extract<Task, { kind: "train" }>) {
  const w = workload(t.workload);
  const { def, engine } = await setup(t.engine, w);
  const losses: number[] = [];
  for (let s = 0; s < t.checkSteps; s++) losses.push(engine.step(s % BATCHES));
  let s = 0;
  const timing = time(() => {
    engine.step(s);
    s = (s + 1) % BATCHES;
  }, t.minTime);
  // On a shared machine the ceiling moves with the load: measured right after, in this process,
  // the ratio of the two is steadier than two numbers from different moments.
  const paired = t.pairedCeiling ? (await import("./ceiling.js")).measureCeiling(t.minTime, PAIRED_VARIANTS).best : undefined;
  return { losses, exact: def.exact(w), tolerance: def.tolerance, ...timing, paired };
}

async function infer(t: Extract<Task, { kind: "infer" }>) {
  const w = workload(t.workload);
  const { engine, batches } = await setup(t.engine, w);
  const x = batches[0]!.x;
  return time(() => engine.predict(x, w.batch), t.minTime);
}

/** netc's standalone predictor, built from the shared weights; null when this checkout has none. */
async function netcPredictor(w: Workload, layers: Layer[]): Promise<((x: Float64Array) => ArrayLike<number>) | null> {
  let emitter: { emitPredictor(input: Record<string, unknown>): Promise<string> };
  try {
    emitter = (await import("../compiler/emit/predictor.js")) as unknown as typeof emitter;
  } catch {
    return null;
  }
  const { compileToGraph } = await import("../compiler/index.js");
  const { importJavaScript, toJavaScript } = await import("../cli/load.js");
  const source = workloadSource(w.id);
  // Spread the whole compileToGraph result: the predictor takes whichever graph it needs.
  const compiled = compileToGraph(source, { file: workloadFile(w.id) });
  const weights: Record<string, Float64Array> = {};
  layers.forEach((L, i) => ((weights[`layer${i + 1}.W`] = L.W), (weights[`layer${i + 1}.b`] = L.b)));
  const code = await emitter.emitPredictor({ ...compiled, source, file: workloadFile(w.id), weights });
  const mod = await importJavaScript<{ predict(x: Float64Array): ArrayLike<number> }>(toJavaScript(code));
  return (x) => mod.predict(x);
}

async function latency(t: Extract<Task, { kind: "latency" }>) {
  const w = workload(t.workload);
  const layers = initialLayers(w);
  const row = workloadBatches(w, 1)[0]!.x.slice(0, w.sizes[0]!);
  let predict: (x: Float64Array) => ArrayLike<number>;
  let via = t.engine;
  if (t.engine === "netc-predictor") {
    let p: Awaited<ReturnType<typeof netcPredictor>> = null;
    let why = "compiler/emit/predictor.ts not available";
    try {
      p = await netcPredictor(w, layers);
    } catch (e) {
      why = `the predictor failed: ${String(e).split("\n")[0]}`;
    }
    if (p) predict = p;
    else {
      via = `netc predict(x, 1) (${why})`;
      const engine: Engine = await (await loadEngine("netc")).create(w, layers, workloadBatches(w, 1), initialParams(w));
      predict = (x) => engine.predict(x, 1);
    }
  } else {
    const engine = await (await loadEngine(t.engine)).create(w, layers, workloadBatches(w, 1), initialParams(w));
    predict = (x) => engine.predict(x, 1);
  }
  return { via, ...time(() => predict(row), t.minTime) };
}

async function gc(t: Extract<Task, { kind: "gc" }>) {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error("run the worker with --expose-gc");
  const w = workload(t.workload);
  const { engine } = await setup(t.engine, w);
  // Warm up by steps and by time: until TurboFan has optimized the step, unoptimized code boxes
  // every intermediate double on the heap, which is the JIT's allocation, not the trainer's.
  const until = performance.now() + t.warmupMs;
  for (let s = 0; s < t.warmup || performance.now() < until; s++) engine.step(s % BATCHES);
  collect();
  const kinds: number[] = [];
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      kinds.push((e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0);
      gcMs += e.duration;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const before = process.memoryUsage();
  const t0 = performance.now();
  for (let s = 0; s < t.steps; s++) engine.step(s % BATCHES);
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  await new Promise((r) => setTimeout(r, 100)); // gc entries are delivered asynchronously
  observer.disconnect();
  collect();
  const retained = process.memoryUsage();
  // Node's gc kinds: 1 minor (scavenge), 2 major (mark-compact), 4 incremental marking, 8 weak callbacks.
  const count = (k: number) => kinds.filter((x) => x === k).length;
  return {
    steps: t.steps,
    ms,
    events: kinds.length,
    minor: count(1),
    major: count(2),
    other: kinds.length - count(1) - count(2),
    gcMs,
    heapGrowth: after.heapUsed - before.heapUsed,
    retainedGrowth: retained.heapUsed - before.heapUsed,
    arrayBufferGrowth: after.arrayBuffers - before.arrayBuffers,
  };
}

async function compileTask(t: Extract<Task, { kind: "compile" }>) {
  const t0 = performance.now();
  const { compile } = await import("../compiler/index.js");
  const t1 = performance.now();
  await compile(workloadSource(t.workload), { file: workloadFile(t.workload) });
  return { importMs: t1 - t0, compileMs: performance.now() - t1 };
}

async function run(task: Task): Promise<unknown> {
  switch (task.kind) {
    case "train": return train(task);
    case "infer": return infer(task);
    case "latency": return latency(task);
    case "gc": return gc(task);
    case "compile": return compileTask(task);
    case "emit": return (await import("./engines/netc.js")).emitToDir(workload(task.workload), task.dir).then(() => ({}));
    case "ceiling": return (await import("./ceiling.js")).measureCeiling(task.minTime);
  }
}

try {
  const result = await run(JSON.parse(process.argv[2]!) as Task);
  console.log(`@@RESULT ${JSON.stringify(result)}`);
} catch (e) {
  console.log(`@@RESULT ${JSON.stringify({ error: e instanceof Error ? e.stack ?? e.message : String(e) })}`);
  process.exitCode = 1;
}
