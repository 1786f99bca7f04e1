// What the identifier under the cursor is — a use of a name, the name a statement binds, a
// function or block being called, a layer line, a train setting, a model or block — found by
// walking the AST, and where each name is defined. Hover and go-to-definition start here.
import type { Arg, BlockDecl, Expr, Hyperparameter, Ident, LayerSpec, ModelDecl, Program, Setting, Span, Stmt } from "../grammar/ast.js";

export type Decl = ModelDecl | BlockDecl;

export type NetSymbol =
  | { kind: "use"; name: string; span: Span; decl: Decl }
  | { kind: "binder"; name: string; span: Span; decl: Decl; stmt?: Stmt }
  | { kind: "callee"; name: string; span: Span; decl: Decl; call: Extract<Expr, { kind: "call" }> }
  | { kind: "argname"; name: string; span: Span; decl: Decl; callee: string }
  | { kind: "layer"; name: string; span: Span; decl: ModelDecl; layer: LayerSpec; index: number; part: "kind" | "activation" }
  | { kind: "setting"; name: string; span: Span; decl: ModelDecl; setting: Setting }
  | { kind: "tune-setting"; name: string; span: Span; decl: ModelDecl; setting: Setting }
  | { kind: "hyperparameter"; name: string; span: Span; decl: ModelDecl; hyperparameter: Hyperparameter }
  | { kind: "decl"; name: string; span: Span; decl: Decl };

const inside = (span: Span, offset: number) => offset >= span.start && offset <= span.end;

/** The symbol whose identifier contains `offset` (an identifier's end counts, for a cursor after it). */
export function symbolAt(program: Program, offset: number): NetSymbol | undefined {
  for (const decl of program.decls) {
    if (!inside(decl.span, offset) && !inside(decl.name.span, offset)) continue;
    if (inside(decl.name.span, offset)) return { kind: "decl", name: decl.name.name, span: decl.name.span, decl };
    if (decl.kind === "block") {
      const p = decl.params.find((q) => inside(q.span, offset));
      if (p) return { kind: "binder", name: p.name, span: p.span, decl };
    }
    for (const stmt of decl.body) {
      if (!inside(stmt.span, offset)) continue;
      const found = inStatement(stmt, decl, offset);
      if (found) return found;
    }
  }
  return undefined;
}

function inStatement(stmt: Stmt, decl: Decl, offset: number): NetSymbol | undefined {
  const binder = (id: Ident): NetSymbol | undefined => (inside(id.span, offset) ? { kind: "binder", name: id.name, span: id.span, decl, stmt } : undefined);
  switch (stmt.kind) {
    case "input":
    case "target":
    case "param":
      return binder(stmt.name) ?? (stmt.kind === "param" && stmt.init ? inExpr(stmt.init, decl, offset) : undefined);
    case "assign":
      return binder(stmt.name) ?? inExpr(stmt.value, decl, offset);
    case "unpack":
      return stmt.names.map(binder).find(Boolean) ?? inExpr(stmt.value, decl, offset);
    case "output":
      return inside(stmt.value.span, offset) ? { kind: "use", name: stmt.value.name, span: stmt.value.span, decl } : undefined;
    case "loss":
      return inExpr(stmt.value, decl, offset);
    case "return":
      return stmt.values.map((v) => inExpr(v, decl, offset)).find(Boolean);
    case "layers":
      if (decl.kind !== "model") return undefined;
      for (const [index, layer] of stmt.layers.entries()) {
        if (inside(layer.kind.span, offset)) return { kind: "layer", name: layer.kind.name, span: layer.kind.span, decl, layer, index, part: "kind" };
        if (layer.activation && inside(layer.activation.span, offset)) {
          return { kind: "layer", name: layer.activation.name, span: layer.activation.span, decl, layer, index, part: "activation" };
        }
        const arg = inArgs(layer.args, layer.kind.name, decl, offset);
        if (arg) return arg;
      }
      return undefined;
    case "tune":
      if (decl.kind !== "model") return undefined;
      for (const h of stmt.hyperparameters) {
        if (inside(h.name.span, offset)) return { kind: "hyperparameter", name: h.name.name, span: h.name.span, decl, hyperparameter: h };
        const found = inExpr(h.distribution, decl, offset);
        if (found) return found;
      }
      for (const s of stmt.settings) {
        if (inside(s.name.span, offset)) return { kind: "tune-setting", name: s.name.name, span: s.name.span, decl, setting: s };
        const found = [s.value, ...s.rest].map((e) => inExpr(e, decl, offset)).find(Boolean);
        if (found) return found;
      }
      return undefined;
    case "train":
      if (decl.kind !== "model") return undefined;
      for (const s of stmt.settings) {
        if (inside(s.name.span, offset)) return { kind: "setting", name: s.name.name, span: s.name.span, decl, setting: s };
        const found = [s.value, ...s.rest].map((e) => inExpr(e, decl, offset)).find(Boolean);
        if (found) return found;
      }
      return undefined;
  }
}

function inExpr(e: Expr, decl: Decl, offset: number): NetSymbol | undefined {
  if (!inside(e.span, offset)) return undefined;
  switch (e.kind) {
    case "num":
      return undefined;
    case "name":
      return { kind: "use", name: e.name, span: e.span, decl };
    case "neg":
      return inExpr(e.operand, decl, offset);
    case "binary":
      return inExpr(e.left, decl, offset) ?? inExpr(e.right, decl, offset);
    case "call":
      if (inside(e.callee.span, offset)) return { kind: "callee", name: e.callee.name, span: e.callee.span, decl, call: e };
      return inArgs(e.args, e.callee.name, decl, offset);
  }
}

function inArgs(args: Arg[], callee: string, decl: Decl, offset: number): NetSymbol | undefined {
  for (const a of args) {
    if (a.name && inside(a.name.span, offset)) return { kind: "argname", name: a.name.name, span: a.name.span, decl, callee };
    const found = inExpr(a.value, decl, offset);
    if (found) return found;
  }
  return undefined;
}

/** Where `name` is bound in `decl`: a statement's identifier, a block parameter, a layer line, or a tune block's hyperparameter. */
export function definitionOf(name: string, decl: Decl): Span | undefined {
  if (decl.kind === "block") {
    const p = decl.params.find((q) => q.name === name);
    if (p) return p.span;
  }
  for (const stmt of decl.body) {
    if ((stmt.kind === "input" || stmt.kind === "target" || stmt.kind === "param" || stmt.kind === "assign") && stmt.name.name === name) return stmt.name.span;
    if (stmt.kind === "unpack") {
      const id = stmt.names.find((n) => n.name === name);
      if (id) return id.span;
    }
    if (stmt.kind === "tune") {
      const h = stmt.hyperparameters.find((q) => q.name.name === name);
      if (h) return h.name.span;
    }
  }
  // `layer<k>` is the k-th line of a `layers` block.
  const k = /^layer([1-9][0-9]*)$/.exec(name);
  const layers = decl.body.find((s) => s.kind === "layers");
  if (k && layers?.kind === "layers") return layers.layers[Number(k[1]) - 1]?.span;
  return undefined;
}

/** Names a declaration binds, in source order (for completion). */
export function namesIn(decl: Decl): string[] {
  const names: string[] = decl.kind === "block" ? decl.params.map((p) => p.name) : [];
  for (const stmt of decl.body) {
    if (stmt.kind === "input" || stmt.kind === "target" || stmt.kind === "param" || stmt.kind === "assign") names.push(stmt.name.name);
    if (stmt.kind === "unpack") names.push(...stmt.names.map((n) => n.name));
  }
  return names;
}
