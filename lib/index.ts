// The package's main entry (`import { compile, check } from "netc"`): the compiler as a library.
// Unlike compiler/index.ts, errors in the .net source come back as a list, not as an exception,
// and the types here stand alone (dist/types is emitted from this file, declaration by
// declaration, so its public types cannot reach into the compiler's internals).
import { analyze, compile as compileModule, NetcError } from "../compiler/index.js";
import { formatDiagnostic as formatInternal } from "../diagnostics/index.js";

/** A stretch of the source: 1-based line and column of its start, 0-based offsets, end exclusive. */
export interface Span {
  line: number;
  col: number;
  start: number;
  end: number;
}

export interface Diagnostic {
  severity: "error" | "warning";
  message: string;
  span: Span;
}

export interface CompileOptions {
  /** The file name shown in diagnostics and in the generated module's header. */
  file?: string;
  /** Which model to compile when the source defines several. */
  model?: string;
  /** Where the kernels run: "js" (default), "wasm" (wasm SIMD matmuls) or "auto" (by model size). */
  backend?: "js" | "wasm" | "auto";
  /** Element type of the module's arrays; overrides the train block's `precision`. */
  precision?: "f64" | "f32";
  /** The language of `code`: "typescript" (default) or "javascript" (types erased). */
  language?: "typescript" | "javascript";
  /** The most rows one call takes: the size of the preallocated buffers (default: the train block's `batch`). */
  maxBatch?: number;
  /** Format `code` with prettier (default true); false is faster for code that is only run, not read. */
  format?: boolean;
}

export interface CompileOutput {
  /** The self-contained training module (it exports `createModel`); undefined when there are errors. */
  code: string | undefined;
  /** Every problem found in the source; `code` is present only when none is an error. */
  diagnostics: Diagnostic[];
}

/** Compiles a .net source to a training module. Errors in the source are returned, not thrown. */
export async function compile(source: string, options: CompileOptions = {}): Promise<CompileOutput> {
  const { maxBatch } = options;
  if (maxBatch !== undefined && !(Number.isInteger(maxBatch) && maxBatch >= 1)) throw new RangeError(`compile: maxBatch must be a whole number of rows, at least 1 (got ${maxBatch})`);
  try {
    const { code } = await compileModule(source, options);
    return { code, diagnostics: [] };
  } catch (err) {
    if (err instanceof NetcError) return { code: undefined, diagnostics: err.diagnostics };
    throw err; // not the source's fault: a bug in netc
  }
}

/** The diagnostics of a .net source (syntax, names, shapes), without generating code. */
export function check(source: string): Diagnostic[] {
  return analyze(source).diagnostics;
}

/** `file:LINE:COL: error: message`, then the source line and a caret under the span. */
export function formatDiagnostic(diagnostic: Diagnostic, file: string, source: string): string {
  return formatInternal(diagnostic, file, source);
}

// The types of a generated module (the ones cli/generated-types.ts lists), for `*.net` imports (net.d.ts).
export type {
  FitOptions,
  FitResult,
  LossChunking,
  Model,
  ModelInfo,
  ModelOptions,
  Normalization,
  Tensor,
  TrainingState,
  Weights,
  WeightsFileJson,
} from "../compiler/prelude/api.js";
