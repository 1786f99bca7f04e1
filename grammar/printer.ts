// A deterministic S-expression dump of the AST for `netc compile --dump ast` and golden tests.
// Nodes print as `(head LINE:COL ...)`, leaves as `text@LINE:COL`; declarations and the lines of
// `layers`/`train` get one line each, expressions stay on one line.
import type { Arg, BlockDecl, Dim, Expr, Hyperparameter, LayerSpec, ModelDecl, Program, Setting, Span, Stmt } from "./ast.js";

const at = (span: Span): string => `${span.line}:${span.col}`;

export function printAst(program: Program): string {
  return program.decls.map(printDecl).join("\n") + (program.decls.length > 0 ? "\n" : "");
}

function printDecl(decl: ModelDecl | BlockDecl): string {
  const head =
    decl.kind === "model"
      ? `(model ${at(decl.span)} ${decl.name.name}`
      : `(block ${at(decl.span)} ${decl.name.name} (${decl.params.map((p) => p.name).join(" ")})`;
  return nested(head, decl.body.map(printStmt), "  ");
}

/** `head` followed by one indented line per child, closing on the last line. */
function nested(head: string, children: string[], indent: string): string {
  if (children.length === 0) return `${head})`;
  const inner = children.map((child) => indent + child.replace(/\n/g, `\n${indent}`));
  return `${head}\n${inner.join("\n")})`;
}

function printDims(dims: Dim[]): string {
  return `[${dims.map((d) => d.value).join(", ")}]`;
}

function printStmt(stmt: Stmt): string {
  const head = `(${stmt.kind} ${at(stmt.span)}`;
  switch (stmt.kind) {
    case "input":
      return `${head} ${stmt.name.name} ${printDims(stmt.dims)}${stmt.index ? ` index(${stmt.index.value})` : ""})`;
    case "target":
      if (!stmt.classes) return `${head} ${stmt.name.name} ${printDims(stmt.dims)})`;
      return `${head} ${stmt.name.name}${stmt.dims.length > 0 ? ` ${printDims(stmt.dims)}` : ""} class(${stmt.classes.value}))`;
    case "param":
      return `${head} ${stmt.name.name} ${printDims(stmt.dims)}${stmt.init ? ` = ${printExpr(stmt.init)}` : ""})`;
    case "assign":
      return `${head} ${stmt.name.name} ${printExpr(stmt.value)})`;
    case "unpack":
      return `${head} ${stmt.names.map((n) => n.name).join(", ")} ${printExpr(stmt.value)})`;
    case "output":
      return `${head} ${stmt.value.name})`;
    case "loss":
      return `${head} ${printExpr(stmt.value)})`;
    case "layers":
      return nested(head, stmt.layers.map(printLayer), "  ");
    case "train":
      return nested(head, stmt.settings.map(printSetting), "  ");
    case "tune":
      return nested(head, [...stmt.hyperparameters.map(printHyperparameter), ...stmt.settings.map(printSetting)], "  ");
    case "return":
      return `${head} ${stmt.values.map(printExpr).join(" ")})`;
  }
}

function printLayer(layer: LayerSpec): string {
  const args = layer.args.map((a) => ` ${printArg(a)}`).join("");
  const activation = layer.activation ? ` -> ${layer.activation.name}@${at(layer.activation.span)}` : "";
  return `(layer ${at(layer.span)} ${layer.kind.name}${args}${activation})`;
}

function printSetting(setting: Setting): string {
  return `(${setting.name.name} ${at(setting.span)} ${printExpr(setting.value)})`;
}

function printHyperparameter(h: Hyperparameter): string {
  return `(${h.name.name}: ${at(h.span)} ${printExpr(h.distribution)})`;
}

function printArg(arg: Arg): string {
  return arg.name ? `${arg.name.name}: ${printExpr(arg.value)}` : printExpr(arg.value);
}

export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case "num":
      return `${expr.text}@${at(expr.span)}`;
    case "name":
      return `${expr.name}@${at(expr.span)}`;
    case "call":
      return `(call ${expr.callee.name} ${at(expr.span)}${expr.args.map((a) => ` ${printArg(a)}`).join("")})`;
    case "binary":
      return `(${expr.op} ${at(expr.span)} ${printExpr(expr.left)} ${printExpr(expr.right)})`;
    case "neg":
      return `(neg ${at(expr.span)} ${printExpr(expr.operand)})`;
  }
}
