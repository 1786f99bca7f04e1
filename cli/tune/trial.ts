// One piece of one trial of netc tune: the model compiled with the trial's hyperparameter values
// picks up where its last rung left it (weights and training state), trains on to the rung's
// epochs through the same loop as netc train, and hands back the scores and the state.
// Compiling happens in the command's thread (compileTrial, which keeps the compiler warm: a
// worker that compiled would first load TypeScript and run it cold, seconds per thread);
// training runs in a worker thread (worker.ts) or, with --parallel 1, in the command's thread.
import { compile, compileToGraph, NetcError } from "../../compiler/index.js";
import type { ModelIR } from "../../compiler/model.js";
import type { Dataset } from "../../data/dataset.js";
import type { GeneratedModule, TrainingState } from "../generated-types.js";
import { importJavaScript, runnableJavaScript } from "../import-javascript.js";
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

/** A segment with its trial's module, compiled to JavaScript by compileTrial. */
export interface CompiledSegment extends SegmentTask {
  code: string;
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

/** JavaScript of each configuration compiled so far (the command's thread), or why it failed. */
const compiledCode = new Map<string, { code: string } | { failed: string }>();

/** The trial's module as JavaScript (compiled once per configuration), or why it cannot compile. */
export async function compileTrial(data: TrialData, values: [string, number][]): Promise<{ code: string } | { failed: string }> {
  const key = JSON.stringify([data.source, data.model, data.backend, values]);
  let entry = compiledCode.get(key);
  if (!entry) {
    try {
      const options = trialOptions(data, values);
      const maxBatch = trialBatch(data, compileToGraph(data.source, { ...options, maxBatch: 1 }).model);
      entry = { code: await runnableJavaScript((await compile(data.source, { ...options, maxBatch, format: false })).code) };
    } catch (err) {
      if (!(err instanceof NetcError)) throw err;
      entry = { failed: err.diagnostics.map((d) => `${d.span.line}:${d.span.col}: ${d.message}`).join("; ") };
    }
    compiledCode.set(key, entry);
  }
  return entry;
}

/** Compiles the segment's trial and trains it, in this thread. */
export async function compileAndRunSegment(data: TrialData, task: SegmentTask): Promise<SegmentResult> {
  const compiled = await compileTrial(data, task.values);
  return "failed" in compiled ? failedSegment(task, compiled.failed) : runSegment(data, { ...task, code: compiled.code });
}

export function failedSegment(task: SegmentTask, message: string): SegmentResult {
  return { trial: task.trial, status: "failed", message, stats: null, state: null };
}

/** Loaded modules a thread keeps, with their IR, so a trial promoted to the next rung usually loads nothing. */
const loadedModules = new Map<string, { ir: ModelIR; module: GeneratedModule }>();

export async function runSegment(data: TrialData, task: CompiledSegment): Promise<SegmentResult> {
  const { ir, module } = await loaded(data, task);
  const model = module.createModel({ seed: ir.train.seed });
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

/** The segment's module and IR (lowering only: no emitter, so a worker never loads TypeScript). */
async function loaded(data: TrialData, task: CompiledSegment): Promise<{ ir: ModelIR; module: GeneratedModule }> {
  const key = JSON.stringify(task.values);
  const cached = loadedModules.get(key);
  if (cached) return cached;
  const options = trialOptions(data, task.values);
  const ir = compileToGraph(data.source, { ...options, maxBatch: 1 }).model;
  const entry = { ir, module: await importJavaScript<GeneratedModule>(task.code) };
  if (loadedModules.size >= CACHED_MODULES) loadedModules.delete(loadedModules.keys().next().value!);
  loadedModules.set(key, entry);
  return entry;
}

function trialOptions(data: TrialData, values: [string, number][]) {
  return { file: data.file, model: data.model, tuned: new Map(values), ...data.backend };
}

/** The batch the trial's buffers are sized for: its training batch, or the evaluation's rows. */
function trialBatch(data: TrialData, ir: ModelIR): number {
  return Math.max(ir.train.batch, Math.min(EVAL_ROWS, Math.max(data.train.n, data.val?.n ?? 0)));
}
