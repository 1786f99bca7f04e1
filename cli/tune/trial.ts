// One piece of one trial of netc tune: compile the model with the trial's hyperparameter values,
// pick up where its last rung left it (weights and training state), train on to the rung's
// epochs through the same loop as netc train, and hand back the scores and the state. Runs in a
// worker thread (worker.ts) or, with --parallel 1, in the command's own thread.
import { compile, compileToGraph, NetcError, type CompileResult } from "../../compiler/index.js";
import type { Dataset } from "../../data/dataset.js";
import type { GeneratedModule, TrainingState } from "../generated-types.js";
import { loadGenerated } from "../load.js";
import { trainModel, type EpochStats } from "../train-loop.js";

/** Rows the trainer evaluates per call, as in netc train. */
const EVAL_ROWS = 4096;
/** Compiled modules a thread keeps, so a trial promoted to the next rung usually skips compiling. */
const CACHED_MODULES = 8;

/** What every trial shares: the model's source and the data, already split (and standardized). */
export interface TrialData {
  source: string;
  file: string;
  model: string | undefined;
  train: Dataset;
  val: Dataset | null;
  /** --backend and --precision, as netc train takes them. */
  backend: { backend: "js" | "wasm" | "auto"; precision?: "f64" | "f32" };
}

/** A trial between rungs: enough to continue exactly where it stopped. */
export interface TrialState {
  weights: Record<string, { shape: number[]; data: Float64Array }>;
  training: TrainingState;
}

export interface SegmentTask {
  trial: number;
  values: [string, number][];
  from: TrialState | null;
  /** Train until the model's epoch counter reaches this (or the trial's own `epochs`, if fewer). */
  epochs: number;
}

export interface SegmentResult {
  trial: number;
  status: "ok" | "diverged" | "failed";
  /** Why it diverged or failed. */
  message: string | null;
  /** The last good epoch's scores (null when the trial never trained). */
  stats: EpochStats | null;
  /** Null unless it can continue (status ok). */
  state: TrialState | null;
}

const modules = new Map<string, { compiled: CompileResult; module: GeneratedModule }>();

export async function runSegment(data: TrialData, task: SegmentTask): Promise<SegmentResult> {
  const failed = (message: string): SegmentResult => ({ trial: task.trial, status: "failed", message, stats: null, state: null });
  let loaded: { compiled: CompileResult; module: GeneratedModule };
  try {
    loaded = await compiledFor(data, task.values);
  } catch (err) {
    if (err instanceof NetcError) return failed(err.diagnostics.map((d) => `${d.span.line}:${d.span.col}: ${d.message}`).join("; "));
    throw err;
  }
  const ir = loaded.compiled.model;
  const model = loaded.module.createModel({ seed: ir.train.seed });
  if (task.from) {
    model.setWeights(task.from.weights);
    model.setState(task.from.training);
  }
  const start = model.getState().epoch;
  const target = Math.min(task.epochs, ir.train.epochs);
  const outcome = await trainModel(model, ir, data.train, data.val, { epochs: Math.max(0, target - start), batch: ir.train.batch });
  if (outcome.stopped?.kind === "diverged") {
    return { trial: task.trial, status: "diverged", message: outcome.stopped.failure.message, stats: outcome.last.stats, state: null };
  }
  return { trial: task.trial, status: "ok", message: null, stats: outcome.last.stats, state: { weights: outcome.last.weights, training: model.getState() } };
}

async function compiledFor(data: TrialData, values: [string, number][]): Promise<{ compiled: CompileResult; module: GeneratedModule }> {
  const key = JSON.stringify(values);
  const cached = modules.get(key);
  if (cached) return cached;
  const options = { file: data.file, model: data.model, tuned: new Map(values), ...data.backend };
  const batch = compileToGraph(data.source, { ...options, maxBatch: 1 }).model.train.batch;
  const maxBatch = Math.max(batch, Math.min(EVAL_ROWS, Math.max(data.train.n, data.val?.n ?? 0)));
  const compiled = await compile(data.source, { ...options, maxBatch, format: false });
  const entry = { compiled, module: await loadGenerated(compiled.code) };
  if (modules.size >= CACHED_MODULES) modules.delete(modules.keys().next().value!);
  modules.set(key, entry);
  return entry;
}
