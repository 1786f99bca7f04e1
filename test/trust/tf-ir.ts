// An independent interpreter of netc's forward IR, written with tfjs ops so tfjs's own autodiff
// provides the gradients. It shares nothing with netc past lowering: no VJP rules, simplifier,
// kernel fusion, buffer planning or emitted code. Each op's rule restates the op's meaning
// (compiler/ops/*) in tfjs.
import * as tf from "@tensorflow/tfjs";
import type { Graph, Node } from "../../compiler/ir/graph.js";

export interface IrEnv {
  /** Input and target tensors by their `.net` names (a class(K) target holds indices, shape [n]). */
  inputs: Record<string, tf.Tensor>;
  params: Record<string, tf.Tensor>;
  rows: number;
}

type Rule = (args: tf.Tensor[], node: Node, env: IrEnv) => tf.Tensor;

/** Attributes by name: this interpreter checks them against tfjs, not against the IR's types. */
const attrsOf = (node: Node) => node.attrs as Record<string, unknown>;
const num = (node: Node, key: string) => attrsOf(node)[key] as number;
const sumAll = (t: tf.Tensor) => tf.sum(t);
const clampedLog = (p: tf.Tensor) => tf.maximum(tf.log(p), -100);
const toNhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;

const RULES: Record<string, Rule> = {
  input: (_, node, env) => env.inputs[attrsOf(node).name as string]!,
  param: (_, node, env) => env.params[attrsOf(node).name as string]!,
  const: (_, node) => tf.scalar(num(node, "value")),
  batch: (_, __, env) => tf.scalar(env.rows),
  neg: ([a]) => tf.neg(a!),
  exp: ([a]) => tf.exp(a!),
  log: ([a]) => tf.log(a!),
  sigmoid: ([a]) => tf.sigmoid(a!),
  tanh: ([a]) => tf.tanh(a!),
  relu: ([a]) => tf.relu(a!),
  add: ([a, b]) => tf.add(a!, b!),
  sub: ([a, b]) => tf.sub(a!, b!),
  mul: ([a, b]) => tf.mul(a!, b!),
  div: ([a, b]) => tf.div(a!, b!),
  max: ([a, b]) => tf.maximum(a!, b!),
  min: ([a, b]) => tf.minimum(a!, b!),
  ge: ([a, b]) => tf.cast(tf.greaterEqual(a!, b!), "float32"),
  gt: ([a, b]) => tf.cast(tf.greater(a!, b!), "float32"),
  where: ([c, a, b]) => tf.where(tf.notEqual(c!, 0), a!, b!),
  leaky_relu: ([a], node) => tf.where(tf.greater(a!, 0), a!, tf.mul(num(node, "alpha"), a!)),
  elu: ([a], node) => tf.where(tf.greater(a!, 0), a!, tf.mul(num(node, "alpha"), tf.sub(tf.exp(a!), 1))),
  softplus: ([a]) => tf.softplus(a!),
  silu: ([a]) => tf.mul(a!, tf.sigmoid(a!)),
  mish: ([a]) => tf.mul(a!, tf.tanh(tf.softplus(a!))),
  erf: ([a]) => tf.erf(a!),
  sqrt: ([a]) => tf.sqrt(a!),
  rsqrt: ([a]) => tf.rsqrt(a!),
  abs: ([a]) => tf.abs(a!),
  square: ([a]) => tf.square(a!),
  pow: ([a], node) => tf.pow(a!, num(node, "k")),
  clip: ([a], node) => tf.clipByValue(a!, num(node, "lo"), num(node, "hi")),
  huber: ([a], node) => {
    const d = num(node, "delta");
    return tf.where(tf.less(tf.abs(a!), d), tf.mul(0.5, tf.square(a!)), tf.mul(d, tf.sub(tf.abs(a!), d / 2)));
  },
  broadcast: ([a], node, env) => tf.broadcastTo(a!, (attrsOf(node).shape as number[]).map((d) => (d === -1 ? env.rows : d))),
  sum: ([a], node) => {
    const axes = attrsOf(node).axes as number[];
    return axes.length === 0 ? a! : tf.sum(a!, axes, attrsOf(node).keepdims as boolean);
  },
  matmul: ([a, b], node) => {
    if (a!.rank === 2) return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, attrsOf(node).ta as boolean, attrsOf(node).tb as boolean);
    // A stack of rows [B,T,d] @ [d,n]: the forward graph only has untransposed products.
    const rows = tf.reshape(a!, [-1, a!.shape[a!.rank - 1]!]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(rows, b as tf.Tensor2D), [...a!.shape.slice(0, -1), b!.shape[1]!]);
  },
  reshape: ([a], node, env) => tf.reshape(a!, (attrsOf(node).shape as number[]).map((d) => (d === -1 ? env.rows : d))),
  // tfjs convolves and pools NHWC images with [k,k,C,F] filters; netc's are NCHW and [F,C,k,k].
  conv2d: ([x, w], node) => {
    const y = tf.conv2d(toNhwc(x!), tf.transpose(w!, [2, 3, 1, 0]) as tf.Tensor4D, num(node, "stride"), num(node, "padding"));
    return tf.transpose(y, [0, 3, 1, 2]);
  },
  maxpool2d: ([x], node) => tf.transpose(tf.maxPool(toNhwc(x!), num(node, "k"), num(node, "k"), "valid"), [0, 3, 1, 2]),
  avgpool2d: ([x], node) => tf.transpose(tf.avgPool(toNhwc(x!), num(node, "k"), num(node, "k"), "valid"), [0, 3, 1, 2]),
  gather: ([table, ids]) => tf.gather(table!, tf.cast(ids!, "int32")),
  // The recurrence unrolled in tfjs ops from PyTorch's equations; tfjs differentiates it.
  recurrent: ([xw, w, b], node) => recurrentTape(xw!, w!, b!, attrsOf(node).cell as string),
  attention_scores: ([q, k], node) => {
    const heads = num(node, "heads");
    const s = tf.mul(tf.matMul(splitHeads(q!, heads), splitHeads(k!, heads), false, true), num(node, "scale"));
    const future = attrsOf(node).future as string;
    if (future === "keep") return s;
    const T = q!.shape[1]!;
    const later = tf.greater(tf.range(0, T).reshape([1, T]), tf.range(0, T).reshape([T, 1]));
    return tf.where(tf.broadcastTo(later, s.shape), tf.fill(s.shape, future === "masked" ? -Infinity : 0), s);
  },
  attention_mix: ([p, v], node) => {
    const heads = num(node, "heads");
    // Only the forward graph is interpreted: the mix there is never transposed, and a causal
    // mix reads weights that the causal softmax already made 0.
    const o = tf.matMul(p!, splitHeads(v!, heads));
    const [B, H, T, dh] = o.shape;
    return tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B!, T!, H! * dh!]);
  },
  softmax: ([a]) => tf.softmax(a!),
  log_softmax: ([a]) => tf.logSoftmax(a!),
  concat: ([a, b]) => tf.concat([a!, b!], -1),
  slice: ([a], node) => {
    const begin = a!.shape.map((_, i) => (i === a!.rank - 1 ? num(node, "start") : 0));
    const size = a!.shape.map((_, i) => (i === a!.rank - 1 ? num(node, "len") : -1));
    return tf.slice(a!, begin, size);
  },
  // Training mode: batch statistics (biased variance), as the emitted training step uses.
  batchnorm: ([x, gamma, beta], node) => {
    const { mean, variance } = tf.moments(x!, 0);
    return tf.add(tf.mul(tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, num(node, "eps")))), gamma!), beta!);
  },
  state: (_, node) => tf.zeros(attrsOf(node).shape as number[]),
  onehot: ([a], node) => tf.cast(tf.oneHot(tf.cast(a!, "int32"), num(node, "classes")), "float32"),
  bce_sum: ([p, y]) => tf.neg(sumAll(tf.add(tf.mul(y!, clampedLog(p!)), tf.mul(tf.sub(1, y!), clampedLog(tf.sub(1, p!)))))),
  sigmoid_bce_sum: ([z, y]) => sumAll(tf.add(tf.sub(tf.relu(z!), tf.mul(z!, y!)), tf.log1p(tf.exp(tf.neg(tf.abs(z!)))))),
  ce_sum: ([p, y]) => tf.neg(sumAll(tf.mul(y!, clampedLog(p!)))),
  softmax_ce_sum: ([z, y]) => {
    const lse = tf.logSumExp(z!, -1, true);
    return sumAll(tf.sub(tf.mul(tf.sum(y!, -1, true), lse), tf.sum(tf.mul(y!, z!), -1, true)));
  },
};

/** [B,T,d] → [B,heads,T,d/heads]: head h is columns h·d/heads… of every position. */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [B, T, d] = x.shape;
  return tf.transpose(tf.reshape(x, [B!, T!, heads, d! / heads]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/**
 * The recurrent op's tape from PyTorch's equations, step by step in tfjs ops: per step the
 * blocks [h, h₋₁, …] of ops/recurrent.ts (only h is read by the forward graph; the rest is
 * filled with what netc keeps there, so the layouts match).
 */
function recurrentTape(xw: tf.Tensor, w: tf.Tensor, b: tf.Tensor, cell: string): tf.Tensor {
  const [B, T] = xw.shape as [number, number, number];
  const n = w.shape[0]!;
  const gate = (z: tf.Tensor, k: number) => tf.slice(z, [0, k * n], [B, n]);
  let h: tf.Tensor = tf.zeros([B, n]);
  let c: tf.Tensor = tf.zeros([B, n]);
  const steps: tf.Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const x = tf.reshape(tf.slice(xw, [0, t, 0], [B, 1, -1]), [B, -1]);
    const hh = tf.add(tf.matMul(h, w as tf.Tensor2D), b);
    const prev = h;
    let blocks: tf.Tensor[];
    if (cell === "rnn") {
      h = tf.tanh(tf.add(x, hh));
      blocks = [h, prev];
    } else if (cell === "lstm") {
      const [i, f, g, o] = [0, 1, 2, 3].map((k) => tf.add(gate(x, k), gate(hh, k)));
      const [ig, fg, gg, og] = [tf.sigmoid(i!), tf.sigmoid(f!), tf.tanh(g!), tf.sigmoid(o!)];
      c = tf.add(tf.mul(fg, c), tf.mul(ig, gg));
      h = tf.mul(og, tf.tanh(c));
      blocks = [h, prev, c, ig, fg, gg, og];
    } else {
      const r = tf.sigmoid(tf.add(gate(x, 0), gate(hh, 0)));
      const z = tf.sigmoid(tf.add(gate(x, 1), gate(hh, 1)));
      const hn = gate(hh, 2);
      const nn = tf.tanh(tf.add(gate(x, 2), tf.mul(r, hn)));
      h = tf.add(tf.mul(tf.sub(1, z), nn), tf.mul(z, prev));
      blocks = [h, prev, r, z, hn, nn];
    }
    steps.push(tf.concat(blocks, 1));
  }
  return tf.stack(steps, 1);
}

export function unsupportedOps(graph: Graph): string[] {
  return [...new Set(graph.nodes.map((n) => n.op).filter((op) => !RULES[op]))];
}

/** Evaluates the named outputs (`predict`, `loss`) of a forward graph; call inside tf.tidy. */
export function evalGraph(graph: Graph, env: IrEnv): Record<string, tf.Tensor> {
  const values = new Map<number, tf.Tensor>();
  for (const node of graph.nodes) {
    const rule = RULES[node.op];
    if (!rule) throw new Error(`the tfjs interpreter has no rule for op '${node.op}'`);
    values.set(node.id, rule(node.inputs.map((i) => values.get(i.id)!), node, env));
  }
  return Object.fromEntries([...graph.outputs].map(([name, node]) => [name, values.get(node.id)!]));
}
