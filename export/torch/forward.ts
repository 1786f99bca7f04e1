// Translates netc's forward graph (before train/eval specialization, so dropout and batchnorm
// stay single calls that follow `self.training`) into the body of a Python method. Nodes that a
// `.net` binding names, or that are used twice, get a local named after the binding; the rest
// are inlined, so `h1 = relu(dense(x, 16))` reads `h1 = torch.relu(x @ self.h1.W + self.h1.b)`.
// Every op's PyTorch form has the same value and the same derivative as netc's rule (ties
// included: netc's max sends the gradient to its first operand, so it is a `torch.where`).
import type { Graph, Node } from "../../compiler/ir/graph.js";
import { NameManager } from "../../compiler/emit/names.js";
import { nodesFor, unsupportedOp, type ExportSource } from "../common.js";

/** Python's keywords and the module-level names of an exported file: never a local's name. */
export const PYTHON_RESERVED = [
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
  "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
  "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "self", "torch", "F", "math", "json",
  "Path", "float", "int", "max", "min", "len", "range", "print", "super",
];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `self.h1.W`, or `self.get_parameter("...")` when a part is not a plain Python name. */
export function tensorRef(name: string, kind: "parameter" | "buffer"): string {
  const parts = name.split(".");
  if (parts.every((p) => IDENTIFIER.test(p) && !PYTHON_RESERVED.includes(p))) return `self.${name}`;
  return `self.get_${kind}(${JSON.stringify(name)})`;
}

/** A float literal Python reads back as the same double. */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`internal: non-finite constant ${v}`);
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

// Precedence of the expression forms we print: an operand is parenthesized when it binds
// less tightly than its context requires.
const ATOM = 4, UNARY = 3, MUL = 2, ADD = 1;

interface Expr {
  text: string;
  prec: number;
  /** False for Python numbers (constants, the row count), which some torch calls cannot take. */
  tensor: boolean;
}

export interface MethodSpec {
  /** Graph outputs the method returns, in order. */
  outputs: string[];
  /** Python parameter name of each graph input, by netc input name. */
  args: Map<string, string>;
  /** Local names for unlabelled nodes (the loss), by node id. */
  names?: Map<number, string>;
}

/** Statements of a method computing `spec.outputs`; the last line is the return. */
export function translateMethod(graph: Graph, spec: MethodSpec, src: ExportSource): string[] {
  const nodes = nodesFor(graph, spec.outputs);
  const uses = new Map<number, number>();
  // huber's formula reads its operand four times: count it as shared, so it gets a local.
  for (const n of nodes) for (const i of n.inputs) uses.set(i.id, (uses.get(i.id) ?? 0) + (n.op === "huber" ? 2 : 1));
  const names = new NameManager(undefined, [...PYTHON_RESERVED, ...spec.args.values()]);
  const exprs = new Map<number, Expr>();
  const lines: string[] = [];
  const firstArg = [...spec.args.values()][0]!;
  const outputs = new Set(spec.outputs.map((o) => graph.outputs.get(o)!.id));

  for (const node of nodes) {
    const e = translateNode(node, node.inputs.map((i) => exprs.get(i.id)!), firstArg, src);
    if (node.op === "input") {
      const arg = spec.args.get(node.attrs.name as string);
      if (!arg) throw unsupportedOp(node, "PyTorch", src, `input '${String(node.attrs.name)}' is not an argument here`);
      exprs.set(node.id, { text: arg, prec: ATOM, tensor: true });
      continue;
    }
    const label = graph.labels.get(node.id);
    const named = label !== undefined && !label.includes(".");
    const leaf = node.op === "param" || node.op === "state" || node.op === "const" || node.op === "batch";
    if (!leaf && (named || (uses.get(node.id) ?? 0) > 1 || outputs.has(node.id))) {
      const local = names.claim(label?.replace(/\./g, "_") ?? spec.names?.get(node.id) ?? "t");
      lines.push(`${local} = ${e.text}`);
      exprs.set(node.id, { text: local, prec: ATOM, tensor: e.tensor });
    } else {
      exprs.set(node.id, e);
    }
  }
  const results = spec.outputs.map((o) => exprs.get(graph.outputs.get(o)!.id)!.text);
  lines.push(`return ${results.join(", ")}`);
  return lines;
}

function translateNode(node: Node, a: Expr[], firstArg: string, src: ExportSource): Expr {
  const atom = (text: string, tensor = true): Expr => ({ text, prec: ATOM, tensor });
  const operand = (e: Expr, min: number) => (e.prec >= min ? e.text : `(${e.text})`);
  const binary = (op: string, prec: number): Expr => ({
    text: `${operand(a[0]!, prec)} ${op} ${operand(a[1]!, prec + 1)}`,
    prec,
    tensor: a[0]!.tensor || a[1]!.tensor,
  });
  /** A torch call's tensor argument: Python numbers become tensors of the input's dtype. */
  const t = (e: Expr) => (e.tensor ? e.text : `${firstArg}.new_tensor(${e.text})`);
  const call = (fn: string, ...rest: string[]) => atom(`${fn}(${[t(a[0]!), ...rest].join(", ")})`);
  const attrs = node.attrs;
  switch (node.op) {
    case "input":
      return atom("");
    case "param":
      return atom(tensorRef(attrs.name as string, "parameter"));
    case "state":
      return atom(tensorRef(attrs.name as string, "buffer"));
    case "const":
      return atom(pyFloat(attrs.value as number), false);
    case "batch":
      return atom(`${firstArg}.shape[0]`, false);
    case "add": return binary("+", ADD);
    case "sub": return binary("-", ADD);
    case "mul": return binary("*", MUL);
    case "div": return binary("/", MUL);
    case "neg": return { text: `-${operand(a[0]!, UNARY)}`, prec: UNARY, tensor: a[0]!.tensor };
    case "matmul": {
      const side = (e: Expr, transposed: unknown) => (transposed ? `${operand(e, ATOM)}.T` : e.text);
      const l = attrs.ta ? side(a[0]!, true) : operand(a[0]!, MUL);
      const r = attrs.tb ? side(a[1]!, true) : operand(a[1]!, MUL + 1);
      return { text: `${l} @ ${r}`, prec: MUL, tensor: true };
    }
    // Ties go to the first operand, as netc's derivative rule says (torch.maximum splits them).
    case "max": return atom(`torch.where(${t(a[0]!)} >= ${t(a[1]!)}, ${t(a[0]!)}, ${t(a[1]!)})`);
    case "min": return atom(`torch.where(${t(a[0]!)} <= ${t(a[1]!)}, ${t(a[0]!)}, ${t(a[1]!)})`);
    case "exp": return call("torch.exp");
    case "log": return call("torch.log");
    case "sqrt": return call("torch.sqrt");
    case "abs": return call("torch.abs");
    case "square": return call("torch.square");
    case "rsqrt": return call("torch.rsqrt");
    case "sigmoid": return call("torch.sigmoid");
    case "tanh": return call("torch.tanh");
    case "relu": return call("torch.relu");
    case "silu": return call("F.silu");
    case "gelu": return call("F.gelu");
    // log(1 + eˣ) = logaddexp(x, 0): stable for any x, derivative exactly sigmoid(x).
    case "softplus": return atom(`torch.logaddexp(${t(a[0]!)}, torch.zeros_like(${t(a[0]!)}))`);
    case "leaky_relu": return call("F.leaky_relu", pyFloat(attrs.alpha as number));
    case "elu": return call("F.elu", pyFloat(attrs.alpha as number));
    case "softmax": return call("torch.softmax", "dim=-1");
    case "log_softmax": return call("torch.log_softmax", "dim=-1");
    case "pow": return atom(`torch.pow(${t(a[0]!)}, ${pyFloat(attrs.k as number)})`);
    case "clip": return call("torch.clamp", pyFloat(attrs.lo as number), pyFloat(attrs.hi as number));
    case "concat": return atom(`torch.cat([${t(a[0]!)}, ${t(a[1]!)}], dim=-1)`);
    case "slice": {
      const start = attrs.start as number;
      return atom(`${operand(a[0]!, ATOM)}[..., ${start}:${start + (attrs.len as number)}]`);
    }
    case "sum": {
      const axes = attrs.axes as number[];
      const all = axes.length === node.inputs[0]!.shape.length && !attrs.keepdims;
      return all ? atom(`${operand(a[0]!, ATOM)}.sum()`) : call("torch.sum", `dim=(${axes.join(", ")},)`, `keepdim=${attrs.keepdims ? "True" : "False"}`);
    }
    case "broadcast": {
      const dims = (attrs.shape as number[]).map((d) => (d === -1 ? `${firstArg}.shape[0]` : String(d)));
      return atom(`${operand(a[0]!, ATOM)}.expand(${dims.join(", ")})`);
    }
    case "dropout": return call("F.dropout", pyFloat(attrs.p as number), "self.training");
    case "batchnorm": {
      const [x, gamma, beta, mean, variance] = a.map((e) => e.text);
      return atom(`F.batch_norm(${x}, ${mean}, ${variance}, ${gamma}, ${beta}, self.training, ${pyFloat(attrs.momentum as number)}, ${pyFloat(attrs.eps as number)})`);
    }
    case "onehot":
      return atom(`F.one_hot(${operand(a[0]!, ATOM)}.long(), ${attrs.classes as number}).to(${firstArg}.dtype)`);
    // Losses, each a sum over every element (the graph divides for the mean). PyTorch's own
    // functions clamp logs at −100 and use the same gradient formulas as netc's kernels.
    case "bce_sum": return atom(`F.binary_cross_entropy(${t(a[0]!)}, ${t(a[1]!)}, reduction="sum")`);
    case "sigmoid_bce_sum": return atom(`F.binary_cross_entropy_with_logits(${t(a[0]!)}, ${t(a[1]!)}, reduction="sum")`);
    case "ce_sum": return atom(`-(${operand(a[1]!, MUL)} * torch.clamp_min(torch.log(${t(a[0]!)}), -100.0)).sum()`);
    case "softmax_ce_sum": return atom(`-(${operand(a[1]!, MUL)} * torch.log_softmax(${t(a[0]!)}, dim=-1)).sum()`);
    case "huber": {
      const d = t(a[0]!), delta = pyFloat(attrs.delta as number);
      return atom(`torch.where(torch.abs(${d}) < ${delta}, 0.5 * ${operand(a[0]!, MUL)} * ${operand(a[0]!, MUL)}, ${delta} * (torch.abs(${d}) - ${pyFloat((attrs.delta as number) / 2)}))`);
    }
    default:
      throw unsupportedOp(node, "PyTorch", src);
  }
}
