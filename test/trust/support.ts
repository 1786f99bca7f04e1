// Shared by the trust suite: loading emitted code, a finite-difference gradient check with an
// explicit abs/rel tolerance, one-program type checking, and diagnostic position checks.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { compile, type CompileOptions } from "../../compiler/index.js";
import type { Diagnostic } from "../../diagnostics/index.js";
import { loadGenerated } from "../../cli/load.js";
import type { Model } from "../../cli/generated-types.js";

/**
 * Compiles without the prettier pass (formatting only; `compile` adds it) and loads the module.
 * Property tests use this because prettier is most of a compile's time.
 */
export async function loadUnformatted(source: string, options: CompileOptions = {}): Promise<{ model: Model; create: () => Model; code: string }> {
  const { code } = await compile(source, { ...options, format: false });
  const module = await loadGenerated(code);
  return { model: module.createModel(), create: () => module.createModel(), code };
}

export interface GradFailure {
  name: string;
  index: number;
  analytic: number;
  numeric: number;
}

/**
 * Central differences of `loss` against `gradients`, one weight element at a time through
 * `setWeights`. Agreement: |a − d| <= rel · max(|a|, |d|) + abs.
 */
export function gradCheck(model: Model, x: Float64Array, y: Float64Array, n: number, { h = 1e-5, rel = 1e-6, abs = 1e-9 } = {}) {
  const { grads } = model.gradients(x, y, n);
  const failures: GradFailure[] = [];
  let checked = 0;
  for (const [name, w] of Object.entries(model.getWeights())) {
    const data = w.data;
    for (let i = 0; i < data.length; i++) {
      const original = data[i]!;
      const at = (v: number) => {
        data[i] = v;
        model.setWeights({ [name]: { data } });
        return model.loss(x, y, n);
      };
      const numeric = (at(original + h) - at(original - h)) / (2 * h);
      at(original);
      const analytic = grads[name]!.data[i]!;
      checked++;
      if (!(Math.abs(analytic - numeric) <= rel * Math.max(Math.abs(analytic), Math.abs(numeric)) + abs)) {
        failures.push({ name, index: i, analytic, numeric });
      }
    }
  }
  return { checked, failures };
}

export interface TypecheckOptions {
  noUncheckedIndexedAccess?: boolean;
}

/** Type-checks every module in one TypeScript program (creating a program is the slow part). */
export function typecheck(modules: ReadonlyMap<string, string>, options: TypecheckOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "netc-trust-"));
  try {
    const files = [...modules].map(([name, code], i) => {
      const path = join(dir, `${i}-${name.replace(/[^A-Za-z0-9_-]/g, "_")}.ts`);
      writeFileSync(path, code);
      return path;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noImplicitAny: true,
      noUncheckedIndexedAccess: options.noUncheckedIndexedAccess ?? false,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      lib: ["lib.es2022.d.ts"],
      types: [],
    });
    return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => "\n",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why a diagnostic's position is not a real place in `source`, or undefined when it is. */
export function badPosition(d: Diagnostic, source: string): string | undefined {
  const { line, col, start, end } = d.span;
  if (![line, col, start, end].every(Number.isInteger)) return `non-integer span ${JSON.stringify(d.span)}`;
  if (line < 1 || col < 1) return `line/col below 1: ${line}:${col}`;
  if (start < 0 || end < start || end > source.length) return `offsets ${start}..${end} outside 0..${source.length}`;
  const lineStart = line === 1 ? 0 : nthIndexOf(source, "\n", line - 1) + 1;
  if (lineStart <= 0 && line > 1) return `line ${line} beyond the last line`;
  if (lineStart + col - 1 !== start) return `line:col ${line}:${col} is offset ${lineStart + col - 1}, but start is ${start}`;
  return undefined;
}

function nthIndexOf(s: string, ch: string, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) {
    at = s.indexOf(ch, at + 1);
    if (at < 0) return -1;
  }
  return at;
}
