// `netc tune`: search the model's tune block. Configurations are drawn with a seed; every rung of
// successive halving trains the trials still in the race (in parallel, on worker threads) to
// its epochs, scores them on the validation split and keeps the best third. After every trial
// segment the search is saved in DIR/MODEL.tune.json, so an interrupted tune continues where it
// stopped. At the end: the results table (printed and DIR/MODEL.tune.csv), a plot of the
// metric per hyperparameter (DIR/MODEL.tune.svg), the winner as a plain .net with its values
// (DIR/MODEL.best.net) and its weights (DIR/MODEL.tuned.weights.json).
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { compileToGraph, type ModelIR } from "../compiler/index.js";
import type { TuneSpec } from "../compiler/model.js";
import { splitDataset } from "../data/dataset.js";
import { backendFlags, listFlag, numberFlag, parseArgs, singleOperand, stringFlag, usageLine, UsageError, type ParsedArgs } from "./args.js";
import { TUNE } from "./commands.js";
import { encodeOptions, loadData, normalizeSplits } from "./inputs.js";
import { CliError, readText } from "./io.js";
import { lockOutputSet } from "./lock.js";
import type { Output } from "./main.js";
import { checkOutput, writeOutput, type CommandInput, type OutputKind, type OutputRules } from "./outputs.js";
import { renderTunePlot } from "./plots/tune-plot.js";
import { SIGNAL_EXIT, watchSignals } from "./signals.js";
import { weightsRecord, writeWeights } from "./train-outputs.js";
import { isClassifier } from "./train-loop.js";
import { createRunner, type SegmentRunner } from "./tune/pool.js";
import { createTuneProgress } from "./tune/progress.js";
import { parseRecord, scoreAt, searchDifference, serializeRecord, sourceHash, type SearchKey, type TuneRecord } from "./tune/record.js";
import { bestNetSource, resultRows, resultsCsv, resultsText } from "./tune/report.js";
import { bestSoFar, metricText, runRungs, segmentCount, valuesText } from "./tune/run.js";
import { compareScores, rungEpochs, sampleTrials } from "./tune/search.js";

interface TunePaths {
  checkpoint: string;
  table: string;
  plot: string;
  best: string;
  weights: string;
}

const KINDS: Record<keyof TunePaths, OutputKind> = { checkpoint: "tune checkpoint", table: "tune table", plot: "tune plot", best: "tuned model", weights: "weights" };

export async function tuneCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, TUNE);
  const file = singleOperand(args, TUNE);
  const dataSpec = stringFlag(args, "data");
  if (!dataSpec) throw new UsageError(`--data is required (a CSV file or one of iris, lecture, xor, spirals, moons)\nusage: ${usageLine(TUNE)}`);
  const source = readText(file, ".net file");
  const modelName = stringFlag(args, "model");
  const ir = compileToGraph(source, { file, model: modelName, maxBatch: 1 }).model;
  if (!ir.tune) {
    throw new CliError(`${file}: model ${ir.name} has no tune block, so there is nothing to search; add one, e.g. 'tune { lr: loguniform(1e-4, 0.1); trials 20 }' (see docs/language.md, "Tuning")`);
  }
  const spec = ir.tune;
  const trials = numberFlag(args, "trials", { integer: true, min: 1, max: 100_000 }) ?? spec.trials;
  const threads = Math.min(numberFlag(args, "parallel", { integer: true, min: 1, max: 256 }) ?? availableParallelism(), trials);
  const seed = numberFlag(args, "seed", { integer: true, min: 0, max: 2 ** 31 - 1 }) ?? ir.train.seed;
  const valFraction = numberFlag(args, "val", { min: 0, max: 0.9 }) ?? 0.2;
  const outDir = stringFlag(args, "out") ?? "out";

  const data = loadData(dataSpec, ir, ir.train.seed, encodeOptions(args, null));
  for (const warning of data.warnings) out.stderr(`netc tune: warning: ${warning}`);
  const { train, val } = splitDataset(data, valFraction, ir.train.seed, ir, { inPlace: true });
  const normalization = normalizeSplits(train, val, args.flags.has("normalize"), null);
  const rungs = rungEpochs(ir.train.epochs, trials);
  const key = searchKey(args, ir, source, dataSpec, seed, trials, valFraction, rungs);

  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new CliError(`${outDir}: exists and is not a directory; --out needs a directory (netc writes several files into it)`);
  const paths = tunePaths(outDir, ir.name);
  const inputs: CommandInput[] = [{ path: file, flag: "MODEL.net" }];
  if (existsSync(dataSpec)) inputs.push({ path: dataSpec, flag: "--data" });
  const rules: OutputRules = { force: args.flags.has("force"), inputs };
  // Every output is checked before any training, so a search never fails at its end on a file it may not replace.
  const check = () => (Object.keys(paths) as (keyof TunePaths)[]).forEach((k) => checkOutput(paths[k], KINDS[k], rules));
  check();
  const lock = lockOutputSet(outDir, ir.name, "tune");
  const signals = watchSignals();
  let runner: SegmentRunner | undefined;
  try {
    check(); // again under the lock
    const record = resumeOrStart(paths.checkpoint, key, spec, seed, trials);
    const save = () => writeOutput(paths.checkpoint, "tune checkpoint", serializeRecord(record), rules);
    const what = spec.metric === "val_acc" ? "validation accuracy" : "validation loss";
    out.stdout(`tuning model ${ir.name} (${file}) on ${data.source}: ${train.n} rows${val ? ` + ${val.n} to score the trials by ${what}` : ` (no validation rows: trials are scored on the training ${spec.metric === "val_acc" ? "accuracy" : "loss"})`}`);
    out.stdout(`  ${trials} trials of ${spec.params.map((p) => p.name).join(", ")} (seed ${seed}); rungs at ${rungs.join(", ")} epoch${rungs.at(-1) === 1 ? "" : "s"}, the best 1/3 going on; ${threads} thread${threads === 1 ? "" : "s"}`);
    const done = record.trials.reduce((n, t) => n + t.rungs.length + (t.status === "diverged" || t.status === "failed" ? 1 : 0), 0);
    const total = segmentCount(trials, rungs.length);
    if (done >= total || record.trials.every((t) => t.status !== "running")) out.stdout(`  the search saved in ${paths.checkpoint} is complete; writing its results again`);
    else if (done > 0) out.stdout(`  continuing the search saved in ${paths.checkpoint}: ${done} of ${total} trial segments already trained`);

    runner = createRunner(threads, { source, file, model: modelName, train, val, backend: backendFlags(args) });
    const progress = createTuneProgress(out, total, done);
    let interrupted: string | null;
    try {
      interrupted = await runRungs(record, rungs, spec, runner, () => {
        save();
        progress.segmentDone(bestSoFar(record, spec));
      }, (line) => progress.rungDone(line), signals.received);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`a trial could not run (${(err as Error).message}); the finished trial segments are saved in ${paths.checkpoint}`);
    } finally {
      progress.stop();
    }
    if (interrupted) {
      out.stderr(`netc tune: ${interrupted}; the finished trial segments are saved in ${paths.checkpoint} (run the same command again to continue)`);
      return SIGNAL_EXIT[interrupted]!;
    }
    save();
    return await finish(out, record, { source, file, modelName, ir, spec, rungs, dataSpec, data, valFraction, normalization, hasVal: val !== null, paths, rules, seed });
  } finally {
    await runner?.close();
    signals.dispose();
    lock.release();
  }
}

function tunePaths(dir: string, model: string): TunePaths {
  const at = (suffix: string) => join(dir, `${model}${suffix}`);
  return { checkpoint: at(".tune.json"), table: at(".tune.csv"), plot: at(".tune.svg"), best: at(".best.net"), weights: at(".tuned.weights.json") };
}

function searchKey(args: ParsedArgs, ir: ModelIR, source: string, data: string, seed: number, trials: number, val: number, rungs: number[]): SearchKey {
  return {
    model: ir.name,
    source: sourceHash(source),
    data,
    seed,
    trials,
    val,
    normalize: args.flags.has("normalize"),
    columns: { target: listFlag(args, "target") ?? null, features: listFlag(args, "features") ?? null, ignore: listFlag(args, "ignore") ?? null },
    metric: ir.tune!.metric,
    rungs,
    compute: { backend: backendFlags(args).backend, precision: backendFlags(args).precision ?? null },
  };
}

/** The saved search when it is this one; a fresh one when there is none. */
function resumeOrStart(path: string, key: SearchKey, spec: TuneSpec, seed: number, trials: number): TuneRecord {
  if (existsSync(path)) {
    const saved = parseRecord(readText(path, "tune checkpoint"), path);
    const difference = searchDifference(saved.search, key);
    if (difference) throw new CliError(`${path}: holds a different search (${difference}); remove it, or choose another --out, to start this one`);
    return saved;
  }
  const configs = sampleTrials(spec.params, trials, seed);
  return { search: key, trials: configs.map((c) => ({ id: c.id, values: c.values, rungs: [], status: "running", message: null, state: null })) };
}

interface FinishEnv {
  source: string;
  file: string;
  modelName: string | undefined;
  ir: ModelIR;
  spec: TuneSpec;
  rungs: number[];
  dataSpec: string;
  data: ReturnType<typeof loadData>;
  valFraction: number;
  normalization: ReturnType<typeof normalizeSplits>;
  hasVal: boolean;
  paths: TunePaths;
  rules: OutputRules;
  seed: number;
}

/** The results table, the plot, and the winner's .net and weights (weights first: they cost the most to redo). */
async function finish(out: Output, record: TuneRecord, e: FinishEnv): Promise<number> {
  const { spec, paths, rules } = e;
  const last = e.rungs.length - 1;
  const finished = record.trials.filter((t) => t.status === "finished" && t.rungs.length === e.rungs.length);
  const winner = finished.map((t) => ({ id: t.id, score: scoreAt(t, last), t })).sort((a, b) => compareScores(spec.metric, a, b))[0]?.t ?? null;
  const classifier = isClassifier(e.ir);
  const rows = resultRows(record.trials, spec.metric, winner?.id ?? null);
  out.stdout(resultsText(rows, spec, classifier));
  const written: string[] = [];
  if (winner) {
    const values = new Map(winner.values);
    const ir = compileToGraph(e.source, { file: e.file, model: e.modelName, maxBatch: 1, tuned: values }).model;
    const stats = winner.rungs[last]!;
    const snapshot = { stats, weights: winner.state!.weights, state: winner.state!.training };
    const training = { source: paths.best, data: e.dataSpec, epochs: stats.epoch, batch: ir.train.batch, optimizer: ir.train.optimizer.kind, lr: ir.train.optimizer.lr, seed: ir.train.seed, validation: e.valFraction, resumedFrom: null, settings: ir.train };
    writeWeights(paths.weights, weightsRecord({ ir, labels: e.data.labels, training, normalization: e.normalization, columns: e.data.columns }, snapshot, snapshot), rules);
    const score = scoreAt(winner, last)!;
    const header = `${oneLine(e.file)} (trial ${winner.id} of ${record.trials.length}: ${metricText(spec, score)} after ${stats.epoch} epochs); the tune block's values are substituted.`;
    writeOutput(paths.best, "tuned model", bestNetSource(e.source, e.ir.name, values, spec, header), rules);
    written.push(paths.weights, paths.best);
  }
  writeOutput(paths.table, "tune table", resultsCsv(rows, spec, e.hasVal, classifier), rules);
  written.push(paths.table);
  const points = rows.filter((r) => r.loss !== null).map((r) => ({
    trial: r.trial.id,
    values: Object.fromEntries(r.trial.values),
    metric: spec.metric === "val_acc" && r.accuracy !== null ? r.accuracy : r.loss!,
    epochs: r.epochs,
    best: r.trial.id === winner?.id,
  }));
  const metricTitle = `${e.hasVal ? "validation" : "training"} ${spec.metric === "val_acc" ? "accuracy" : "loss"}`;
  writeOutput(paths.plot, "tune plot", await renderTunePlot(points, spec, metricTitle, `netc tune: model ${e.ir.name}, ${record.trials.length} trials (seed ${e.seed})`), rules);
  written.push(paths.plot, paths.checkpoint);
  if (!winner) {
    out.stderr(`netc tune: no trial finished (every one diverged or failed; see the table); the table and the plot are in ${paths.table} and ${paths.plot}`);
    return 1;
  }
  out.stdout(`best: trial ${winner.id} (${valuesText(winner, spec)}): ${metricText(spec, scoreAt(winner, last)!)} after ${winner.rungs[last]!.epoch} epochs`);
  out.stdout(`wrote ${written.join(", ")}`);
  return 0;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}
