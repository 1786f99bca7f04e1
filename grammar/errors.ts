// Human wording for parser errors. Chevrotain's defaults ("Expecting token of type --> RParen <--")
// name grammar internals; these name what the user would write: "expected ')' but found ','".
import { EOF, tokenLabel, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import { Block, ImplicitEnd, Model, Newline, RCurly } from "./tokens.js";

const MAX_QUOTED = 40;

/** Quotes source text for a message, escaping what would be invisible or break the line. */
export function quote(text: string): string {
  const chars = [...text];
  const shown = chars.slice(0, MAX_QUOTED).map(printableChar).join("");
  return `'${shown}${chars.length > MAX_QUOTED ? "…" : ""}'`;
}

function printableChar(ch: string): string {
  if (ch === " " || !/[\p{C}\p{Z}]/u.test(ch)) return ch;
  const code = ch.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF || (token.tokenType === ImplicitEnd && token.image === "")) return "end of file";
  if (token.tokenType === Newline) return "end of line";
  return quote(token.image);
}

/** What a rule was looking for when none of its alternatives fit the next token. */
const EXPECTED_BY_RULE: Record<string, string> = {
  declaration: "'model' or 'block'",
  statementLine: "a statement",
  layerLine: "a layer",
  settingLine: "a setting",
  layerItem: "a number, a name or 'name: value'",
  primary: "an expression",
  arg: "an expression",
};

/**
 * A repetition of lines stops at a token that cannot start a line and then expects the closing `}`,
 * so "expected '}'" there means "this is not a statement" and is worded that way. The exception is a
 * token that starts a declaration (or end of file): then the `}` itself is what is missing.
 */
const LINE_KIND_BY_CLOSER_RULE: Record<string, string> = {
  body: "a statement",
  layersStmt: "a layer",
  trainStmt: "a setting",
};

function listOf(labels: string[]): string {
  const unique = [...new Set(labels)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

function firstTokens(paths: TokenType[][]): string[] {
  return paths.filter((path) => path.length > 0).map((path) => tokenLabel(path[0]!));
}

export const parserErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    let wanted = tokenLabel(expected);
    const startsDeclaration = actual.tokenType === Model || actual.tokenType === Block || actual.tokenType === EOF;
    if (expected === RCurly && !startsDeclaration) wanted = LINE_KIND_BY_CLOSER_RULE[ruleName] ?? wanted;
    if (expected === EOF) wanted = EXPECTED_BY_RULE.declaration!;
    return `expected ${wanted} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected ${EXPECTED_BY_RULE.declaration} but found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const wanted = EXPECTED_BY_RULE[ruleName] ?? listOf(expectedPathsPerAlt.flatMap(firstTokens));
    return `expected ${wanted} but found ${describeToken(actual[0]!)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const wanted = EXPECTED_BY_RULE[ruleName] ?? listOf(firstTokens(expectedIterationPaths));
    return `expected ${wanted} but found ${describeToken(actual[0]!)}`;
  },
};
