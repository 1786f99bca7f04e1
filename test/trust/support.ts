// Shared by the trust suite: loading emitted code, and diagnostic position checks.
import { compile, type CompileOptions } from "../../compiler/index.js";
import type { Diagnostic } from "../../diagnostics/index.js";
import { loadModule } from "../support/helpers.js";
import type { Model } from "../../cli/generated-types.js";

/** Compiles without prettier (most of a compile's time) and loads the module. */
export async function loadUnformatted(source: string, options: CompileOptions = {}): Promise<{ model: Model; create: () => Model; code: string }> {
  const { code } = await compile(source, { ...options, format: false });
  const module = await loadModule(code);
  return { model: module.createModel(), create: () => module.createModel(), code };
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
