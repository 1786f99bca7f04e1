// The AST of a `.net` file. Every node carries the span of the text it came from so that
// lowering and shape errors can point at the user's source.

import type { Span } from "../diagnostics/index.js";

export type { Span };

export interface Ident {
  name: string;
  span: Span;
}

export type Expr =
  | { kind: "num"; value: number; text: string; span: Span }
  /** `h` or, for a parameter, the dotted `h1.W`. */
  | { kind: "name"; name: string; span: Span }
  | { kind: "call"; callee: Ident; args: Arg[]; span: Span }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "@"; left: Expr; right: Expr; span: Span }
  | { kind: "neg"; operand: Expr; span: Span };

/** A call argument: positional (`name` undefined) or named (`lr: 0.5`). */
export interface Arg {
  name?: Ident;
  value: Expr;
  span: Span;
}

export type Dim = { value: number; span: Span };

export type Stmt =
  /** `index` is set for `input s[12]: index(27)`: every value an integer id below it. */
  | { kind: "input"; name: Ident; dims: Dim[]; index?: Dim; span: Span }
  /** `classes` is set for `target y: class(3)` (dims empty) and `target y[12]: class(27)` (one class per position). */
  | { kind: "target"; name: Ident; dims: Dim[]; classes?: Dim; span: Span }
  | { kind: "param"; name: Ident; dims: Dim[]; init?: Expr; frozen: boolean; span: Span }
  | { kind: "assign"; name: Ident; value: Expr; span: Span }
  /** `h, c = pair(x)`: one name per value the block returns. */
  | { kind: "unpack"; names: Ident[]; value: Expr; span: Span }
  | { kind: "output"; value: Ident; span: Span }
  | { kind: "loss"; value: Expr; span: Span }
  | { kind: "layers"; layers: LayerSpec[]; span: Span }
  | { kind: "train"; settings: Setting[]; span: Span }
  /** `tune { lr: loguniform(1e-4, 0.1); trials 24 }`: hyperparameters (with a colon) and settings. */
  | { kind: "tune"; hyperparameters: Hyperparameter[]; settings: Setting[]; span: Span }
  | { kind: "return"; values: Expr[]; span: Span };

/** One line of `layers { dense 8 tanh init: he }`: a layer kind, its args, an activation. */
export interface LayerSpec {
  kind: Ident;
  args: Arg[];
  activation?: Ident;
  span: Span;
}

/** One line of `train { ... }`: `optimizer adam(lr: 0.01)`, `epochs 200`. */
export interface Setting {
  name: Ident;
  value: Expr;
  /** Further comma-separated values: `freeze h1.W, h1.b`. */
  rest: Expr[];
  span: Span;
}

export type TuneStmt = Extract<Stmt, { kind: "tune" }>;

/** One `name: distribution(...)` line of a `tune` block. */
export interface Hyperparameter {
  name: Ident;
  distribution: Expr;
  span: Span;
}

export interface ModelDecl {
  kind: "model";
  name: Ident;
  body: Stmt[];
  span: Span;
}

export interface BlockDecl {
  kind: "block";
  name: Ident;
  params: Ident[];
  body: Stmt[];
  span: Span;
}

export interface Program {
  decls: (ModelDecl | BlockDecl)[];
}
