// The token vocabulary of `.net` files. Labels are what error messages call a token
// ("expected ')' but found ','"), so every token that can be expected carries one.
import { createToken, Lexer, type TokenType } from "chevrotain";

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
});

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  // longer_alt: `models` or `inputs` are names, not a keyword followed by letters.
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}

export const Model = keyword("model");
export const Block = keyword("block");
export const Input = keyword("input");
export const Target = keyword("target");
export const Param = keyword("param");
export const Output = keyword("output");
export const Loss = keyword("loss");
export const Layers = keyword("layers");
export const Train = keyword("train");
export const Tune = keyword("tune");
export const Return = keyword("return");

export const KEYWORDS: readonly TokenType[] = [
  Model, Block, Input, Target, Param, Output, Loss, Layers, Train, Tune, Return,
];

/**
 * Anything that starts with a digit, including trailing letters, digits and dots, is one token,
 * so `1.2.3` or `3x` become a single malformed literal that the lexer reports by name instead of
 * a confusing parse error about the pieces. `isWellFormedNumber` decides which are valid.
 */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /\d+(?:\.\d*)?(?:[eE][+-]?\d*)?[A-Za-z0-9_.]*/,
  label: "a number",
});

const WELL_FORMED_NUMBER = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
export function isWellFormedNumber(text: string): boolean {
  return WELL_FORMED_NUMBER.test(text);
}

/** Newline, `;`, and the implicit end inserted before `}` and at end of file all end a statement. */
export const StatementEnd = createToken({ name: "StatementEnd", pattern: Lexer.NA, label: "a newline or ';'" });
export const Newline = createToken({
  name: "Newline",
  pattern: /\n/,
  line_breaks: true,
  categories: [StatementEnd],
  label: "a newline",
});
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, categories: [StatementEnd], label: "';'" });
/** Never produced by the lexer; `layout()` inserts it so the grammar can require an end after each statement. */
export const ImplicitEnd = createToken({ name: "ImplicitEnd", pattern: Lexer.NA, categories: [StatementEnd], label: "a newline or ';'" });

// Categories keep operators in source order in the CST (one `AdditiveOperator` array, not `Plus` and `Minus`).
export const AdditiveOperator = createToken({ name: "AdditiveOperator", pattern: Lexer.NA, label: "'+' or '-'" });
export const MultiplicativeOperator = createToken({ name: "MultiplicativeOperator", pattern: Lexer.NA, label: "'*', '/' or '@'" });
export const Plus = createToken({ name: "Plus", pattern: /\+/, categories: [AdditiveOperator], label: "'+'" });
export const Minus = createToken({ name: "Minus", pattern: /-/, categories: [AdditiveOperator], label: "'-'" });
export const Star = createToken({ name: "Star", pattern: /\*/, categories: [MultiplicativeOperator], label: "'*'" });
export const Slash = createToken({ name: "Slash", pattern: /\//, categories: [MultiplicativeOperator], label: "'/'" });
export const At = createToken({ name: "At", pattern: /@/, categories: [MultiplicativeOperator], label: "'@'" });

export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
/** Joins the parts of a parameter name: `h1.W`. */
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "'.'" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });

// `\r` is plain whitespace so `\r\n` counts as one line break, as in `formatDiagnostic`.
// A byte-order mark is invisible in editors, so it is skipped rather than reported.
const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\uFEFF]+/, group: Lexer.SKIPPED });
const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: Lexer.SKIPPED });

/** Lexer order matters: keywords before Identifier, skipped tokens first because they are most common. */
export const LEXER_TOKENS: TokenType[] = [
  WhiteSpace, Comment, Newline, Semicolon,
  ...KEYWORDS, Identifier, NumberLiteral,
  Plus, Minus, Star, Slash, At,
  LCurly, RCurly, LParen, RParen, LBracket, RBracket, Comma, Colon, Dot, Equals,
];

/** The parser also needs the categories and the token that only `layout()` creates. */
export const PARSER_TOKENS: TokenType[] = [
  ...LEXER_TOKENS, StatementEnd, ImplicitEnd, AdditiveOperator, MultiplicativeOperator,
];

export const netLexer = new Lexer(LEXER_TOKENS, {
  positionTracking: "full",
  // Only `\n` breaks lines, matching how `formatDiagnostic` splits the source.
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ["\n"],
  ensureOptimizations: true,
});
