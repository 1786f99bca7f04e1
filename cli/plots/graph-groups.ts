// Which `.net` statement each IR node belongs to, for the layer-level picture of a graph: one
// box per binding (`h1 = residual(h0, 32)`, `layer2`, a hand-declared `param W`), the input,
// the target, and the loss. Nodes named after a binding (`h1`, `h1.W`, `h1.h.z`, `h1_h`,
// `d_h1.W`) belong to it by name; the rest follow their inputs. Scalar constants — literals,
// the row count and arithmetic on them — belong to no box: they are printed inside their users.
import type { Graph, Node } from "../../compiler/ir/graph.js";
import type { ModelDecl } from "../../grammar/ast.js";

export interface Binding {
  name: string;
  /** The statement as written, for the box's title. */
  text: string;
  /** Declaration order; later statements win when a node combines several. */
  order: number;
  /** An expression (a binding, a layer, the loss) rather than an input, target or parameter. */
  computes: boolean;
}

export interface Grouping {
  /** Group of each node id; absent for constants. */
  of: Map<number, string>;
  bindings: Map<string, Binding>;
}

export const LOSS_GROUP = "loss";

/** The model's bindings in order: input, target, params, `a = ...`, `a, b = ...`, `layer1..K`, loss. */
export function modelBindings(decl: ModelDecl, source: string): Binding[] {
  const out: Binding[] = [];
  let loss = "loss";
  const text = (span: { start: number; end: number }) => source.slice(span.start, span.end).replace(/\s+/g, " ");
  for (const stmt of decl.body) {
    if (stmt.kind === "input" || stmt.kind === "target" || stmt.kind === "param" || stmt.kind === "assign") {
      out.push({ name: stmt.name.name, text: text(stmt.span), order: out.length, computes: stmt.kind === "assign" });
    } else if (stmt.kind === "unpack") {
      for (const n of stmt.names) out.push({ name: n.name, text: text(stmt.span), order: out.length, computes: true });
    } else if (stmt.kind === "layers") {
      stmt.layers.forEach((layer, k) => out.push({ name: `layer${k + 1}`, text: `layer${k + 1}: ${text(layer.span)}`, order: out.length, computes: true }));
    } else if (stmt.kind === "loss") {
      loss = text(stmt.span);
    }
  }
  out.push({ name: LOSS_GROUP, text: loss, order: out.length, computes: true });
  return out;
}

/** Scalars computed from literals and the row count alone: shown inline, never as boxes or nodes. */
export function constantNodes(nodes: readonly Node[]): Set<number> {
  const out = new Set<number>();
  for (const n of nodes) {
    if (n.op === "const" || n.op === "batch" || (n.shape.length === 0 && n.inputs.length > 0 && n.inputs.every((i) => out.has(i.id)))) out.add(n.id);
  }
  return out;
}

export function groupNodes(graph: Graph, nodes: readonly Node[], bindings: readonly Binding[]): Grouping {
  const byName = new Map(bindings.map((b) => [b.name, b]));
  // Longest name first, so `h1_x` is not taken for a block local of `h1`.
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  // Gradient nodes are named `d_` + the name of what they are the gradient of.
  const owner = (label: string, grad: boolean) => {
    const bare = grad && label.startsWith("d_") ? label.slice(2) : label;
    return names.find((n) => bare === n || bare.startsWith(`${n}.`) || bare.startsWith(`${n}_`));
  };
  const constants = constantNodes(nodes);
  const of = new Map<number, string>();
  // Only computations take in unnamed nodes; an input, a target or a parameter is a box of its own.
  const order = (g: string | undefined) => (g !== undefined && byName.get(g)?.computes ? byName.get(g)!.order : -1);
  const pick = (groups: (string | undefined)[], latest: boolean) =>
    groups.filter((g) => order(g) >= 0).reduce<string | undefined>((a, b) => (a === undefined || (latest ? order(b) > order(a) : order(b) < order(a)) ? b : a), undefined);
  const place = (node: Node, group: string | undefined) => {
    if (group !== undefined && !constants.has(node.id) && !of.has(node.id)) of.set(node.id, group);
  };
  for (const node of nodes) {
    const label = graph.labels.get(node.id);
    if (label !== undefined) place(node, owner(label, node.grad === true));
  }
  const lossRoot = graph.outputs.get("loss");
  if (lossRoot) place(lossRoot, LOSS_GROUP);
  // An unnamed forward node was built for the first statement that uses it (`h @ W2 + b2`
  // inside `p = sigmoid(...)`): consumers before producers, the earliest user wins.
  const users = new Map<number, Node[]>();
  for (const n of nodes) for (const i of n.inputs) if (!n.grad) users.set(i.id, [...(users.get(i.id) ?? []), n]);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    if (!node.grad) place(node, pick((users.get(node.id) ?? []).map((u) => of.get(u.id)), false));
  }
  for (const node of nodes) {
    const inputs = node.inputs.map((i) => of.get(i.id));
    // Used by no statement (a running-statistics update): the latest statement it reads from.
    if (!node.grad) place(node, pick(inputs, true));
    // A gradient flows backwards: it belongs to the earliest statement it is being sent to,
    // or, at the start of the backward pass, to the statement whose derivative it is.
    else place(node, pick(node.inputs.filter((i) => i.grad).map((i) => of.get(i.id)), false) ?? pick(inputs, true));
  }
  return { of, bindings: byName };
}

