// Translates netc's forward graph (before train/eval specialization, so dropout and batchnorm
// stay single calls that follow `self.training`) into the body of a Python method. Nodes that a
// `.net` binding names, or that are used twice, get a local named after the binding; the rest
// are inlined, so `h1 = relu(dense(x, 16))` reads `h1 = torch.relu(x @ self.h1.W + self.h1.b)`.
// Every op's PyTorch form has the same value and the same derivative as netc's rule (ties
// included: netc's max sends the gradient to its first operand, so it is a `torch.where`).
import type { Graph, Node, NodeOf } from "../../compiler/ir/graph.js";
import type { OpName } from "../../compiler/ir/vocabulary.js";
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
      // Rows arrive flattened ([n, width]); a sequence or image input gets its per-row shape back.
      const dims = node.attrs.shape as readonly number[];
      const text = dims.length > 2 ? `${arg}.view(${arg}.shape[0], ${dims.slice(1).join(", ")})` : arg;
      exprs.set(node.id, { text, prec: ATOM, tensor: true });
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
  const rule = TORCH_RULES[node.op] as TorchRule<OpName>;
  if (rule === null) throw unsupportedOp(node, "PyTorch", src);
  return rule(node as NodeOf<OpName>, a, firstArg);
}

const atom = (text: string, tensor = true): Expr => ({ text, prec: ATOM, tensor });
const operand = (e: Expr, min: number) => (e.prec >= min ? e.text : `(${e.text})`);
const binary = (op: string, prec: number) => (_: Node, a: Expr[]): Expr => ({
  text: `${operand(a[0]!, prec)} ${op} ${operand(a[1]!, prec + 1)}`,
  prec,
  tensor: a[0]!.tensor || a[1]!.tensor,
});
/** A torch call's tensor argument: Python numbers become tensors of the input's dtype. */
const t = (e: Expr, x: string) => (e.tensor ? e.text : `${x}.new_tensor(${e.text})`);
const call = (fn: string, ...rest: string[]) => (_: Node, a: Expr[], x: string) => atom(`${fn}(${[t(a[0]!, x), ...rest].join(", ")})`);
const compare = (op: string) => (_: Node, a: Expr[], x: string) => atom(`(${t(a[0]!, x)} ${op} ${t(a[1]!, x)}).to(${x}.dtype)`);

/** The Python expression for one node from its operands' expressions and the input's name (for dtype and rows). */
type TorchRule<K extends OpName> = ((node: NodeOf<K>, a: Expr[], x: string) => Expr) | null;

/**
 * Every op of the IR's vocabulary, so a new op is a compile error here until it has a PyTorch
 * form or is marked null. Each form has netc's value and netc's derivative.
 */
const TORCH_RULES: { readonly [K in OpName]: TorchRule<K> } = {
  input: () => atom(""),
  param: (node) => atom(tensorRef(node.attrs.name, "parameter")),
  state: (node) => atom(tensorRef(node.attrs.name, "buffer")),
  const: (node) => atom(pyFloat(node.attrs.value), false),
  batch: (_, __, x) => atom(`${x}.shape[0]`, false),

  neg: (_, a) => ({ text: `-${operand(a[0]!, UNARY)}`, prec: UNARY, tensor: a[0]!.tensor }),
  exp: call("torch.exp"),
  log: call("torch.log"),
  sqrt: call("torch.sqrt"),
  rsqrt: call("torch.rsqrt"),
  abs: call("torch.abs"),
  square: call("torch.square"),
  pow: (node, a, x) => atom(`torch.pow(${t(a[0]!, x)}, ${pyFloat(node.attrs.k)})`),
  sigmoid: call("torch.sigmoid"),
  tanh: call("torch.tanh"),
  relu: call("torch.relu"),
  leaky_relu: (node, a, x) => call("F.leaky_relu", pyFloat(node.attrs.alpha))(node, a, x),
  elu: (node, a, x) => call("F.elu", pyFloat(node.attrs.alpha))(node, a, x),
  // log(1 + eˣ) = logaddexp(x, 0): stable for any x, derivative exactly sigmoid(x).
  softplus: (_, a, x) => atom(`torch.logaddexp(${t(a[0]!, x)}, torch.zeros_like(${t(a[0]!, x)}))`),
  silu: call("F.silu"),
  mish: (_, a, x) => atom(`${operand(a[0]!, MUL)} * torch.tanh(torch.logaddexp(${t(a[0]!, x)}, torch.zeros_like(${t(a[0]!, x)})))`),
  clip: (node, a, x) => call("torch.clamp", pyFloat(node.attrs.lo), pyFloat(node.attrs.hi))(node, a, x),
  // ½d² where |d| < δ, else δ(|d| − ½δ): its derivative is d clipped to [−δ, δ], as netc's.
  huber: (node, a, x) => {
    const d = t(a[0]!, x), delta = pyFloat(node.attrs.delta);
    return atom(`torch.where(torch.abs(${d}) < ${delta}, 0.5 * ${operand(a[0]!, MUL)} * ${operand(a[0]!, MUL)}, ${delta} * (torch.abs(${d}) - ${pyFloat(node.attrs.delta / 2)}))`);
  },
  broadcast: (node, a, x) => atom(`${operand(a[0]!, ATOM)}.expand(${node.attrs.shape.map((d) => (d === -1 ? `${x}.shape[0]` : String(d))).join(", ")})`),

  add: binary("+", ADD),
  sub: binary("-", ADD),
  mul: binary("*", MUL),
  div: binary("/", MUL),
  // Ties go to the first operand, as netc's derivative rule says (torch.maximum splits them).
  max: (_, a, x) => atom(`torch.where(${t(a[0]!, x)} >= ${t(a[1]!, x)}, ${t(a[0]!, x)}, ${t(a[1]!, x)})`),
  min: (_, a, x) => atom(`torch.where(${t(a[0]!, x)} <= ${t(a[1]!, x)}, ${t(a[0]!, x)}, ${t(a[1]!, x)})`),
  gt: compare(">"),
  ge: compare(">="),
  where: (_, [c, a, b], x) => atom(`torch.where(${t(c!, x)} != 0, ${t(a!, x)}, ${t(b!, x)})`),

  sum: (node, a, x) => {
    const all = node.attrs.axes.length === node.inputs[0]!.shape.length && !node.attrs.keepdims;
    return all ? atom(`${operand(a[0]!, ATOM)}.sum()`) : call("torch.sum", `dim=(${node.attrs.axes.join(", ")},)`, `keepdim=${node.attrs.keepdims ? "True" : "False"}`)(node, a, x);
  },

  matmul: (node, a) => {
    const l = node.attrs.ta ? `${operand(a[0]!, ATOM)}.T` : operand(a[0]!, MUL);
    const r = node.attrs.tb ? `${operand(a[1]!, ATOM)}.T` : operand(a[1]!, MUL + 1);
    return { text: `${l} @ ${r}`, prec: MUL, tensor: true };
  },
  erf: call("torch.erf"),
  softmax: call("torch.softmax", "dim=-1"),
  log_softmax: call("torch.log_softmax", "dim=-1"),
  concat: (_, a, x) => atom(`torch.cat([${t(a[0]!, x)}, ${t(a[1]!, x)}], dim=-1)`),
  slice: (node, a) => atom(`${operand(a[0]!, ATOM)}[..., ${node.attrs.start}:${node.attrs.start + node.attrs.len}]`),
  reshape: (node, a, x) => atom(`${operand(a[0]!, ATOM)}.reshape(${node.attrs.shape.map((d) => (d === -1 ? `${x}.shape[0]` : String(d))).join(", ")})`),
  // Indexing's derivative in PyTorch is the scatter-add of netc's rule.
  gather: (_, a) => atom(`${operand(a[0]!, ATOM)}[${operand(a[1]!, ATOM)}.long()]`),
  scatter_add: null,
  // A loop over time, in the module's _recurrent (export/torch/recurrent.ts).
  recurrent: (node, a) => atom(`_recurrent(${a[0]!.text}, ${a[1]!.text}, ${a[2]!.text}, ${JSON.stringify(node.attrs.cell)})`),
  recurrent_backward: null,
  // Heads are column blocks: [B, T, d] → [B, H, T, d/H] and back, as nn.MultiheadAttention does.
  attention_scores: (node, a) => {
    const { heads, scale, future } = node.attrs;
    const dh = (node.inputs[0]!.shape[2] as number) / heads;
    const T = node.shape[2] as number;
    const scores = `(${operand(a[0]!, ATOM)}.unflatten(-1, (${heads}, ${dh})).transpose(1, 2) @ ${operand(a[1]!, ATOM)}.unflatten(-1, (${heads}, ${dh})).permute(0, 2, 3, 1)) * ${pyFloat(scale)}`;
    if (future === "keep") return atom(`(${scores})`);
    if (future === "zero") throw new Error("internal: attention_scores with future zero is a derivative");
    return atom(`(${scores}).masked_fill(torch.ones(${T}, ${T}, dtype=torch.bool, device=${operand(a[0]!, ATOM)}.device).triu(1), float("-inf"))`);
  },
  // A causal mix's weights above the diagonal are the masked softmax's zeros: the full product is the same.
  attention_mix: (node, a) => {
    const { heads, transposed } = node.attrs;
    if (transposed) throw new Error("internal: a transposed attention_mix is a derivative");
    const dh = (node.shape[2] as number) / heads;
    return atom(`(${operand(a[0]!, ATOM)} @ ${operand(a[1]!, ATOM)}.unflatten(-1, (${heads}, ${dh})).transpose(1, 2)).transpose(1, 2).flatten(2)`);
  },
  // Images are [B, C, H, W] in both; the bias is an ordinary add in the graph, as in netc.
  conv2d: (node, a, x) => atom(`F.conv2d(${t(a[0]!, x)}, ${t(a[1]!, x)}, stride=${node.attrs.stride}, padding=${node.attrs.padding})`),
  conv2d_backward_input: null,
  conv2d_backward_weight: null,
  // Window k, stride k. PyTorch's max pooling keeps a window's first maximum, as netc's derivative does.
  maxpool2d: (node, a, x) => call("F.max_pool2d", String(node.attrs.k))(node, a, x),
  maxpool2d_backward: null,
  avgpool2d: (node, a, x) => call("F.avg_pool2d", String(node.attrs.k))(node, a, x),
  avgpool2d_backward: null,
  onehot: (node, a, x) => atom(`F.one_hot(${operand(a[0]!, ATOM)}.long(), ${node.attrs.classes}).to(${x}.dtype)`),
  // Only the specialized training graph has masks; the module's dropout draws its own.
  dropout_mask: null,
  // Losses, each a sum over every element (the graph divides for the mean). PyTorch's own
  // functions clamp logs at −100 and use the same gradient formulas as netc's kernels.
  bce_sum: (_, a, x) => atom(`F.binary_cross_entropy(${t(a[0]!, x)}, ${t(a[1]!, x)}, reduction="sum")`),
  sigmoid_bce_sum: (_, a, x) => atom(`F.binary_cross_entropy_with_logits(${t(a[0]!, x)}, ${t(a[1]!, x)}, reduction="sum")`),
  ce_sum: (_, a, x) => atom(`-(${operand(a[1]!, MUL)} * torch.clamp_min(torch.log(${t(a[0]!, x)}), -100.0)).sum()`),
  softmax_ce_sum: (_, a, x) => atom(`-(${operand(a[1]!, MUL)} * torch.log_softmax(${t(a[0]!, x)}, dim=-1)).sum()`),

  // Train or eval behaviour follows the module's `self.training`, as in any PyTorch module.
  dropout: (node, a, x) => call("F.dropout", pyFloat(node.attrs.p), "self.training")(node, a, x),
  batchnorm: (node, a) => {
    const [x, gamma, beta, mean, variance] = a.map((e) => e.text);
    return atom(`F.batch_norm(${x}, ${mean}, ${variance}, ${gamma}, ${beta}, self.training, ${pyFloat(node.attrs.momentum)}, ${pyFloat(node.attrs.eps)})`);
  },
};
