// State shared while lowering one model: the IR builder, diagnostics, parameters made so
// far, and the naming context `dense` uses to name its weights after the binding.
import type { BlockDecl, Span } from "../../grammar/ast.js";
import type { Diagnostics } from "../../diagnostics/index.js";
import { Builder } from "../ir/builder.js";
import type { Node, Shape } from "../ir/graph.js";
import type { ParamSpec, StateSpec } from "../model.js";
import type { Binding, Value } from "./values.js";

/** A name bound while lowering and what it denotes, for editors (hover shows `h1: [B,16]`). */
export interface BindingInfo {
  name: string;
  /** Where the name is bound: its identifier in the source (a layer line for `layer<k>`). */
  span: Span;
  /** The tensor's shape, or the value of a number (a block's `n`). */
  value: { shape: Shape } | { number: number };
  /** The model being lowered, and for a name inside a block, the call's binding (`h2`). */
  model: string;
  caller?: string;
}

export interface Scope {
  vars: Map<string, Binding>;
  /** Names this scope defines further down, for "used before its definition". */
  later: Map<string, Span>;
}

export class LowerContext {
  readonly b = new Builder();
  readonly params: ParamSpec[] = [];
  readonly state: StateSpec[] = [];
  /** Prefix for weights made by `dense` in the current binding (`h1`, `h2.h`). */
  binding = "dense";
  private denseCount = new Map<string, number>();
  /** Id counts of index inputs (`s[12]: index(27)`), by node id. */
  readonly idCounts = new Map<number, number>();
  /** Class counts of `class(K)` targets, by node id. */
  readonly classes = new Map<number, number>();
  /** Blocks being inlined, innermost last, to refuse recursion. */
  readonly blockStack: string[] = [];

  constructor(
    readonly diags: Diagnostics,
    readonly source: string,
    readonly blocks: ReadonlyMap<string, BlockDecl>,
    readonly model = "",
    /** Where `record` puts what each name denotes; analyze() hands it to editors. */
    private readonly bindings?: BindingInfo[],
  ) {}

  /** Notes what `name` (bound at `span`) denotes; poisoned values are left out. */
  record(name: string, span: Span, v: Value, caller?: string): void {
    if (!this.bindings || v.kind === "poison") return;
    const value = v.kind === "tensor" ? { shape: v.node.shape } : { number: v.value };
    this.bindings.push({ name, span, value, model: this.model, caller });
  }

  /** `h1` for the first dense in binding h1, `h1.dense2` for the second, and so on. */
  nextDenseName(): string {
    return this.nextLayerName("dense");
  }

  /**
   * Layers whose weights are `.W` and `.b` (dense, conv2d) share dense's count, so their names
   * never collide: `h` for the first in binding h, then `h.conv2d2` for a second that is a conv2d.
   */
  nextWeightsName(kind: string): string {
    const name = this.nextDenseName();
    return name === this.binding ? name : `${this.binding}.${kind}${name.slice(`${this.binding}.dense`.length)}`;
  }

  /** Like nextDenseName, counting each layer kind separately (`h1.gamma` next to `h1.W`). */
  nextLayerName(kind: string): string {
    const key = `${this.binding}\u0000${kind}`;
    const count = (this.denseCount.get(key) ?? 0) + 1;
    this.denseCount.set(key, count);
    return count === 1 ? this.binding : `${this.binding}.${kind}${count}`;
  }

  private ids = 0;
  /** A number unique within the model, to keep stateful nodes apart under hash-consing. */
  nextId(): number {
    return ++this.ids;
  }

  /** Non-trainable state (a running statistic) as a graph leaf. */
  makeState(name: string, shape: number[], init: number): Node {
    const node = this.b.node("state", [], { name, shape }, undefined, name);
    this.state.push({ name, shape, init });
    return node;
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
