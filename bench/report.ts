// Turns the raw worker results into the markdown report: correctness checks, medians and
// spreads, ratios against the handwritten tuned engine and tfjs, and the issue's targets.
import { executedFlopPerSample, flopPerSample, workload } from "./shared.js";

type Err = { error?: string };
export type TrainRun = Err & { engine: string; workload: string; round: number; losses?: (number | null)[]; exact?: true | string; tolerance?: number; hz?: number; rme?: number; paired?: { name: string; gflops: number } };
export type Timed = Err & { engine: string; workload: string; round: number; hz?: number; via?: string };
export type GcRun = Err & { engine: string; workload: string; steps?: number; ms?: number; events?: number; minor?: number; major?: number; other?: number; gcMs?: number; heapGrowth?: number; retainedGrowth?: number; arrayBufferGrowth?: number };
export type CompileRun = Err & { workload: string; run: number; compileMs?: number; importMs?: number; cliMs: number };
export type CeilingRun = Err & { round: number; variants?: { name: string; gflops: number }[] };

export interface Results {
  machine: { cpu: string; cores: number; node: string; v8: string; platform: string; date: string; commit: string; loadBefore: number; loadAfter: number };
  config: Record<string, unknown>;
  train: TrainRun[];
  infer: Timed[];
  latency: Timed[];
  gc: GcRun[];
  compile: CompileRun[];
  ceiling: CeilingRun[];
  summary?: Summary;
}

type Status = "ok" | "WRONG" | "approx" | "error";
interface Cell { engine: string; workload: string; samples: number[]; loss: number | null; status: Status; detail: string; note: string }
interface Summary { cells: Cell[]; ceiling: { name: string; gflops: number } | null; targets: { target: string; measured: string; met: boolean | null }[] }

const TFJS = ["tfjs-cpu", "tfjs-wasm"];
/** The JS peers netc is measured against on W6 and W7. */
const PEERS = ["ts-tuned", "tfjs-cpu", "tfjs-wasm", "jax-js-f32", "jax-js-f64"];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const si = (x: number) =>
  !Number.isFinite(x) ? "—" : x >= 1e6 ? `${(x / 1e6).toPrecision(3)} M` : x >= 1e3 ? `${(x / 1e3).toPrecision(3)} k` : x.toPrecision(3);
const ratio = (x: number) => (Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x.toPrecision(3)}×` : "—");
const spread = (xs: number[]) => (xs.length > 1 ? `${si(Math.min(...xs))}–${si(Math.max(...xs))}` : "—");
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** Median samples/s over rounds, and the loss check against netc (or against ts-tuned when netc itself is off). */
function cells(r: Results): Cell[] {
  const keys = [...new Set(r.train.map((t) => `${t.workload}\u0000${t.engine}`))];
  const first = (w: string, e: string) => r.train.find((t) => t.workload === w && t.engine === e && !t.error);
  const finalLoss = (t: TrainRun | undefined) => (t?.losses ? t.losses.at(-1) ?? null : null);
  const close = (a: number | null | undefined, b: number | null | undefined, tol: number) =>
    a != null && b != null && Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tol * Math.abs(b);
  return keys.map((key) => {
    const [w, engine] = key.split("\u0000") as [string, string];
    const runs = r.train.filter((t) => t.workload === w && t.engine === engine);
    const ok = runs.filter((t) => !t.error && t.hz);
    const samples = ok.map((t) => t.hz! * workload(w).batch);
    const t = first(w, engine);
    const loss = finalLoss(t);
    const base = { engine, workload: w, samples, loss };
    if (!t) return { ...base, status: "error" as const, detail: "", note: String(runs[0]?.error ?? "").split("\n")[0]!.slice(0, 120) };
    // netc counts as right when it agrees with another exact float64 engine.
    const peers = ["ts-tuned", "ts-idiomatic"].map((e) => finalLoss(first(w, e))).filter((l) => l != null);
    const netcOk = peers.length === 0 ? Number.isFinite(finalLoss(first(w, "netc"))) : peers.some((p) => close(finalLoss(first(w, "netc")), p, 1e-6));
    const reference = netcOk ? finalLoss(first(w, "netc")) : finalLoss(first(w, "ts-tuned"));
    const refName = netcOk ? "netc" : "ts-tuned";
    if (t.exact !== true) return { ...base, status: "approx" as const, detail: "not comparable", note: String(t.exact) };
    if (engine === "netc") {
      return { ...base, status: netcOk ? "ok" : "WRONG", detail: netcOk ? "reference" : `vs ts-tuned ${reference?.toPrecision(8)}`, note: "" };
    }
    const rel = loss != null && reference != null ? Math.abs(loss - reference) / Math.abs(reference) : NaN;
    const status: Status = close(loss, reference, t.tolerance ?? 1e-6) ? "ok" : "WRONG";
    return { ...base, status, detail: `${Number.isFinite(rel) ? rel.toExponential(1) : "—"} vs ${refName} (tol ${t.tolerance})`, note: "" };
  });
}

function ceiling(r: Results): { name: string; gflops: number }[] {
  const names = [...new Set(r.ceiling.flatMap((c) => c.variants?.map((v) => v.name) ?? []))];
  return names
    .map((name) => ({ name, gflops: median(r.ceiling.flatMap((c) => c.variants?.filter((v) => v.name === name).map((v) => v.gflops) ?? [])) }))
    .sort((a, b) => b.gflops - a.gflops);
}

export function report(r: Results, seconds: number): string {
  const all = cells(r);
  const cell = (w: string, e: string) => all.find((c) => c.workload === w && c.engine === e);
  const rate = (c: Cell | undefined) => (c && c.samples.length ? median(c.samples) : NaN);
  const gflops = (w: string, c: Cell | undefined) => (rate(c) * flopPerSample(workload(w))) / 1e9;
  const ceil = ceiling(r);
  const best = ceil[0] ?? null;
  const workloads = [...new Set(all.map((c) => c.workload))];
  const engines = [...new Set(all.map((c) => c.engine))];
  const netcValid = (w: string) => cell(w, "netc")?.status === "ok";
  const vs = (w: string, e: string) => rate(cell(w, "netc")) / rate(cell(w, e));
  /** GFLOP/s (6P) ÷ the ceiling measured right after in the same process, median over rounds. */
  const paired = (w: string, e: string) =>
    median(r.train.filter((t) => t.workload === w && t.engine === e && t.hz && t.paired).map((t) => (t.hz! * workload(w).batch * flopPerSample(workload(w))) / 1e9 / t.paired!.gflops));
  const bestTfjs = (w: string) => TFJS.map((e) => cell(w, e)).filter((c) => c && c.status !== "error").sort((a, b) => rate(b) - rate(a))[0];

  // Targets from the issue.
  const targets: Summary["targets"] = [];
  const target = (name: string, value: number, goal: number, w: string, fmt = ratio) =>
    targets.push({
      target: name,
      measured: `${fmt(value)}${netcValid(w) ? "" : cell(w, "netc")?.status === "WRONG" ? " (netc's loss is WRONG)" : " (netc failed)"}`,
      met: Number.isFinite(value) ? value >= goal && netcValid(w) : null,
    });
  for (const w of workloads) {
    const small = ["W1", "W2", "W3"].includes(w);
    if (cell(w, "ts-tuned")) target(`${w}: netc ≥ ${small ? "1.3" : "1.0"}× ts-tuned`, vs(w, "ts-tuned"), small ? 1.3 : 1.0, w);
    const tf = bestTfjs(w);
    if (small && tf) target(`${w}: netc ≥ 100× tfjs (faster backend: ${tf.engine})`, vs(w, tf.engine), 100, w);
    if (!small && best && !workload(w).model) {
      const executed = executedFlopPerSample(workload(w)) / flopPerSample(workload(w));
      const share = Number.isFinite(paired(w, "netc")) ? paired(w, "netc") : gflops(w, cell(w, "netc")) / best.gflops;
      target(`${w}: netc ≥ 80 % of the scalar matmul ceiling (GFLOP/s at 6 × params, paired)`, share, 0.8, w,
        (x) => `${(100 * x).toFixed(0)} % (${(100 * x * executed).toFixed(0)} % counting executed FLOPs)`);
    }
  }
  // Issue 14: the wasm backend against jax-js, tfjs-wasm and the handwritten engine.
  const rateOf = (w: string, e: string) => median(cell(w, e)?.samples ?? []);
  const inferRateOf = (w: string, e: string) => median(r.infer.filter((x) => x.workload === w && x.engine === e && x.hz).map((x) => x.hz! * workload(w).batch));
  const inferRate = (e: string) => inferRateOf("W4", e);
  const wasmTarget = (name: string, value: number, goal: number) =>
    targets.push({ target: name, measured: ratio(value), met: Number.isFinite(value) ? value >= goal : null });
  for (const w of workloads.filter((w) => w === "W4" || w === "W5")) {
    if (cell(w, "netc-wasm-f32") && cell(w, "jax-js-f32")) wasmTarget(`${w}: netc wasm f32 ≥ 1.25× jax-js f32 (training)`, rateOf(w, "netc-wasm-f32") / rateOf(w, "jax-js-f32"), 1.25);
    if (cell(w, "netc-wasm-f64") && cell(w, "ts-tuned")) wasmTarget(`${w}: netc wasm f64 ≥ 2× ts-tuned (training)`, rateOf(w, "netc-wasm-f64") / rateOf(w, "ts-tuned"), 2);
  }
  for (const peer of ["tfjs-wasm", "jax-js-f32"]) {
    const x = inferRate("netc-wasm-f32") / inferRate(peer);
    if (Number.isFinite(x)) wasmTarget(`W4 inference: netc wasm f32 ≥ 1.0× ${peer}`, x, 1);
  }
  // Issue 10: the CNN and the LSTM against the fastest peer, in training and in inference.
  for (const w of workloads.filter((w) => workload(w).model)) {
    const trainOk = (e: string) => cell(w, e)?.status === "ok";
    const inferOk = (e: string) => Number.isFinite(inferRateOf(w, e)) && cell(w, e)?.status !== "WRONG";
    for (const [kind, rateIn, ok] of [["training", rateOf, trainOk], ["inference", inferRateOf, inferOk]] as const) {
      const fastest = (names: string[]) => names.filter(ok).sort((a, b) => rateIn(w, b) - rateIn(w, a))[0];
      const peer = fastest(PEERS);
      const netcBest = fastest(engines.filter((e) => e.startsWith("netc")));
      if (!peer) continue;
      for (const mine of [...new Set(["netc", netcBest ?? "netc"])]) {
        const value = rateIn(w, mine) / rateIn(w, peer);
        const label = mine === "netc" ? "netc (JavaScript, float64)" : `netc's fastest backend (${mine})`;
        targets.push({ target: `${w} ${kind}: ${label} ≥ 1.0× the fastest peer (${peer})`, measured: ratio(value), met: Number.isFinite(value) ? value >= 1 && (kind === "inference" || trainOk(mine)) : null });
      }
    }
  }
  const netcGc = r.gc.filter((g) => g.engine.startsWith("netc"));
  if (netcGc.length) {
    const events = netcGc.reduce((n, g) => n + (g.events ?? NaN), 0);
    const retained = Math.max(...netcGc.map((g) => g.retainedGrowth ?? NaN));
    targets.push({ target: "netc (every backend and precision): zero GC events during training (all workloads)", measured: `${events} events`, met: Number.isFinite(events) ? events === 0 : null });
    targets.push({ target: "netc: memory flat (heap retained after training < 64 KiB)", measured: `${(retained / 1024).toFixed(1)} KiB`, met: Number.isFinite(retained) ? retained < 65536 : null });
  }

  const m = r.machine;
  const out: string[] = [
    `# netc benchmark results${r.config.section ? `: ${(r.config.workloads as string[]).join(", ")}` : ""}`,
    "",
    `${m.date} · ${m.cpu} (${m.cores} logical cores) · Node ${m.node} (V8 ${m.v8}) · ${m.platform} · netc at ${m.commit}`,
    "",
    `1-minute load average ${m.loadBefore.toFixed(1)} before and ${m.loadAfter.toFixed(1)} after the run` +
      (Math.max(m.loadBefore, m.loadAfter) > m.cores ? ` — **the machine was shared and oversubscribed (load > ${m.cores} cores); absolute numbers are noisy, ratios less so**.` : "."),
    "",
    `${r.config.quick ? "Quick run" : "Full run"}: ${r.config.rounds} round(s), benchmark.js minTime ${r.config.minTime} s per measurement, every (engine, workload) in its own Node process; ${seconds.toFixed(0)} s in all. Reproduce: \`npm run bench\` (or \`npm run bench -- --quick\`).`,
    "",
    "## Targets (issues 4, 14 and 10)",
    "",
    table(["target", "measured", "met"], targets.map((t) => [t.target, t.measured, t.met === null ? "—" : t.met ? "yes" : "**no**"])),
    "",
    "## Training: samples/s, median over rounds",
    "",
    `FLOP/sample ≈ 6 × parameters. Loss is the mean batch loss at step ${r.config.checkSteps}, before that step's update, from the same seeded weights and data. ` +
      "`ok` = agrees with netc within the tolerance; `WRONG` = should agree and does not; `approx` = the engine cannot express the same math (see notes).",
    "",
    table(
      ["workload", "engine", "samples/s", "min–max", "GFLOP/s", `loss @${r.config.checkSteps}`, "check", "netc ÷ engine", "notes"],
      all.map((c) => [
        c.workload, c.engine, si(rate(c)), spread(c.samples), gflops(c.workload, c).toPrecision(3),
        c.loss == null ? "NaN" : c.loss.toPrecision(8), c.status === "ok" ? `ok (${c.detail})` : c.status === "WRONG" ? `**WRONG** (${c.detail})` : c.status,
        c.engine === "netc" ? "—" : ratio(vs(c.workload, c.engine)), c.note,
      ]),
    ),
    "",
    "## netc ÷ each engine (training samples/s)",
    "",
    table(
      ["workload", "netc samples/s", ...engines.filter((e) => e !== "netc").map((e) => `÷ ${e}`), "netc GFLOP/s", "% of ceiling"],
      workloads.map((w) => [
        w, si(rate(cell(w, "netc"))), ...engines.filter((e) => e !== "netc").map((e) => ratio(vs(w, e))),
        gflops(w, cell(w, "netc")).toPrecision(3), best ? `${((100 * gflops(w, cell(w, "netc"))) / best.gflops).toFixed(0)} %` : "—",
      ]),
    ),
  ];

  if (ceil.length) {
    out.push("", "## Scalar JS matmul ceiling: 64×784 @ 784×128, float64, GFLOP/s (median over rounds)", "",
      table(["variant", "GFLOP/s"], ceil.map((v) => [v.name === best?.name ? `**${v.name}** (best)` : v.name, v.gflops.toFixed(2)])), "",
      "6 × params overstates the work of a training step: the first layer needs no input gradient. " +
        "Executed FLOPs are 4 per weight in the first layer and 6 elsewhere (W4: 0.67 × 6P, W5: 0.89 × 6P). " +
        "*Paired* = against the ceiling kernels (i2k4, i4k4, i2k8, tile4x4) timed right after the training step in the same process, median over rounds — steadier than the table above when the machine's load changes.", "",
      table(["training step", "GFLOP/s (6P)", "% of ceiling (6P)", "% of paired ceiling (6P)", "% of paired ceiling (executed FLOPs)"], workloads.filter((w) => w === "W4" || w === "W5").flatMap((w) =>
        ["netc", "ts-tuned", "tfjs-wasm"].filter((e) => cell(w, e)).map((e) => {
          const nominal = gflops(w, cell(w, e)), executed = executedFlopPerSample(workload(w)) / flopPerSample(workload(w));
          const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : "—");
          return [`${w} ${e}`, nominal.toPrecision(3), pct(nominal / best!.gflops), pct(paired(w, e)), pct(paired(w, e) * executed)];
        }))));
  }

  const timedTable = (runs: Timed[], rows: number, head: string[], extra: (e: string, xs: number[]) => string[]) => {
    const names = [...new Set(runs.map((x) => x.engine))];
    return table(head, names.map((e) => {
      const ok = runs.filter((x) => x.engine === e && x.hz);
      const xs = ok.map((x) => x.hz! * rows);
      const err = runs.find((x) => x.engine === e && x.error)?.error;
      return [e, si(median(xs)), spread(xs), ...extra(e, xs), err ? `error: ${err.split("\n")[0]!.slice(0, 80)}` : ok[0]?.via && ok[0].via !== e ? ok[0].via : ""];
    }));
  };
  for (const w of [...new Set(r.infer.map((x) => x.workload))]) {
    const runs = r.infer.filter((x) => x.workload === w), batch = workload(w).batch;
    out.push("", `## Inference: ${w}, batch ${batch} (forward only)`, "",
      timedTable(runs, batch, ["engine", "samples/s", "min–max", "netc ÷ engine", "notes"], (_, xs) => [ratio(inferRateOf(w, "netc") / median(xs))]));
  }
  if (r.latency.length) {
    out.push("", "## Single-sample latency: W4, one row", "",
      timedTable(r.latency, 1, ["engine", "predictions/s", "min–max", "µs per prediction", "notes"], (_, xs) => [(1e6 / median(xs)).toPrecision(3)]));
  }
  if (r.compile.length) {
    const ids = [...new Set(r.compile.map((c) => c.workload))];
    out.push("", "## Compile time of each workload's .net (cold process, median)", "",
      "`compile()` = the first call in a fresh process, after importing the compiler; CLI = wall time of `node bin/netc.mjs compile W.net` including Node and tsx startup.", "",
      table(["workload", "compile() ms", "import of the compiler ms", "CLI wall ms", "runs"], ids.map((w) => {
        const runs = r.compile.filter((c) => c.workload === w && !c.error);
        return [w, median(runs.map((c) => c.compileMs!)).toFixed(0), median(runs.map((c) => c.importMs!)).toFixed(0), median(runs.map((c) => c.cliMs)).toFixed(0), String(runs.length)];
      })));
  }
  if (r.gc.length) {
    out.push("", "## Garbage collection and heap growth during training (after warm-up)", "",
      "PerformanceObserver 'gc' entries while training; heap growth = heapUsed after − before (without forcing a collection); retained = after a forced full GC.", "",
      table(["engine", "workload", "steps", "GC events (minor/major/other)", "GC ms", "heap growth, bytes/step", "retained KiB", "ArrayBuffer growth KiB"], r.gc.map((g) =>
        g.error ? [g.engine, g.workload, "—", `error: ${g.error.split("\n")[0]!.slice(0, 80)}`, "", "", "", ""] : [
          g.engine, g.workload, String(g.steps), `${g.events} (${g.minor}/${g.major}/${g.other})`, g.gcMs!.toFixed(1),
          (g.heapGrowth! / g.steps!).toFixed(1), (g.retainedGrowth! / 1024).toFixed(1), (g.arrayBufferGrowth! / 1024).toFixed(1),
        ])));
  }
  out.push("", "## Engine notes", "",
    "- **netc**: the workload's `.net` compiled in-process with the JavaScript backend (float64), loaded from memory, weights set with `setWeights`.",
    "- **netc-wasm-f64 / netc-wasm-f32**: the same `.net` compiled with `--backend wasm` (matmuls and the SGD update in wasm SIMD, the rest JavaScript over the module's memory) in float64 / float32; the f32 engine's data is converted to Float32Array once.",
    "- **ts-tuned**: `bench/engines/tuned.ts` — general layer sizes, preallocated Float64Arrays, unroll-and-jam matmuls (no transposes), fused bias+activation, activation derivative and SGD update, `p − y` head.",
    "- **ts-idiomatic**: `number[][]`, per-sample loops, fresh arrays every step.",
    "- **tfjs-cpu / tfjs-wasm**: float32; `tf.fused.matMul` with bias (+relu) where its gradient exists, `tf.losses.*CrossEntropy` (mean), `tf.train.sgd`; the loss is read back every step (`dataSync`). The wasm backend uses SIMD, one thread.",
    "- **jax-js-f32 / jax-js-f64**: `@jax-js/jax` on its wasm device; the parameters as a pytree, the loss in `jax.numpy`, one `jit` of `valueAndGrad` plus the SGD update per step; the loss read back every step (`dataSync`). Its float64 `exp`/`log`/`tanh` are accurate to about 1e-8 relative (1e-6 for some `log` arguments), so its f64 loss is checked at 1e-4.",
    "- **convnetjs**: per-sample forward/backward with gradients accumulated over `batch_size` = the batch, then one SGD step: exact minibatch SGD. No sigmoid/BCE head: W1/W2 use a 2-way softmax (class 0 fixed at zero, lr/2), exact for W1, approximate for W2.",
    "- **brain.js** (not comparable, `approx`): one activation for every layer including the output, so no softmax (sigmoid for W1, tanh for W2, relu for W3–W5), " +
      "an MSE-style delta (target − output)·act′, per-sample updates at lr/n, momentum forced to 0; its loss column is its own mean squared error.",
    "- **W6 / W7** (issue 10; bench/models.ts): the digits CNN of examples/digits.net (pixels / 16, one-hot targets, SGD lr 0.05, batch 64) and an LSTM (16 steps × 8 seeded features, hidden 64, last state → dense 10 softmax, SGD lr 0.1, batch 32); every engine starts from the same seeded parameters in PyTorch's layouts. " +
      "**ts-tuned**: tuned-cnn.ts (zero-padded NCHW planes, the nine weights of a slice in locals, pooling that remembers its winner) and tuned-lstm.ts (time-major, every product through tuned.ts's kernels). " +
      "**tfjs**: tfjs-models.ts — NHWC; training convolves by im2col (nine shifted slices, concat, one matMul: tfjs-wasm has no Conv2DBackpropFilter kernel, and on tfjs-cpu it is faster than tf.conv2d's gradient), inference by tf.conv2d; tf.maxPool; the LSTM unrolled from tf ops (per-gate matMuls on cpu, one [n, 4h] matMul and tf.split on wasm, whichever is faster there). " +
      "**jax-js**: jaxjs-models.ts — lax.conv (NCHW/OIHW), pooling as reshape + max, the LSTM unrolled, all under one jit. brain.js, convnetjs and ts-idiomatic do not build W6/W7.",
    "- Every engine converts the data to its own format once, outside the timed loop. Samples/s = steps/s × batch; spread = min–max of the per-round medians.",
  );
  r.summary = { cells: all, ceiling: best, targets };
  return out.join("\n") + "\n";
}
