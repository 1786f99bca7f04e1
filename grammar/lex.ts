// Lexing plus the layout pass that turns a raw token stream into what the grammar expects:
// newlines end statements except inside `(...)`/`[...]`, every `}` and the end of file are preceded
// by a statement end, and pathological nesting is cut off before it can overflow the parser's stack.
import { createTokenInstance, type IToken } from "chevrotain";
import type { Span } from "./ast.js";
import type { Diagnostic } from "../diagnostics/index.js";
import { quote } from "./errors.js";
import {
  Comma, Equals, Identifier, ImplicitEnd, isWellFormedNumber, KEYWORDS, LBracket, LCurly, LParen, netLexer, Newline,
  NumberLiteral, RBracket, RCurly, RParen, Semicolon,
} from "./tokens.js";

/** Deeper `(`/`[` nesting than this is reported, and the excess dropped, before parsing. */
export const MAX_NESTING = 100;

export interface LexResult {
  tokens: IToken[];
  /** Problems found before parsing: bad characters, bad numbers, nesting too deep. */
  diagnostics: Diagnostic[];
  /** Each `{` that is never closed; reported separately because it explains errors at end of file. */
  unclosed: Diagnostic[];
  /** Where "end of file" is reported: just after the last token, so the caret lands on a real line. */
  eof: Span;
}

export function tokenSpan(token: IToken): Span {
  return { line: token.startLine!, col: token.startColumn!, start: token.startOffset, end: token.endOffset! + 1 };
}

/** Maps an offset to a 1-based line and column, splitting lines at `\n` like `formatDiagnostic`. */
export function positioner(source: string): (start: number, end?: number) => Span {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return (start, end = start) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: start - lineStarts[lo]! + 1, start, end };
  };
}

function error(span: Span, message: string): Diagnostic {
  return { severity: "error", message, span };
}

export function lex(source: string): LexResult {
  const at = positioner(source);
  const { tokens: raw, errors } = netLexer.tokenize(source);
  const diagnostics: Diagnostic[] = [];

  for (const e of errors) {
    const text = source.slice(e.offset, e.offset + e.length);
    const noun = [...text].length === 1 ? "character" : "characters";
    diagnostics.push(error(at(e.offset, e.offset + e.length), `unexpected ${noun} ${quote(text)}`));
  }
  for (const token of raw) {
    if (token.tokenType !== NumberLiteral) continue;
    if (!isWellFormedNumber(token.image)) {
      diagnostics.push(error(tokenSpan(token), `bad number literal ${quote(token.image)}`));
    } else if (!Number.isFinite(Number(token.image))) {
      diagnostics.push(error(tokenSpan(token), `number literal ${quote(token.image)} is out of range`));
    }
  }

  let lastIndex = raw.length - 1;
  while (lastIndex >= 0 && raw[lastIndex]!.tokenType === Newline) lastIndex--;
  const last = raw[lastIndex];
  const eof = at(last ? last.endOffset! + 1 : 0);
  const { tokens, tooDeep, unclosed } = layout(raw, eof);
  diagnostics.push(...tooDeep.map((t) => error(tokenSpan(t), "expression nested too deeply")));
  return {
    tokens,
    diagnostics,
    unclosed: unclosed.map((t) => error(tokenSpan(t), "unterminated block: '{' is never closed")),
    eof,
  };
}

function implicitEnd(image: string, span: Span): IToken {
  return createTokenInstance(ImplicitEnd, image, span.start, span.end - 1, span.line, span.line, span.col, span.col);
}

function endsStatement(token: IToken | undefined): boolean {
  return token !== undefined && (token.tokenType === Newline || token.tokenType === Semicolon || token.tokenType === ImplicitEnd);
}

function startsStatement(raw: IToken[], i: number): boolean {
  while (i < raw.length && raw[i]!.tokenType === Newline) i++;
  const first = raw[i]?.tokenType;
  if (first === undefined) return false;
  if (KEYWORDS.includes(first)) return true;
  // `name =` or `a, b =`
  while (raw[i]?.tokenType === Identifier && raw[i + 1]?.tokenType === Comma) i += 2;
  return raw[i]?.tokenType === Identifier && raw[i + 1]?.tokenType === Equals;
}

function layout(raw: IToken[], eof: Span) {
  const tokens: IToken[] = [];
  const tooDeep: IToken[] = [];
  const openBraces: IToken[] = [];
  let depth = 0; // `(` and `[` open since the last point where nesting must be zero
  let dropUntilDepth = -1; // while >= 0, tokens are discarded until nesting falls back to it

  for (let i = 0; i < raw.length; i++) {
    const token = raw[i]!;
    const type = token.tokenType;
    let mustBeOutsideBrackets = type === LCurly || type === RCurly || type === Semicolon;
    if (type === Newline && depth > 0) {
      // A keyword or `name =` can never appear inside brackets, so a line starting with one means
      // the `)` was forgotten: end the statement here instead of swallowing the rest of the block.
      if (!startsStatement(raw, i + 1)) continue;
      mustBeOutsideBrackets = true;
    }
    if (mustBeOutsideBrackets) {
      depth = 0;
      dropUntilDepth = -1;
    }

    if (type === LParen || type === LBracket) {
      depth++;
      if (depth > MAX_NESTING && dropUntilDepth < 0) {
        tooDeep.push(token);
        dropUntilDepth = depth - 1;
      }
    } else if (type === RParen || type === RBracket) {
      if (depth > 0) depth--;
      if (dropUntilDepth >= 0 && depth === dropUntilDepth) {
        dropUntilDepth = -1;
        continue; // the `)` closing the dropped group goes with it
      }
    }
    if (dropUntilDepth >= 0) continue;

    if (type === LCurly) openBraces.push(token);
    if (type === RCurly) {
      openBraces.pop();
      if (!endsStatement(tokens[tokens.length - 1])) tokens.push(implicitEnd("}", tokenSpan(token)));
    }
    tokens.push(token);
  }
  if (tokens.length > 0 && !endsStatement(tokens[tokens.length - 1])) tokens.push(implicitEnd("", eof));
  return { tokens, tooDeep, unclosed: openBraces };
}
