// The front end's entry point: source text → AST plus diagnostics. Never throws.
//
// Error policy: every lexical problem is reported; of the parser's errors only the first in each
// statement is kept, and none in a statement that already has a lexical error, because one mistake
// can make Chevrotain's recovery trip several times. A
// "statement" here is the run of tokens between two statement ends or braces, so errors on two
// different lines are both reported. When diagnostics contain errors the returned Program is
// best-effort (incomplete statements are left out) and later stages should not run.
import { EOF, tokenMatcher, type IToken } from "chevrotain";
import type { Program, Span } from "./ast.js";
import { Diagnostics, NO_SPAN, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { lex, tokenSpan } from "./lex.js";
import { netParser } from "./parser.js";
import { ImplicitEnd, LCurly, RCurly, StatementEnd } from "./tokens.js";
import { AstBuilder } from "./visitor.js";

export { printAst, printExpr } from "./printer.js";
export { MAX_NESTING } from "./lex.js";

export function parse(source: string, diags: Diagnostics): Program {
  try {
    return parseCollecting(source, diags);
  } catch (e) {
    // A last line of defence so a front-end bug surfaces as a diagnostic rather than a crash.
    diags.error(NO_SPAN, `internal parser error: ${e instanceof Error ? e.message : String(e)}`);
    return { decls: [] };
  }
}

function parseCollecting(source: string, diags: Diagnostics): Program {
  const lexed = lex(source);
  netParser.input = lexed.tokens;
  const cst = netParser.file();

  const statementOf = statementIndexer(lexed.tokens);
  const found: Diagnostic[] = [...lexed.diagnostics];
  const statementsWithErrors = new Set(found.map((d) => statementOf(d.span.start)));
  for (const e of netParser.errors) {
    const atEof = isEndOfFile(e.token);
    // Errors at end of file inside an unclosed block are all explained by the missing `}`.
    if (atEof && lexed.unclosed.length > 0) continue;
    const span: Span = atEof ? lexed.eof : tokenSpan(e.token);
    const statement = statementOf(span.start);
    if (statementsWithErrors.has(statement)) continue;
    statementsWithErrors.add(statement);
    found.push({ severity: "error", message: e.message, span });
  }
  found.push(...lexed.unclosed);

  const fromVisitor = new Diagnostics();
  const program = new AstBuilder(fromVisitor).visit(cst) as Program;
  for (const d of sortDiagnostics([...found, ...fromVisitor.list])) diags.error(d.span, d.message);
  return program;
}

function isEndOfFile(token: IToken): boolean {
  return (
    token.tokenType === EOF ||
    Number.isNaN(token.startOffset) ||
    (token.tokenType === ImplicitEnd && token.image === "")
  );
}

/** Numbers statements by counting the statement ends and braces before an offset. */
function statementIndexer(tokens: IToken[]): (offset: number) => number {
  const boundaries = tokens
    .filter((t) => tokenMatcher(t, StatementEnd) || t.tokenType === LCurly || t.tokenType === RCurly)
    .map((t) => t.startOffset);
  return (offset) => {
    let lo = 0;
    let hi = boundaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (boundaries[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
