// The benchmark runner: every measurement in its own Node process (bench/worker.ts), rounds
// interleaved across engines so machine noise spreads evenly, then one report.
//   npm run bench                 full run (3 rounds; ~17 min on a busy 2-core VM): bench/RESULTS.md, bench/results.json
//   npm run bench -- --quick      one short round (~4.5 min): bench/RESULTS-quick.md, bench/results-quick.json
//   options: --engines=netc,ts-tuned  --workloads=W1,W4  --rounds=N  --report-only (re-render the last JSON)
//   --section=NAME  write the report into section NAME of RESULTS.md (its JSON: results-NAME.json),
//                   keeping the rest of the file: `npm run bench -- --workloads=W6,W7 --section=w6-w7`
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_NAMES, engineRuns } from "./engines/index.js";
import { report, type Results } from "./report.js";
import { WORKLOADS, workload as workloadById, workloadFile } from "./shared.js";
import { keepMarkedSections, replaceSection } from "./sections.js";
import type { Task } from "./worker.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const engines = option("engines")?.split(",") ?? ENGINE_NAMES;
const workloads = option("workloads")?.split(",") ?? WORKLOADS.map((w) => w.id);
const section = option("section");
const jsonName = section ? `results-${section}.json` : quick ? "results-quick.json" : "results.json";
// --report-only re-renders the markdown from the last results JSON without measuring anything.
if (args.includes("--report-only")) {
  const base = fileURLToPath(new URL(".", import.meta.url));
  const saved = JSON.parse(readFileSync(`${base}${jsonName}`, "utf8")) as Results;
  const markdown = report(saved, Number(saved.config.seconds ?? 0));
  writeResults(`${base}${quick ? "RESULTS-quick.md" : "RESULTS.md"}`, markdown);
  process.stdout.write(markdown);
  process.exit(0);
}

/** The report, keeping the sections other scripts wrote into the file (bench/startup.ts); with
 *  --section, only that section, its headings one level down. */
function writeResults(path: string, markdown: string): void {
  let previous = "";
  try {
    previous = readFileSync(path, "utf8");
  } catch {
    // first run
  }
  if (section) writeFileSync(path, replaceSection(previous, section, markdown.replace(/^#/gm, "##")));
  else writeFileSync(path, keepMarkedSections(previous, markdown));
}

const config = {
  quick,
  rounds: Number(option("rounds") ?? (quick ? 1 : 3)),
  minTime: quick ? 0.05 : 0.1,
  checkSteps: 20,
  gcSteps: quick ? 2000 : 10000,
  /** W4/W5 steps take ~10-50 ms in JS engines; 10,000 of them would take minutes per engine. */
  gcStepsLarge: quick ? 100 : 1000,
  compileRuns: quick ? 1 : 3,
  ...(section ? { section, workloads } : {}),
};

const root = fileURLToPath(new URL("..", import.meta.url));
/** netc's generated JavaScript per workload, compiled once so timed workers skip the compiler. */
const codeDir = mkdtempSync(join(tmpdir(), "netc-bench-"));
let jobs = 0;

/** Runs one worker task in a fresh process; returns its result or { error }. */
function work(task: Task, label: string): Promise<any> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const env = { ...process.env, NETC_BENCH_CODE_DIR: codeDir };
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/worker.ts", JSON.stringify(task)], { cwd: root, env });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill(), 600_000);
    child.on("close", () => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("@@RESULT "));
      const result = line ? JSON.parse(line.slice(9)) : { error: `no result (stderr: ${err.trim().slice(-400)})` };
      process.stderr.write(`[${++jobs}] ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s${result.error ? ` ERROR ${String(result.error).split("\n")[0]}` : ""}\n`);
      resolve(result);
    });
  });
}

function gitDescribe(): string {
  const run = (args: string[]) => spawnSync("git", args, { cwd: root, encoding: "utf8" }).stdout?.trim() ?? "";
  return `${run(["rev-parse", "--short", "HEAD"]) || "unknown"}${run(["status", "--porcelain", "compiler", "runtime"]) ? " + uncommitted compiler changes" : ""}`;
}

/** Wall time of a cold `netc compile` process, output discarded. */
function cliCompile(id: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/netc.mjs", "compile", workloadFile(id)], { cwd: root, stdio: "ignore" });
    child.on("close", (code) => resolve(code === 0 ? performance.now() - t0 : NaN));
  });
}

const machine = {
  cpu: cpus()[0]?.model ?? "unknown CPU",
  cores: cpus().length,
  node: process.version,
  v8: process.versions.v8,
  platform: `${platform()} ${release()}`,
  date: new Date().toISOString().replace("T", " ").slice(0, 16) + " UTC",
  commit: gitDescribe(),
  loadBefore: loadavg()[0]!,
  loadAfter: NaN,
};
const results: Results = { machine, config, train: [], infer: [], latency: [], gc: [], compile: [], ceiling: [] };
const started = Date.now();

if (engines.includes("netc")) {
  for (const workload of workloads) await work({ kind: "emit", workload, dir: codeDir }, `compile ${workload} for the netc workers`);
}

for (let round = 0; round < config.rounds; round++) {
  for (const workload of workloads) {
    for (const engine of engines.filter((e) => engineRuns(e, workloadById(workload)))) {
      // The loss check runs in the first round; later rounds only time.
      const checkSteps = round === 0 ? config.checkSteps : 0;
      const pairedCeiling = ["netc", "ts-tuned"].includes(engine) && ["W4", "W5"].includes(workload);
      const r = await work({ kind: "train", engine, workload, checkSteps, minTime: config.minTime, pairedCeiling }, `round ${round + 1} train ${engine} ${workload}`);
      results.train.push({ engine, workload, round, ...r });
    }
  }
  // Inference (forward only, one batch): W4 and the CNN and the LSTM.
  for (const workload of workloads.filter((w) => ["W4", "W6", "W7"].includes(w))) {
    for (const engine of engines.filter((e) => engineRuns(e, workloadById(workload)))) {
      const r = await work({ kind: "infer", engine, workload, minTime: config.minTime }, `round ${round + 1} infer ${engine} ${workload}`);
      results.infer.push({ engine, workload, round, ...r });
    }
  }
  if (workloads.includes("W4")) {
    for (const engine of ["netc-predictor", "netc", "ts-tuned"].filter((e) => e === "netc-predictor" ? engines.includes("netc") : engines.includes(e))) {
      const r = await work({ kind: "latency", engine, workload: "W4", minTime: config.minTime }, `round ${round + 1} latency ${engine} W4`);
      results.latency.push({ engine, workload: "W4", round, ...r });
    }
  }
  const r = await work({ kind: "ceiling", minTime: quick ? 0.05 : 0.1 }, `round ${round + 1} scalar matmul ceiling`);
  results.ceiling.push({ round, ...r });
}

// Allocation: every engine on W3; netc on every workload.
const gcRuns = [
  ...engines.map((engine) => ({ engine, workload: "W3" })),
  ...engines.filter((e) => e.startsWith("netc")).flatMap((engine) => workloads.filter((w) => w !== "W3").map((workload) => ({ engine, workload }))),
].filter((r) => workloads.includes(r.workload));
for (const { engine, workload } of gcRuns) {
  const large = ["W4", "W5", "W6", "W7"].includes(workload);
  const steps = large ? config.gcStepsLarge : config.gcSteps;
  const r = await work({ kind: "gc", engine, workload, steps, warmup: large ? 200 : 500, warmupMs: quick && !large ? 500 : 2000 }, `gc ${engine} ${workload} (${steps} steps)`);
  results.gc.push({ engine, workload, ...r });
}

if (engines.includes("netc")) {
  for (const workload of workloads) {
    for (let i = 0; i < config.compileRuns; i++) {
      const r = await work({ kind: "compile", workload }, `compile ${workload} (cold process ${i + 1})`);
      results.compile.push({ workload, run: i, ...r, cliMs: await cliCompile(workload) });
    }
  }
}

rmSync(codeDir, { recursive: true, force: true });
machine.loadAfter = loadavg()[0]!;
const seconds = (Date.now() - started) / 1000;
Object.assign(results.config, { seconds });
const markdown = report(results, seconds);
const base = fileURLToPath(new URL(".", import.meta.url));
writeResults(`${base}${quick ? "RESULTS-quick.md" : "RESULTS.md"}`, markdown);
writeFileSync(`${base}${jsonName}`, JSON.stringify(results, null, 2) + "\n");
process.stdout.write(markdown);

