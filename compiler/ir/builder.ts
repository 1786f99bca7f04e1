// Builds hash-consed IR nodes. Building `add(a, b)` twice returns the same node, which is what
// makes CSE free; each node's shape is inferred (and checked) by its op's shape rule here.
import type { Span } from "../../diagnostics/index.js";
import { OPS } from "../ops/index.js";
import type { IRBuilder, NodeArgs, UnaryOp } from "../ops/types.js";
import { encodeShape, type Graph, type Node, type NodeOf, type Shape } from "./graph.js";
import type { AttrsOf, OpName } from "./vocabulary.js";

export class ShapeError extends Error {}

export class Builder implements IRBuilder {
  private readonly table = new Map<string, Node>();
  readonly nodes: Node[] = [];
  readonly labels = new Map<number, string>();
  /** Names for nodes nothing better names (a gradient's intermediate values): used only where no label wins. */
  private readonly hints = new Map<number, string>();
  /**
   * Where new nodes come from: the source span, whether they belong to the backward pass, and a
   * fallback name (`d_h1` while differentiating h1).
   */
  origin: { span?: Span; site?: Span; grad: boolean; hint?: string } | undefined;

  node<K extends OpName>(op: K, inputs: readonly Node[], ...rest: NodeArgs<K>): NodeOf<K> {
    const [attrs = {} as AttrsOf<K>, span, label] = rest;
    const def = OPS[op];
    if (inputs.length !== def.arity) throw new Error(`internal: op '${op}' takes ${def.arity} inputs, got ${inputs.length}`);
    const key = `${op}(${inputs.map((n) => n.id).join(",")})${JSON.stringify(attrs)}`;
    const existing = this.table.get(key);
    if (existing) return existing as NodeOf<K>;
    const shape = (def.inferShape as (s: readonly Shape[], a: AttrsOf<K>) => Shape | string)(inputs.map((n) => n.shape), attrs);
    if (typeof shape === "string") throw new ShapeError(shape);
    const node = { id: this.nodes.length, op, inputs, attrs, shape, span: span ?? this.origin?.span, site: this.origin?.site, grad: this.origin?.grad } as unknown as NodeOf<K>;
    if (label) this.labels.set(node.id, label);
    else if (this.origin?.hint && op !== "const" && op !== "batch") this.hints.set(node.id, this.origin.hint);
    this.table.set(key, node);
    this.nodes.push(node);
    return node;
  }

  /** The same op and attributes as `node`, over new inputs (what passes do to every node they keep). */
  copy(node: Node, inputs: readonly Node[]): Node {
    return (this.node as (op: OpName, inputs: readonly Node[], attrs: object) => Node)(node.op, inputs, node.attrs);
  }

  /** Names a node after the `.net` binding it came from, for readable output; the first name wins. */
  name(node: Node, label: string): Node {
    if (!this.labels.has(node.id) && node.op !== "const" && node.op !== "batch") this.labels.set(node.id, label);
    return node;
  }

  graph(outputs: ReadonlyMap<string, Node>): Graph {
    return { nodes: [...this.nodes], outputs, labels: new Map([...this.hints, ...this.labels]) };
  }

  const(value: number): Node {
    return this.node("const", [], { value: Object.is(value, -0) ? 0 : value });
  }
  batch(): Node {
    return this.node("batch", [], {});
  }
  input(name: string, shape: Shape, span?: Span): Node {
    return this.node("input", [], { name, shape: encodeShape(shape) }, span, name);
  }
  param(name: string, shape: readonly number[], span?: Span): Node {
    return this.node("param", [], { name, shape }, span, name);
  }

  add(a: Node, b: Node): Node { return this.node("add", [a, b], {}); }
  sub(a: Node, b: Node): Node { return this.node("sub", [a, b], {}); }
  mul(a: Node, b: Node): Node { return this.node("mul", [a, b], {}); }
  div(a: Node, b: Node): Node { return this.node("div", [a, b], {}); }
  max(a: Node, b: Node): Node { return this.node("max", [a, b], {}); }
  gt(a: Node, b: Node): Node { return this.node("gt", [a, b], {}); }
  ge(a: Node, b: Node): Node { return this.node("ge", [a, b], {}); }
  where(c: Node, a: Node, b: Node): Node { return this.node("where", [c, a, b], {}); }
  neg(a: Node): Node { return this.node("neg", [a], {}); }
  unary(op: UnaryOp, a: Node): Node { return (this.node as (op: OpName, inputs: readonly Node[]) => Node)(op, [a]); }
  matmul(a: Node, b: Node, ta = false, tb = false): Node {
    return this.node("matmul", [a, b], { ta, tb });
  }
  sum(a: Node, axes: readonly number[], keepdims: boolean): Node {
    return this.node("sum", [a], { axes, keepdims });
  }
  sumAll(a: Node): Node {
    return this.sum(a, a.shape.map((_, i) => i), false);
  }
  broadcastTo(a: Node, shape: Shape): Node {
    return this.node("broadcast", [a], { shape: encodeShape(shape) });
  }
}
