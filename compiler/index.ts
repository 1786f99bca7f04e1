// The compiler's public API: source text in, diagnostics or a formatted TypeScript module out.
//   parse (grammar/) → lower each model to IR → fuse losses → differentiate → simplify
//   → plan buffers → emit (ts-morph lays out the generated code after the prelude it uses)
//   → format the generated part (prettier) → optionally type-check it, or emit JavaScript
// The emitter (ts-morph) and prettier are loaded on first use: checking a file needs neither.
import type { ModelDecl } from "../grammar/ast.js";
import { NetcError, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { analyze } from "./analyze.js";
import type { Language } from "./emit/format.js";
import type { TunedValues } from "./lower/tune.js";
import type { Graph } from "./ir/graph.js";
import type { ModelIR, OptimizerSpec, Precision, TrainSpec } from "./model.js";
import { resolveBackend, type Backend } from "./backend/choose.js";
import { compileGraphs } from "./pipeline.js";
import type { MemoryPlan } from "./plan.js";

export interface CompileOptions {
  /** Shown in diagnostics and the generated header. */
  file?: string;
  /** Which model to compile when the file defines several. */
  model?: string;
  /** Largest batch the buffers are sized for; defaults to the train block's batch. */
  maxBatch?: number;
  /** Settings that override the model's `train` block (the CLI's --epochs, --lr, ...). */
  train?: Partial<Pick<TrainSpec, "epochs" | "batch" | "seed">> & { lr?: number };
  /** Run the IR verifier after every pass, and type-check the emitted module under --strict. */
  verify?: boolean;
  /** Type-check the emitted module (default: as `verify`). Tests that check many modules in one program turn it off here. */
  typecheck?: boolean;
  /** Run prettier over the generated code (default true). Tests that only run the code skip it. */
  format?: boolean;
  /** The language of `code` (default TypeScript); JavaScript is the TypeScript compiler's emit. */
  language?: Language;
  /** Values for the tune block's hyperparameters (a trial of netc tune) instead of their defaults. */
  tuned?: TunedValues;
  /** Where the kernels run: JavaScript, wasm SIMD (matmuls in wasm, the rest JavaScript over
   *  its memory), or auto (chosen per model by chooseBackend). Default js here; the CLI's
   *  default is auto. */
  backend?: Backend;
  /** Element type of the module's arrays; overrides the train block's `precision`. */
  precision?: Precision;
}

export interface CompileResult {
  model: ModelIR;
  /** The training graph: forward (train mode) + backward; outputs predict, loss, grad:*, state:*. */
  graph: Graph;
  /** The evaluation graph (eval mode, no backward) behind predict and loss. */
  evalGraph: Graph;
  /** Evaluation mode differentiated with respect to the input, behind inputGradients. */
  explainGraph: Graph;
  plan: MemoryPlan;
  /** The generated module, formatted: TypeScript, or JavaScript when asked for. */
  code: string;
}

/** Largest preallocation netc will emit; beyond this the model is refused with a diagnostic. */
export const MEMORY_LIMIT_BYTES = 2 ** 31;

/** Front end and middle end for one model; throws NetcError with every diagnostic on failure. */
export function compileToGraph(source: string, options: CompileOptions = {}): Omit<CompileResult, "code"> {
  const file = options.file ?? "<input>";
  const { program, models, diagnostics } = analyze(source, options.tuned && { model: options.model, values: options.tuned });
  const fail = (list: Diagnostic[]) => new NetcError(sortDiagnostics(list), file, source);
  if (diagnostics.length > 0) throw fail(diagnostics);
  const decls = program.decls.filter((d): d is ModelDecl => d.kind === "model");
  if (decls.length === 0) {
    throw fail([{ severity: "error", message: "no model in this file (expected 'model NAME { ... }')", span: { line: 1, col: 1, start: 0, end: 0 } }]);
  }
  let model = models[0]!;
  if (options.model !== undefined) {
    const found = models.find((m) => m.name === options.model);
    if (!found) {
      throw fail([{ severity: "error", message: `no model named '${options.model}' (this file has: ${models.map((m) => m.name).join(", ")})`, span: decls[0]!.name.span }]);
    }
    model = found;
  } else if (models.length > 1) {
    throw fail([{ severity: "error", message: `this file defines several models (${models.map((m) => m.name).join(", ")}); choose one with --model`, span: decls[1]!.name.span }]);
  }
  model = { ...model, train: applyOverrides(model.train, options.train) };
  if (options.precision) model = { ...model, train: { ...model.train, precision: options.precision } };
  const paramBytes = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0) * 8;
  if (paramBytes > MEMORY_LIMIT_BYTES) {
    const size = (p: ModelIR["params"][number]) => p.shape.reduce((a, b) => a * b, 1);
    const largest = model.params.reduce((a, b) => (size(b) > size(a) ? b : a));
    const message = `model '${model.name}' needs ${formatBytes(paramBytes)} for its parameters alone, more than the ${formatBytes(MEMORY_LIMIT_BYTES)} limit (the largest, '${largest.name}' [${largest.shape.join(", ")}], needs ${formatBytes(size(largest) * 8)})`;
    throw fail([{ severity: "error", message, span: largest.span }]);
  }
  const maxBatch = Math.max(options.maxBatch ?? model.train.batch, 1);
  const { graph, evalGraph, explainGraph, plan } = compileGraphs(model, maxBatch, { verify: options.verify });
  if (plan.bytes.total > MEMORY_LIMIT_BYTES) {
    throw fail([{ severity: "error", message: `model '${model.name}' needs ${formatBytes(plan.bytes.total)} of preallocated memory at batch ${maxBatch}, more than the ${formatBytes(MEMORY_LIMIT_BYTES)} limit`, span: model.span }]);
  }
  return { model, graph, evalGraph, explainGraph, plan };
}

export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const result = compileToGraph(source, options);
  // The emitter loads ts-morph: imported here, so that analyze() and compileToGraph() alone do not.
  const { arenaLayout, emitModule } = await import("./emit/module.js");
  const backend = resolveBackend(options.backend, result.model);
  // binaryen (15 MB) is loaded only here, only for the wasm backend.
  const precision = result.model.train.precision;
  const wasm = backend === "wasm" ? await (await import("./backend/wasm/index.js")).buildWasm(result.model, result.graph, result.plan, arenaLayout(result.model), precision) : undefined;
  const parts = emitModule({ ...result, source, file: options.file ?? "<input>", wasm });
  const { finishFile } = await import("./emit/format.js");
  return { ...result, code: await finishFile(parts, { ...options, verify: options.typecheck ?? options.verify }) };
}

export { chooseBackend, resolveBackend, WASM_MIN_PARAMS, type Backend } from "./backend/choose.js";

function applyOverrides(train: TrainSpec, o: CompileOptions["train"]): TrainSpec {
  if (!o) return train;
  const optimizer: OptimizerSpec = o.lr !== undefined ? { ...train.optimizer, lr: o.lr } : train.optimizer;
  return {
    ...train,
    optimizer,
    epochs: o.epochs ?? train.epochs,
    batch: o.batch ?? train.batch,
    seed: o.seed ?? train.seed,
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export { analyze, type AnalyzeResult } from "./analyze.js";
export { NetcError, formatDiagnostic } from "../diagnostics/index.js";
export { EmittedCodeError } from "./emit/errors.js";
export type { Language } from "./emit/format.js";
export type { ModelIR } from "./model.js";
