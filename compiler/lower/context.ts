// State shared while lowering one model: the IR builder, diagnostics, parameters made so
// far, and the naming context `dense` uses to name its weights after the binding.
import type { BlockDecl, Span } from "../../grammar/ast.js";
import type { Diagnostics } from "../diagnostics.js";
import { Builder } from "../ir/builder.js";
import type { ParamSpec } from "../model.js";
import type { Binding } from "./values.js";

export interface Scope {
  vars: Map<string, Binding>;
  /** Names this scope defines further down, for "used before its definition". */
  later: Map<string, Span>;
}

export class LowerContext {
  readonly b = new Builder();
  readonly params: ParamSpec[] = [];
  /** Prefix for weights made by `dense` in the current binding (`h1`, `h2.h`). */
  binding = "dense";
  private denseCount = new Map<string, number>();
  /** Class counts of `class(K)` targets, by node id. */
  readonly classes = new Map<number, number>();
  /** Blocks being inlined, innermost last, to refuse recursion. */
  readonly blockStack: string[] = [];

  constructor(
    readonly diags: Diagnostics,
    readonly source: string,
    readonly blocks: ReadonlyMap<string, BlockDecl>,
  ) {}

  /** `h1` for the first dense in binding h1, `h1.dense2` for the second, and so on. */
  nextDenseName(): string {
    const count = (this.denseCount.get(this.binding) ?? 0) + 1;
    this.denseCount.set(this.binding, count);
    return count === 1 ? this.binding : `${this.binding}.dense${count}`;
  }

  classesOf(node: { id: number }): number | undefined {
    return this.classes.get(node.id);
  }

  /** Source text of a span, shortened for messages. */
  text(span: Span): string {
    const t = this.source.slice(span.start, span.end).replace(/\s+/g, " ");
    return t.length > 40 ? `${t.slice(0, 37)}...` : t;
  }
}
