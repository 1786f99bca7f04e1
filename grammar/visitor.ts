// CST → AST. Each visit method receives its node's span (see `at`) and returns `undefined` when
// error recovery left the node incomplete, so a broken statement drops out instead of crashing the
// visitor. Checks that need values rather than token order (dimensions, class counts, one activation
// per layer, expression depth) live here.
import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Arg, BlockDecl, Dim, Expr, Hyperparameter, Ident, LayerSpec, ModelDecl, Program, Setting, Span, Stmt } from "./ast.js";
import { spanFrom, type Diagnostics } from "../diagnostics/index.js";
import { quote } from "./errors.js";
import { MAX_NESTING, tokenSpan } from "./lex.js";
import { netParser } from "./parser.js";
import { isWellFormedNumber } from "./tokens.js";

type Children = Record<string, CstElement[] | undefined>;

/** Operator chains are parsed by repetition, not recursion, so they need their own depth limit. */
const MAX_EXPR_DEPTH = 2 * MAX_NESTING;

const BaseVisitor = netParser.getBaseCstVisitorConstructor<Span, unknown>();

function nodeSpan(node: CstNode): Span | undefined {
  const loc = node.location;
  if (!loc || Number.isNaN(loc.startOffset) || Number.isNaN(loc.endOffset)) return undefined;
  return { line: loc.startLine!, col: loc.startColumn!, start: loc.startOffset, end: loc.endOffset! + 1 };
}

/** A token the user wrote (not one Chevrotain invented while recovering). */
function real(token: CstElement | undefined): IToken | undefined {
  const t = token as IToken | undefined;
  return t && !t.isInsertedInRecovery && !Number.isNaN(t.startOffset) ? t : undefined;
}

function ident(token: CstElement | undefined): Ident | undefined {
  const t = real(token);
  return t && { name: t.image, span: tokenSpan(t) };
}

function numberValue(text: string): number {
  return isWellFormedNumber(text) ? Number(text) : Number.NaN;
}

function defined<T>(items: (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

interface ValueKind {
  word: string;
  wordSpan: Span;
  count: Dim;
}

type LayerItem = { number: Expr } | { named: Arg } | { bare: Ident };

export class AstBuilder extends BaseVisitor {
  private readonly depth = new WeakMap<Expr, number>();

  constructor(private readonly diags: Diagnostics) {
    super();
    this.validateVisitor();
  }

  /** Visits the first node of a child list, handing it its span; `undefined` if there is none. */
  private at<T>(elements: CstElement[] | undefined): T | undefined {
    const node = elements?.[0] as CstNode | undefined;
    const span = node && nodeSpan(node);
    return span && (this.visit(node!, span) as T | undefined);
  }

  private all<T>(elements: CstElement[] | undefined): (T | undefined)[] {
    return (elements ?? []).map((e) => this.at<T>([e]));
  }

  /** Records an expression's depth; past the limit, reports once and drops it so the parents drop too. */
  private sized(expr: Expr, ...children: Expr[]): Expr | undefined {
    const depth = 1 + Math.max(0, ...children.map((c) => this.depth.get(c) ?? 1));
    if (depth > MAX_EXPR_DEPTH) {
      this.diags.error(expr.span, "expression nested too deeply");
      return undefined;
    }
    this.depth.set(expr, depth);
    return expr;
  }

  file(ctx: Children): Program {
    return { decls: defined(this.all<ModelDecl | BlockDecl>(ctx.declaration)) };
  }

  declaration(ctx: Children): ModelDecl | BlockDecl | undefined {
    return this.at<ModelDecl>(ctx.modelDecl) ?? this.at<BlockDecl>(ctx.blockDecl);
  }

  modelDecl(ctx: Children, span: Span): ModelDecl | undefined {
    const name = ident(ctx.Identifier?.[0]);
    return name && { kind: "model", name, body: this.at<Stmt[]>(ctx.body) ?? [], span };
  }

  blockDecl(ctx: Children, span: Span): BlockDecl | undefined {
    const [name, ...params] = (ctx.Identifier ?? []).map(ident);
    return name && { kind: "block", name, params: defined(params), body: this.at<Stmt[]>(ctx.body) ?? [], span };
  }

  body(ctx: Children): Stmt[] {
    return defined(this.all<Stmt>(ctx.statementLine));
  }

  statementLine(ctx: Children): Stmt | undefined {
    return this.at<Stmt>(ctx.statement);
  }

  statement(ctx: Children): Stmt | undefined {
    return this.at<Stmt>(Object.values(ctx)[0]);
  }

  inputStmt(ctx: Children, span: Span): Stmt | undefined {
    const name = ident(ctx.Identifier?.[0]);
    const dims = this.at<Dim[]>(ctx.dims);
    if (!ctx.valueKind) return name && dims && { kind: "input", name, dims, span };
    const kind = this.at<ValueKind>(ctx.valueKind);
    if (kind && kind.word !== "index") this.diags.error(kind.wordSpan, `expected 'index' but found ${quote(kind.word)}`);
    return name && dims && kind?.word === "index" ? { kind: "input", name, dims, index: kind.count, span } : undefined;
  }

  targetStmt(ctx: Children, span: Span): Stmt | undefined {
    const name = ident(ctx.Identifier?.[0]);
    const dims = ctx.dims ? this.at<Dim[]>(ctx.dims) : [];
    if (!ctx.valueKind) return name && dims && { kind: "target", name, dims, span };
    const kind = this.at<ValueKind>(ctx.valueKind);
    if (kind && kind.word !== "class") this.diags.error(kind.wordSpan, `expected 'class' but found ${quote(kind.word)}`);
    return name && dims && kind?.word === "class" ? { kind: "target", name, dims, classes: kind.count, span } : undefined;
  }

  /** `: class(3)`, `: index(27)`: the word and a count of at least 2. */
  valueKind(ctx: Children): ValueKind | undefined {
    const word = ident(ctx.Identifier?.[0]);
    const count = real(ctx.NumberLiteral?.[0]);
    if (!word || !count) return undefined;
    const value = numberValue(count.image);
    if (!Number.isFinite(value)) return undefined; // already reported by the lexer
    if (!Number.isSafeInteger(value) || value < 2) {
      const what = word.name === "index" ? "index count" : "class count";
      this.diags.error(tokenSpan(count), `${what} must be an integer of at least 2, got ${quote(count.image)}`);
      return undefined;
    }
    return { word: word.name, wordSpan: word.span, count: { value, span: tokenSpan(count) } };
  }

  paramStmt(ctx: Children, span: Span): Stmt | undefined {
    const name = ident(ctx.Identifier?.[0]);
    const dims = this.at<Dim[]>(ctx.dims);
    if (!name || !dims) return undefined;
    const attribute = ident(ctx.Identifier?.[1]);
    if (attribute && attribute.name !== "frozen") {
      this.diags.error(attribute.span, `expected 'frozen' after the parameter's initializer, got '${attribute.name}'`);
      return undefined;
    }
    const frozen = attribute !== undefined;
    if (!ctx.Equals) return { kind: "param", name, dims, frozen, span };
    const init = this.at<Expr>(ctx.expression);
    return init && { kind: "param", name, dims, init, frozen, span };
  }

  assignStmt(ctx: Children, span: Span): Stmt | undefined {
    const names = (ctx.Identifier ?? []).map(ident);
    const value = this.at<Expr>(ctx.expression);
    if (!value || names.length === 0 || names.includes(undefined)) return undefined;
    if (names.length === 1) return { kind: "assign", name: names[0]!, value, span };
    return { kind: "unpack", names: defined(names), value, span };
  }

  outputStmt(ctx: Children, span: Span): Stmt | undefined {
    const value = ident(ctx.Identifier?.[0]);
    return value && { kind: "output", value, span };
  }

  lossStmt(ctx: Children, span: Span): Stmt | undefined {
    const value = this.at<Expr>(ctx.expression);
    return value && { kind: "loss", value, span };
  }

  layersStmt(ctx: Children, span: Span): Stmt {
    return { kind: "layers", layers: defined(this.all<LayerSpec>(ctx.layerLine)), span };
  }

  layerLine(ctx: Children): LayerSpec | undefined {
    const kind = ident(ctx.Identifier?.[0]);
    if (!kind) return undefined; // a blank line
    const args: Arg[] = [];
    let activation: Ident | undefined;
    let end = kind.span;
    for (const item of defined(this.all<LayerItem>(ctx.layerItem))) {
      if ("number" in item) args.push({ value: item.number, span: item.number.span });
      else if ("named" in item) args.push(item.named);
      else if (activation) {
        this.diags.error(item.bare.span, `layer has more than one activation: ${quote(activation.name)} and ${quote(item.bare.name)}`);
        return undefined;
      } else activation = item.bare;
      end = "number" in item ? item.number.span : "named" in item ? item.named.span : item.bare.span;
    }
    const span = spanFrom(kind.span, end);
    return activation ? { kind, args, activation, span } : { kind, args, span };
  }

  layerItem(ctx: Children): LayerItem | undefined {
    const number = real(ctx.NumberLiteral?.[0]);
    if (number) return { number: this.numberExpr(number) };
    if (ctx.namedArg) {
      const named = this.at<Arg>(ctx.namedArg);
      return named && { named };
    }
    const bare = ident(ctx.Identifier?.[0]);
    return bare && { bare };
  }

  trainStmt(ctx: Children, span: Span): Stmt {
    return { kind: "train", settings: defined(this.all<Setting>(ctx.settingLine)), span };
  }

  settingLine(ctx: Children): Setting | undefined {
    const name = ident(ctx.Identifier?.[0]);
    const [value, ...rest] = this.all<Expr>(ctx.expression);
    if (!name || !value || rest.includes(undefined)) return undefined;
    const last = rest.length > 0 ? rest[rest.length - 1]! : value;
    return { name, value, rest: defined(rest), span: spanFrom(name.span, last.span) };
  }

  tuneStmt(ctx: Children, span: Span): Stmt {
    const lines = defined(this.all<Hyperparameter | Setting>(ctx.tuneLine));
    const hyperparameters = lines.filter((l): l is Hyperparameter => "distribution" in l);
    const settings = lines.filter((l): l is Setting => "value" in l);
    return { kind: "tune", hyperparameters, settings, span };
  }

  tuneLine(ctx: Children): Hyperparameter | Setting | undefined {
    const name = ident(ctx.Identifier?.[0]);
    const value = this.at<Expr>(ctx.expression);
    if (!name || !value) return undefined; // a blank line, or one recovery left incomplete
    const span = spanFrom(name.span, value.span);
    return ctx.Colon ? { name, distribution: value, span } : { name, value, rest: [], span };
  }

  returnStmt(ctx: Children, span: Span): Stmt | undefined {
    const values = this.all<Expr>(ctx.expression);
    if (values.length === 0 || values.includes(undefined)) return undefined;
    return { kind: "return", values: defined(values), span };
  }

  dims(ctx: Children): Dim[] | undefined {
    const dims: Dim[] = [];
    let valid = true;
    for (const element of ctx.NumberLiteral ?? []) {
      const token = real(element);
      const value = token ? numberValue(token.image) : Number.NaN;
      if (token && Number.isFinite(value) && !(Number.isSafeInteger(value) && value > 0)) {
        this.diags.error(tokenSpan(token), `dimension must be a positive integer, got ${quote(token.image)}`);
      }
      // Non-finite values were already reported by the lexer.
      if (token && Number.isSafeInteger(value) && value > 0) dims.push({ value, span: tokenSpan(token) });
      else valid = false;
    }
    return valid && dims.length > 0 ? dims : undefined;
  }

  expression(ctx: Children): Expr | undefined {
    return this.foldLeft(this.all<Expr>(ctx.multiplicative), ctx.AdditiveOperator);
  }

  multiplicative(ctx: Children): Expr | undefined {
    return this.foldLeft(this.all<Expr>(ctx.unary), ctx.MultiplicativeOperator);
  }

  /** `a - b + c` is `(a - b) + c`: the CST holds operands and operators as two flat lists. */
  private foldLeft(operands: (Expr | undefined)[], operators: CstElement[] | undefined): Expr | undefined {
    let left = operands[0];
    for (let i = 0; left && i < (operators?.length ?? 0); i++) {
      const op = real(operators![i]);
      const right = operands[i + 1];
      if (!op || !right) return undefined;
      const binary = { kind: "binary", op: op.image, left, right, span: spanFrom(left.span, right.span) } as Expr;
      left = this.sized(binary, left, right);
    }
    return left;
  }

  unary(ctx: Children): Expr | undefined {
    let operand = this.at<Expr>(ctx.primary);
    const minuses = ctx.Minus ?? [];
    for (let i = minuses.length - 1; operand && i >= 0; i--) {
      const minus = real(minuses[i]);
      if (!minus) return undefined;
      operand = this.sized({ kind: "neg", operand, span: spanFrom(tokenSpan(minus), operand.span) }, operand);
    }
    return operand;
  }

  primary(ctx: Children, span: Span): Expr | undefined {
    const number = real(ctx.NumberLiteral?.[0]);
    if (number) return this.numberExpr(number);
    const name = this.dottedName(ctx.Identifier);
    if (name && !ctx.LParen) return this.sized({ kind: "name", name: name.name, span: name.span });
    if (name) {
      const args = ctx.args ? this.at<Arg[]>(ctx.args) : [];
      return args && this.sized({ kind: "call", callee: name, args, span }, ...args.map((a) => a.value));
    }
    // A parenthesised expression keeps the parens in its span, so `(a + b) * c` starts at `(`.
    const inner = this.at<Expr>(ctx.expression);
    if (!inner) return undefined;
    const widened = { ...inner, span } as Expr;
    this.depth.set(widened, this.depth.get(inner) ?? 1);
    return widened;
  }

  /** `h1.W` as one name spanning its parts; undefined if recovery invented a part. */
  private dottedName(tokens: CstElement[] | undefined): Ident | undefined {
    const parts = (tokens ?? []).map(ident);
    if (parts.length === 0 || parts.includes(undefined)) return undefined;
    const first = parts[0]!, last = parts[parts.length - 1]!;
    return { name: parts.map((p) => p!.name).join("."), span: spanFrom(first.span, last.span) };
  }

  private numberExpr(token: IToken): Expr {
    return { kind: "num", value: numberValue(token.image), text: token.image, span: tokenSpan(token) };
  }

  args(ctx: Children): Arg[] | undefined {
    const args = this.all<Arg>(ctx.arg);
    return args.includes(undefined) ? undefined : defined(args);
  }

  arg(ctx: Children, span: Span): Arg | undefined {
    if (ctx.namedArg) return this.at<Arg>(ctx.namedArg);
    const value = this.at<Expr>(ctx.expression);
    return value && { value, span };
  }

  namedArg(ctx: Children, span: Span): Arg | undefined {
    const name = ident(ctx.Identifier?.[0]);
    const value = this.at<Expr>(ctx.expression);
    return name && value && { name, value, span };
  }
}
