// Source spans and diagnostics: the leaf every layer shares (grammar, compiler, CLI).
// Diagnostics are collected, not thrown one at a time: every stage appends to a list so a run
// reports every error it can find. `NetcError` carries the list to the caller (the CLI prints it).

export interface Span {
  /** 1-based line and column of the first character. */
  line: number;
  col: number;
  /** 0-based offsets into the source text, end exclusive. */
  start: number;
  end: number;
}

export interface Diagnostic {
  severity: "error" | "warning";
  message: string;
  span: Span;
}

export class NetcError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly file = "<input>",
    readonly source = "",
  ) {
    super(diagnostics.map((d) => formatDiagnostic(d, file, source)).join("\n"));
    this.name = "NetcError";
  }
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  error(span: Span, message: string): void {
    this.list.push({ severity: "error", message, span });
  }
  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error");
  }
}

/** `file.net:LINE:COL: error: message`, then the source line and a caret under the span. */
export function formatDiagnostic(d: Diagnostic, file: string, source: string): string {
  const head = `${file}:${d.span.line}:${d.span.col}: ${d.severity}: ${d.message}`;
  const lines = source.split(/\r?\n/);
  const text = lines[d.span.line - 1];
  if (text === undefined) return head;
  const visible = text.replace(/\t/g, " ");
  const width = Math.max(1, Math.min(d.span.end - d.span.start, visible.length - (d.span.col - 1)));
  const caret = " ".repeat(Math.max(0, d.span.col - 1)) + "^" + "~".repeat(Math.max(0, width - 1));
  return `${head}\n  ${visible}\n  ${caret}`;
}

/** Orders diagnostics by position so output reads top to bottom regardless of which stage found them. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

export const NO_SPAN: Span = { line: 1, col: 1, start: 0, end: 0 };

export function spanFrom(a: Span, b: Span): Span {
  return { line: a.line, col: a.col, start: a.start, end: b.end };
}
