// `netc train`: compile a model in memory, train it on a CSV or bundled data set with progress,
// then write the trainer, the weights, a standalone predictor and the loss curve.
import { join } from "node:path";
import { compile, compileToGraph, type CompileResult, type ModelIR } from "../compiler/index.js";
import { emitPredictor } from "../compiler/emit/predictor.js";
import { splitDataset } from "../data/dataset.js";
import { loadGenerated } from "./load.js";
import { renderLossPlot } from "./plots/loss-plot.js";
import type { Model } from "./generated-types.js";
import { trainModel, type EpochStats, type TrainOutcome } from "./train-loop.js";
import { modelStructure, serializeWeights, structureHash, tensorsByName, type WeightsFile } from "../data/weights.js";
import { backendFlags, numberFlag, parseArgs, stringFlag, UsageError } from "./args.js";
import { loadData, loadWeights } from "./inputs.js";
import { assertDirectory, assertWritable, GENERATED_MARKER, readText, writeOutput } from "./io.js";
import type { Output } from "./main.js";
import { createProgress, fixed, percent } from "./progress.js";

export const TRAIN_USAGE =
  "netc train MODEL.net --data CSV|iris|lecture|xor|spirals|moons [--epochs N] [--batch N] [--lr X] [--seed N] [--val F] [--target NAME] [--out DIR] [--resume WEIGHTS.json] [--model NAME] [--backend js|wasm|auto] [--precision f64|f32] [--force]";

/** Rows the trainer evaluates per call; larger data sets are evaluated in chunks. */
const EVAL_ROWS = 4096;

export async function trainCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, {
    values: ["data", "epochs", "batch", "lr", "seed", "val", "out", "resume", "target", "model", "backend", "precision"],
    booleans: ["force"],
    aliases: { o: "out" },
  });
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError(`usage: ${TRAIN_USAGE}`);
  const dataSpec = stringFlag(args, "data");
  if (!dataSpec) throw new UsageError(`--data is required (a CSV file or one of iris, lecture, xor, spirals, moons)\nusage: ${TRAIN_USAGE}`);
  const overrides = {
    epochs: numberFlag(args, "epochs", { integer: true, min: 0, max: 10_000_000 }),
    batch: numberFlag(args, "batch", { integer: true, min: 1, max: 1_000_000 }),
    lr: numberFlag(args, "lr", { min: 0 }),
    seed: numberFlag(args, "seed", { integer: true, min: 0, max: 2 ** 32 - 1 }),
  };
  const valFlag = numberFlag(args, "val", { min: 0, max: 0.9 });
  const outDir = stringFlag(args, "out") ?? "out";
  const force = args.flags.has("force");
  const resume = stringFlag(args, "resume");
  const source = readText(file, ".net file");

  // Compile once to learn the model's interface and effective settings, then again with a
  // maximum batch big enough to evaluate the data in one call.
  const options = { file, model: stringFlag(args, "model"), train: overrides, ...backendFlags(args) };
  const probe = compileToGraph(source, { ...options, maxBatch: 1 });
  const ir = probe.model;
  const settings = ir.train;
  const resumed = resume ? loadWeights(resume, ir, file) : null;
  const data = loadData(dataSpec, ir, settings.seed, { target: stringFlag(args, "target")?.split(","), labels: resumed?.labels });
  const valFraction = valFlag ?? (data.n >= 20 ? 0.2 : 0);
  const { train, val } = splitDataset(data, valFraction, settings.seed, ir);

  const paths = { trainer: join(outDir, `${ir.name}.ts`), weights: join(outDir, `${ir.name}.weights.json`), predictor: join(outDir, `${ir.name}.predict.ts`), plot: join(outDir, `${ir.name}.loss.svg`) };
  assertDirectory(outDir);
  for (const p of Object.values(paths)) assertWritable(p, force);

  const maxBatch = Math.max(settings.batch, Math.min(EVAL_ROWS, Math.max(train.n, val?.n ?? 0)));
  const compiled = await compile(source, { ...options, maxBatch });
  const model = (await loadGenerated(compiled.code)).createModel({ seed: settings.seed });
  if (resumed) {
    model.setWeights(tensorsByName(resumed));
    // Optimizer moments and counters only carry over to the same optimizer.
    if (resumed.state && resumed.training?.optimizer === settings.optimizer.kind) {
      try {
        model.setState(resumed.state);
      } catch (err) {
        out.stderr(`netc train: ${resume}: optimizer state not restored (${(err as Error).message}); continuing from the weights alone`);
      }
    }
  }

  const opt = settings.optimizer;
  out.stdout(`training model ${ir.name} (${file}) on ${data.source}: ${train.n} rows${val ? ` + ${val.n} for validation` : ""}, ${opt.kind} lr ${opt.lr}, batch ${settings.batch}, ${settings.epochs} epochs, seed ${settings.seed}${resume ? `, resuming from ${resume}` : ""}`);
  const progress = createProgress(out, settings.epochs);
  const started = Date.now();
  let outcome: TrainOutcome;
  try {
    outcome = trainModel(model, ir, train, val, { epochs: settings.epochs, batch: settings.batch, onEpoch: (s) => progress.epoch(s) });
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;

  const { final, failure } = outcome;
  const line = (name: string, m: NonNullable<typeof final.val>) =>
    `${name} loss ${fixed(m.loss)}${m.accuracy !== null ? `  accuracy ${percent(m.accuracy)}` : ""}  (${m.rows} rows)`;
  out.stdout(`${failure ? `stopped after epoch ${final.epoch}` : `done in ${seconds.toFixed(1)}s`}:`);
  out.stdout(`  ${line("train     ", final.train)}`);
  if (final.val) out.stdout(`  ${line("validation", final.val)}`);

  const training = { source: file, data: dataSpec, epochs: final.epoch, batch: settings.batch, optimizer: opt.kind, lr: opt.lr, seed: settings.seed, validation: valFraction, resumedFrom: resume ?? null };
  const weightsFile = weightsRecord(ir, model, data.labels, training, final);
  await writeResults(compiled, source, file, weightsFile, outcome, paths, force);
  out.stdout(`wrote ${Object.values(paths).join(", ")}`);
  if (failure) {
    out.stderr(`netc train: the loss became ${failure.loss} at epoch ${failure.epoch}, batch ${failure.batch} (${failure.culprit} is not finite); try a smaller learning rate, e.g. --lr ${Number((opt.lr / 10).toPrecision(3))}`);
    out.stderr(`  kept the last good weights (end of epoch ${final.epoch}) in ${paths.weights}`);
    return 1;
  }
  return 0;
}

function weightsRecord(ir: ModelIR, model: Model, labels: string[] | null, training: WeightsFile["training"], final: EpochStats): WeightsFile {
  return {
    format: "netc-weights",
    version: 1,
    generator: `${GENERATED_MARKER} (netc train). Format: README.md, "The weights file".`,
    model: ir.name,
    structureHash: structureHash(modelStructure(ir)),
    structure: modelStructure(ir),
    labels,
    tensors: Object.entries(model.getWeights()).map(([name, t]) => ({ name, shape: t.shape, values: Array.from(t.data) })),
    training,
    metrics: { epochs: final.epoch, train: final.train, validation: final.val },
    state: model.getState(),
  };
}

async function writeResults(
  compiled: CompileResult,
  source: string,
  file: string,
  weights: WeightsFile,
  outcome: TrainOutcome,
  paths: Record<"trainer" | "weights" | "predictor" | "plot", string>,
  force: boolean,
): Promise<void> {
  const { model, evalGraph } = compiled;
  const values = Object.fromEntries(Object.entries(tensorsByName(weights)).map(([k, t]) => [k, t.data]));
  const predictor = await emitPredictor({ model, evalGraph, source, file, weights: values, labels: weights.labels });
  const title = `model ${model.name} on ${weights.training!.data}: loss${outcome.history.some((h) => h.train.accuracy !== null) ? " and accuracy" : ""} per epoch`;
  const plot = await renderLossPlot(outcome.history, title);
  writeOutput(paths.trainer, compiled.code, force);
  writeOutput(paths.weights, serializeWeights(weights), force);
  writeOutput(paths.predictor, predictor, force);
  writeOutput(paths.plot, plot, force);
}

