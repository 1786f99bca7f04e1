// One analysis of a document's text — netc's own front end, the same `analyze` as `netc check` —
// and the conversions between netc's spans and LSP positions. Spans carry the 1-based line and
// column the CLI prints; LSP positions are the same numbers, 0-based.
import type { Diagnostic as LspDiagnostic, Position, Range } from "vscode-languageserver";
import { analyze, type AnalyzeResult } from "../compiler/analyze.js";
import type { ParamSpec } from "../compiler/model.js";
import type { Span } from "../grammar/ast.js";

export interface Analysis extends AnalyzeResult {
  text: string;
  /** Offsets at which each line starts (lines end at `\n` only, as netc counts them). */
  lineStarts: number[];
}

export function analyzeText(text: string): Analysis {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  return { ...analyze(text), text, lineStarts };
}

export function offsetAt(a: Analysis, p: Position): number {
  const start = a.lineStarts[Math.min(p.line, a.lineStarts.length - 1)] ?? 0;
  const next = a.lineStarts[p.line + 1] ?? a.text.length + 1;
  return Math.min(start + p.character, next - 1, a.text.length);
}

export function positionAt(a: Analysis, offset: number): Position {
  let line = 0;
  while (line + 1 < a.lineStarts.length && a.lineStarts[line + 1]! <= offset) line++;
  return { line, character: offset - a.lineStarts[line]! };
}

/** The span as an LSP range: starts at the CLI's line:col (both minus one). */
export function rangeOf(a: Analysis, span: Span): Range {
  const start = { line: span.line - 1, character: span.col - 1 };
  const end = span.end > span.start ? positionAt(a, span.end) : { line: start.line, character: start.character + 1 };
  return { start, end };
}

export function diagnosticsOf(a: Analysis): LspDiagnostic[] {
  return a.diagnostics.map((d) => ({
    range: rangeOf(a, d.span),
    severity: d.severity === "error" ? 1 : 2,
    source: "netc",
    message: d.message,
  }));
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Parameters a model made, when it lowered without errors. */
export function paramsOf(a: Analysis, model: string): ParamSpec[] {
  return a.models.find((m) => m.name === model)?.params ?? [];
}
