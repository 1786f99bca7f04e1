// `netc train`: compile a model in memory, train it on a CSV or bundled data set with progress,
// then write the weights, the trainer, a standalone predictor and the loss curve. Before any
// training it takes the output set's lock (which proves --out writable) and checks every output
// path; during training it checkpoints; on SIGINT/SIGTERM it saves the last completed epoch.
import { existsSync, rmSync, statSync } from "node:fs";
import { compile, compileToGraph, type Backend, type ModelIR } from "../compiler/index.js";
import { defaultValue, valueText } from "../compiler/lower/tune.js";
import { inputDecl, type TuneSpec } from "../compiler/model.js";
import { emitPredictor } from "../compiler/emit/predictor.js";
import { splitDataset } from "../data/dataset.js";
import { valuesByName, type WeightsFile } from "../data/weights.js";
import { loadGenerated } from "./load.js";
import { LossHistory } from "./plots/loss-history.js";
import { renderLossPlot } from "./plots/loss-plot.js";
import type { Model } from "./generated-types.js";
import { captureState, monitored, trainerBatch, trainModel, type EpochStats, type Snapshot, type TrainOutcome } from "./train-loop.js";
import { backendFlags, numberFlag, parseArgs, positiveFlag, settingFlag, singleOperand, stringFlag, usageLine, UsageError } from "./args.js";
import { TRAIN } from "./commands.js";
import { describeSettings } from "./describe.js";
import { regressionText } from "../data/metrics.js";
import { checkpointer, DEFAULT_CHECKPOINT_EVERY, parseCheckpointEvery } from "./checkpoints.js";
import { SIGNAL_EXIT, watchSignals } from "./signals.js";
import { bundledNames, encodeOptions, loadData, loadWeights, normalizeSplits } from "./inputs.js";
import { CliError, readText } from "./io.js";
import { lockOutputSet } from "./lock.js";
import { writeOutput, type CommandInput, type OutputRules } from "./outputs.js";
import { planRun, type RunPlan } from "./train-settings.js";
import { checkOutputs, outputPaths, restoreRun, weightsRecord, writeWeights, type OutputPaths, type RunRecord } from "./train-outputs.js";
import type { Output } from "./main.js";
import { createProgress, fixed, percent } from "./progress.js";

/** Rows the trainer evaluates per call; larger data sets are evaluated in chunks. */
const EVAL_ROWS = 4096;

export async function trainCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, TRAIN);
  const file = singleOperand(args, TRAIN);
  const dataSpec = stringFlag(args, "data");
  if (!dataSpec) throw new UsageError(`--data is required (a CSV file or one of ${bundledNames()})\nusage: ${usageLine(TRAIN)}`);
  const flags = {
    epochs: settingFlag(args, "epochs"),
    batch: settingFlag(args, "batch"),
    lr: positiveFlag(args, "lr"),
    seed: settingFlag(args, "seed"),
    val: numberFlag(args, "val", { min: 0, max: 0.9 }),
  };
  const patience = numberFlag(args, "patience", { integer: true, min: 1, max: 10_000_000 });
  const checkpointEvery = parseCheckpointEvery(stringFlag(args, "checkpoint-every") ?? DEFAULT_CHECKPOINT_EVERY);
  const outDir = stringFlag(args, "out") ?? "out";
  const resume = stringFlag(args, "resume");
  const source = readText(file, ".net file");

  // Compile once to learn the model's interface and its own settings, then again with the
  // run's settings and a maximum batch big enough to evaluate the data in few calls.
  const modelName = stringFlag(args, "model");
  const net = compileToGraph(source, { file, model: modelName, maxBatch: 1 }).model;
  const resumed = resume ? { file: loadWeights(resume, net, file), path: resume } : null;
  const plan = planRun(net.train, flags, resumed, args.flags.has("reset-optimizer"));
  const options = { file, model: modelName, train: plan.overrides, ...backendFlags(args) };
  const ir = compileToGraph(source, { ...options, maxBatch: 1 }).model;
  const settings = ir.train;
  if (ir.input.index && args.flags.has("normalize")) {
    throw new CliError(`--normalize: the input ${inputDecl(ir)} holds ids, which standardizing would turn into other numbers`);
  }
  const data = loadData(dataSpec, ir, settings.seed, encodeOptions(args, resumed?.file ?? null));
  for (const warning of data.warnings) out.stderr(`netc train: warning: ${warning}`);
  const valFraction = plan.val ?? (data.n >= 20 ? 0.2 : 0);
  const { train, val } = splitDataset(data, valFraction, settings.seed, ir, { inPlace: true });
  const normalization = normalizeSplits(train, val, args.flags.has("normalize"), resumed?.file ?? null);

  const paths = outputPaths(outDir, ir.name);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new CliError(`${outDir}: exists and is not a directory; --out needs a directory (netc writes several files into it)`);
  }
  const inputs: CommandInput[] = [{ path: file, flag: "MODEL.net" }];
  if (existsSync(dataSpec)) inputs.push({ path: dataSpec, flag: "--data" });
  const rules: OutputRules = { force: args.flags.has("force"), inputs: resume ? [...inputs, { path: resume, flag: "--resume" }] : inputs };
  // A resumed run may replace the weights file it continues (it was read in full before training).
  const weightsRules: OutputRules = { ...rules, inputs };
  checkOutputs(paths, rules, weightsRules);
  const lock = lockOutputSet(outDir, ir.name);
  const signals = watchSignals();
  try {
    // Again under the lock: another run may have changed --out in between.
    checkOutputs(paths, rules, weightsRules);
    const splitRows = Math.max(train.n, val?.n ?? 0);
    const maxBatch = trainerBatch(ir, settings.batch, splitRows, EVAL_ROWS);
    const compiled = await compile(source, { ...options, maxBatch });
    const model = (await loadGenerated(compiled.code)).createModel({ seed: settings.seed });
    if (resumed) restoreResumed(model, resumed, plan);
    if (signals.received()) return interruptedBeforeTraining(out, signals.received()!);

    const opt = settings.optimizer;
    const count = plan.total - plan.start;
    const epochsText = `${count} epoch${count === 1 ? "" : "s"}${plan.start > 0 ? ` (${count === 1 ? `epoch ${plan.total}` : `${plan.start + 1} to ${plan.total}`})` : ""}`;
    out.stdout(`training model ${ir.name} (${file}) on ${data.source}: ${train.n} rows${val ? ` + ${val.n} for validation` : ""}, ${describeSettings(settings, normalization !== null, epochsText)}${resume ? `, resuming from ${resume} at epoch ${plan.start}` : ""}`);
    for (const note of plan.notes) out.stdout(`  note: ${note}`);
    if (ir.tune) out.stdout(`  note: the tune block's hyperparameters take their defaults here (${tunedDefaults(ir.tune)}); netc tune searches them`);
    if (splitRows > EVAL_ROWS && ir.lossChunks.eval.combine === null) {
      out.stdout(`  note: the loss cannot be evaluated in chunks (${ir.lossChunks.eval.reason}), so the trainer evaluates all ${splitRows} rows of a split at once`);
    }
    if (existsSync(paths.last) && !(resume && sameFile(resume, paths.last))) {
      out.stdout(`  note: ${paths.last} is an interrupted run's checkpoint; this run's checkpoints replace it (to continue that run instead, stop and pass --resume ${paths.last})`);
    }

    const run: RunRecord = {
      ir,
      labels: data.labels,
      normalization,
      columns: data.columns,
      training: { source: file, data: dataSpec, epochs: plan.total, batch: settings.batch, optimizer: opt.kind, lr: opt.lr, seed: settings.seed, validation: valFraction, resumedFrom: resume ?? null, settings },
    };
    const history = new LossHistory(plan.start, plan.total);
    const progress = createProgress(out, plan.total, plan.start);
    const checkpoint = checkpointer(checkpointEvery, (last, best) => {
      captureState(model, last);
      writeWeights(paths.last, weightsRecord(run, last, best), weightsRules);
      writeWeights(paths.best, weightsRecord(run, best, best), weightsRules);
    });
    const started = Date.now();
    let outcome: TrainOutcome;
    try {
      outcome = await trainModel(model, ir, train, val, {
        epochs: plan.total - plan.start,
        batch: settings.batch,
        patience,
        onEpoch: (s) => {
          history.add(s);
          progress.epoch(s);
        },
        afterEpoch: checkpoint,
        stopRequested: () => signals.received() !== null,
      });
    } finally {
      progress.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const { initial, best, stopped } = outcome;
    history.add(initial.stats);

    if (stopped?.kind === "diverged" && stopped.beforeTraining) {
      out.stderr(`netc train: ${stopped.failure.message}; nothing was written`);
      return 1;
    }
    if (stopped?.kind !== "diverged") captureState(model, outcome.last);
    if (stopped?.kind === "requested") {
      const signal = signals.received()!;
      writeWeights(paths.last, weightsRecord(run, outcome.last, best), weightsRules);
      writeWeights(paths.best, weightsRecord(run, best, best), weightsRules);
      out.stderr(`netc train: ${signal} after epoch ${outcome.last.stats.epoch} of ${plan.total}; saved that epoch's state in ${paths.last} (and the best epoch, ${best.stats.epoch}, in ${paths.best})`);
      out.stderr(`  continue with --resume ${paths.last}; ${paths.weights} and the other outputs are from before this run`);
      return SIGNAL_EXIT[signal]!;
    }

    let final = outcome.last;
    if (args.flags.has("restore-best") && best !== final) {
      model.setWeights(best.weights);
      if (best.state) model.setState(best.state);
      final = best;
    }
    const failure = stopped?.kind === "diverged" ? stopped.failure : null;
    out.stdout(`${failure ? `diverged in epoch ${failure.epoch}; kept epoch ${final.stats.epoch}, the last good one` : stopped?.kind === "patience" ? `stopped early at epoch ${outcome.last.stats.epoch} in ${seconds.toFixed(1)}s (no better ${val ? "validation" : "training"} loss for ${stopped.epochs} epochs)` : `done in ${seconds.toFixed(1)}s`}:`);
    out.stdout(summary(final.stats, best, final !== outcome.last));

    const record = weightsRecord(run, final, best);
    writeWeights(paths.weights, record, weightsRules);
    writeWeights(paths.best, weightsRecord(run, best, best), weightsRules);
    const written = [paths.weights, paths.best];
    const rest = await writeRest(compiled.code, source, file, ir, compiled.evalGraph, record, history, paths, rules, signals.received, options.backend);
    written.push(...rest.written);
    if (!resume || !sameFile(resume, paths.last)) rmSync(paths.last, { force: true });
    out.stdout(`wrote ${written.join(", ")}`);
    if (rest.error) {
      out.stderr(`netc train: ${rest.error}`);
      out.stderr(`  the weights are saved in ${paths.weights}`);
      return 1;
    }
    if (failure) {
      const lr = Number((opt.lr / 10).toPrecision(3));
      out.stderr(`netc train: ${failure.message}; try a smaller learning rate, e.g. --lr ${lr}`);
      out.stderr(`  kept the last good weights (end of epoch ${final.stats.epoch}) in ${paths.weights}`);
      return 1;
    }
    if (signals.received()) return SIGNAL_EXIT[signals.received()!]!;
    return 0;
  } finally {
    signals.dispose();
    lock.release();
  }
}

function restoreResumed(model: Model, resumed: { file: WeightsFile; path: string }, plan: RunPlan): void {
  try {
    restoreRun(model, resumed.file, plan.start, plan.resetOptimizer);
  } catch (err) {
    throw new CliError(`${resumed.path}: the saved training state does not fit this model (${(err as Error).message}); pass --reset-optimizer to continue from the weights alone`);
  }
}

function interruptedBeforeTraining(out: Output, signal: string): number {
  out.stderr(`netc train: ${signal} before training started; nothing was written`);
  return SIGNAL_EXIT[signal]!;
}

function summary(final: EpochStats, best: Snapshot, restored: boolean): string {
  const line = (name: string, m: NonNullable<EpochStats["val"]>) =>
    `${name} loss ${fixed(m.loss)}${m.accuracy !== null ? `  accuracy ${percent(m.accuracy)}` : ""}${m.regression ? `  ${regressionText(m.regression)}` : ""}  (${m.rows} rows)`;
  const lines = [`  ${line("train     ", final.train)}`];
  if (final.val) lines.push(`  ${line("validation", final.val)}`);
  const b = best.stats;
  const acc = (b.val ?? b.train).accuracy;
  lines.push(`  best epoch ${b.epoch}: ${b.val ? "validation" : "training"} loss ${fixed(monitored(b))}${acc !== null ? `  accuracy ${percent(acc)}` : ""}${restored ? " (restored: --restore-best)" : ""}`);
  return lines.join("\n");
}

/** Predictor, trainer and plot; a failure here is reported, but the weights are already safe. */
async function writeRest(
  code: string,
  source: string,
  file: string,
  ir: ModelIR,
  evalGraph: Parameters<typeof emitPredictor>[0]["evalGraph"],
  weights: WeightsFile,
  history: LossHistory,
  paths: OutputPaths,
  rules: OutputRules,
  interrupted: () => string | null,
  backend: Backend,
): Promise<{ written: string[]; error: string | null }> {
  const written: string[] = [];
  try {
    writeOutput(paths.trainer, "trainer", code, rules);
    written.push(paths.trainer);
    const predictor = await emitPredictor({ model: ir, evalGraph, source, file, weights: valuesByName(weights), labels: weights.labels, normalization: weights.normalization ?? null, backend });
    if (interrupted()) return { written, error: `${interrupted()} while writing the outputs; ${paths.predictor} and ${paths.plot} not written` };
    writeOutput(paths.predictor, "predictor", predictor, rules);
    written.push(paths.predictor);
    const title = `model ${ir.name} on ${weights.training!.data}: loss${history.hasAccuracy() ? " and accuracy" : ""} per epoch`;
    writeOutput(paths.plot, "loss plot", await renderLossPlot(history.points(), title), rules);
    written.push(paths.plot);
    return { written, error: null };
  } catch (err) {
    if (err instanceof CliError) return { written, error: err.message };
    return { written, error: `could not write the remaining outputs (${(err as Error).message})` };
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

/** `lr = 0.00316228, width = 16`: what each tuned name is when no search picks it. */
function tunedDefaults(tune: TuneSpec): string {
  return tune.params.map((p) => `${p.name} = ${valueText(p.distribution, defaultValue(p.distribution))}`).join(", ");
}
