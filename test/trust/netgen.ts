// Random valid `.net` programs for property tests. A program is generated as a small
// shrinkable structure (NetSpec) and printed to source, so fast-check shrinks the structure and a
// failure message can show the smallest failing `.net` file. The printer also says which weight
// names each layer gets, which is what the float64 reference below and the tfjs models need.
import fc from "fast-check";

export type Act = "sigmoid" | "tanh" | "relu" | "none";
export type Form = "dense" | "param" | "block";
export type HeadKind = "mse" | "bce" | "ce" | "class";

export interface LayerSpec {
  width: number;
  act: Act;
  /** `h + act(dense(h, w))`; honoured only where the widths match. */
  residual: boolean;
  form: Form;
}

export interface NetSpec {
  inWidth: number;
  hidden: LayerSpec[];
  head: { kind: HeadKind; width: number; act: Act; form: "dense" | "param"; fused: boolean };
  /** Print as a `layers { ... }` block when every layer allows it. */
  sugar: boolean;
  /** Names for input, target, hidden bindings, output and squeezed output; plain when absent. */
  names?: string[];
}

/** The math of one printed layer: h' = act(h @ W + b), plus h when residual. */
export interface PrintedLayer {
  W: string;
  b: string;
  act: Act | "softmax";
  residual: boolean;
}

export interface Printed {
  source: string;
  layers: PrintedLayer[];
  spec: NetSpec;
}

const PLAIN = ["x", "y", "h1", "h2", "h3", "p", "q"];

/** Valid names that match identifiers the emitter uses for its own locals, helpers and buffers. */
export const TRICKY_NAMES = [
  "n", "i", "j", "k", "t", "v", "g", "e", "r", "o", "s", "acc", "seed", "options", "params", "step", "value",
  "total", "order", "grads", "max", "sum", "mi", "vi", "vel", "rng", "info", "predict", "fit", "batch", "epochs",
  "history", "epoch", "src", "start", "rows", "bx", "by", "out", "w", "data", "z", "lossSum", "maxBatch", "a0",
  "c0_0", "d_h1", "buf0", "predictViews", "corr1", "label", "weights", "updates", "dst", "given", "name",
];

const act = fc.constantFrom<Act>("tanh", "sigmoid", "relu", "none");

export const layerArb: fc.Arbitrary<LayerSpec> = fc.record({
  width: fc.integer({ min: 1, max: 8 }),
  act,
  residual: fc.boolean(),
  form: fc.constantFrom<Form>("dense", "param", "block"),
});

export const netArb: fc.Arbitrary<NetSpec> = fc
  .record({
    inWidth: fc.integer({ min: 1, max: 8 }),
    hidden: fc.array(layerArb, { maxLength: 3 }),
    kind: fc.constantFrom<HeadKind>("mse", "bce", "ce", "class"),
    width: fc.integer({ min: 1, max: 8 }),
    mseAct: act,
    form: fc.constantFrom<"dense" | "param">("dense", "param"),
    fused: fc.boolean(),
    sugar: fc.boolean(),
    names: fc.option(fc.shuffledSubarray(TRICKY_NAMES, { minLength: 7, maxLength: 7 }), { nil: undefined }),
  })
  .map(({ kind, width, mseAct, form, fused, ...rest }) => ({
    ...rest,
    // softmax needs two or more classes.
    head: { kind, width: kind === "ce" || kind === "class" ? Math.max(2, width) : width, act: kind === "mse" ? mseAct : "none", form, fused },
  }));

const SUGAR_ACT: Record<Act, string> = { sigmoid: " sigmoid", tanh: " tanh", relu: " relu", none: "" };
const call = (a: Act, e: string) => (a === "none" ? e : `${a}(${e})`);

export function printNet(spec: NetSpec): Printed {
  const [X, Y, ...rest] = spec.names ?? PLAIN;
  const bindings = rest.slice(0, spec.hidden.length);
  const [P, Q] = spec.names ? rest.slice(-2) : ["p", "q"];
  const { head } = spec;
  const headAct = head.kind === "bce" ? "sigmoid" : head.kind === "mse" ? head.act : "softmax";
  const widths = [spec.inWidth, ...spec.hidden.map((l) => l.width)];
  const isResidual = (l: LayerSpec, i: number) => l.residual && widths[i] === l.width;
  const sugar = spec.sugar && head.fused && head.form === "dense" && spec.hidden.every((l, i) => l.form === "dense" && !isResidual(l, i));
  const target = head.kind === "class" ? `${Y}: class(${head.width})` : `${Y}[${head.width}]`;
  const lines = [`model net {`, `  input ${X}[${spec.inWidth}]`, `  target ${target}`];
  const layers: PrintedLayer[] = [];
  const blocks = new Map<string, string>();

  if (sugar) {
    const items = spec.hidden.map((l) => `dense ${l.width}${SUGAR_ACT[l.act]}`);
    items.push(`dense ${head.width}${headAct === "softmax" ? " softmax" : SUGAR_ACT[headAct as Act]}`);
    lines.push(`  layers {`, ...items.map((s) => `    ${s}`), `  }`);
    items.forEach((_, i) => {
      const l = spec.hidden[i];
      layers.push({ W: `layer${i + 1}.W`, b: `layer${i + 1}.b`, act: l ? l.act : headAct, residual: false });
    });
    lines.push(`  loss ${head.kind === "class" ? "cross_entropy" : head.kind === "ce" ? "cross_entropy" : head.kind}`);
  } else {
    let prev = X!;
    spec.hidden.forEach((l, i) => {
      const B = bindings[i]!;
      const res = isResidual(l, i);
      if (l.form === "param") {
        lines.push(`  param W${i + 1}[${widths[i]}, ${l.width}]`, `  param b${i + 1}[${l.width}]`);
        const z = call(l.act, `${prev} @ W${i + 1} + b${i + 1}`);
        lines.push(`  ${B} = ${res ? `${prev} + ${z}` : z}`);
        layers.push({ W: `W${i + 1}`, b: `b${i + 1}`, act: l.act, residual: res });
      } else if (l.form === "block") {
        const name = `${res ? "res" : "lin"}_${l.act}`;
        const body = res ? `  return x + ${call(l.act, "dense(x, n)")}` : `  h = dense(x, n)\n  return ${call(l.act, "h")}`;
        blocks.set(name, `block ${name}(x, n) {\n${body}\n}`);
        lines.push(`  ${B} = ${name}(${prev}, ${l.width})`);
        const w = res ? B : `${B}.h`;
        layers.push({ W: `${w}.W`, b: `${w}.b`, act: l.act, residual: res });
      } else {
        const z = call(l.act, `dense(${prev}, ${l.width})`);
        lines.push(`  ${B} = ${res ? `${prev} + ${z}` : z}`);
        layers.push({ W: `${B}.W`, b: `${B}.b`, act: l.act, residual: res });
      }
      prev = B;
    });
    const k = spec.hidden.length + 1;
    if (head.form === "param") {
      lines.push(`  param W${k}[${widths[widths.length - 1]}, ${head.width}]`, `  param b${k}[${head.width}]`);
      lines.push(`  ${P} = ${call(headAct as Act, `${prev} @ W${k} + b${k}`)}`);
      layers.push({ W: `W${k}`, b: `b${k}`, act: headAct, residual: false });
    } else {
      lines.push(`  ${P} = ${call(headAct as Act, `dense(${prev}, ${head.width})`)}`);
      layers.push({ W: `${P}.W`, b: `${P}.b`, act: headAct, residual: false });
    }
    lines.push(`  output ${P}`);
    const lossFn = head.kind === "class" || head.kind === "ce" ? "cross_entropy" : head.kind;
    if (head.fused) lines.push(`  loss ${lossFn}(${P}, ${Y})`);
    else if (head.kind === "mse") lines.push(`  loss mean((${P} - ${Y}) * (${P} - ${Y}))`);
    else {
      // Squeezing the probabilities keeps the loss away from the fused kernels and from log(0).
      lines.push(`  ${Q} = 0.8 * ${P} + ${head.kind === "bce" ? "0.1" : `0.2 / ${head.width}`}`);
      lines.push(`  loss ${lossFn}(${Q}, ${Y})`);
    }
  }
  lines.push(`  train { optimizer sgd(lr: 0.1); batch 8; seed 1 }`, `}`);
  const source = [...blocks.values(), lines.join("\n")].join("\n") + "\n";
  return { source, layers, spec };
}

/** Seeded data for a spec: inputs in [-1, 1] and targets of the kind the loss expects. */
export function makeData(spec: NetSpec, n: number, rng: () => number): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: n * spec.inWidth }, () => 2 * rng() - 1);
  const K = spec.head.width;
  const y = new Float64Array(spec.head.kind === "class" ? n : n * K);
  for (let r = 0; r < n; r++) {
    if (spec.head.kind === "class") y[r] = Math.floor(rng() * K);
    else if (spec.head.kind === "ce" && rng() < 0.5) y[r * K + Math.floor(rng() * K)] = 1;
    // Dense targets may hold anything; cross-entropy rows need not sum to 1.
    else for (let j = 0; j < K; j++) y[r * K + j] = spec.head.kind === "mse" ? 2 * rng() - 1 : rng();
  }
  return { x, y };
}

type Weights = Record<string, { data: ArrayLike<number> }>;

/**
 * Plain float64 forward pass of a printed network, written from the language definition
 * (not from netc's IR). Returns the loss and every relu pre-activation, so a gradient check can
 * keep its data away from relu's kink.
 */
export function referenceLoss(p: Printed, w: Weights, x: Float64Array, y: Float64Array, n: number): { loss: number; reluInputs: number[] } {
  const reluInputs: number[] = [];
  let h = Array.from({ length: n }, (_, r) => Array.from(x.subarray(r * p.spec.inWidth, (r + 1) * p.spec.inWidth)));
  for (const layer of p.layers) {
    const W = w[layer.W]!.data, b = w[layer.b]!.data;
    const width = b.length;
    h = h.map((row) => {
      const z = Array.from({ length: width }, (_, j) => row.reduce((s, v, k) => s + v * W[k * width + j]!, b[j]!));
      if (layer.act === "relu") reluInputs.push(...z);
      const a = activate(layer.act, z);
      return layer.residual ? a.map((v, j) => v + row[j]!) : a;
    });
  }
  const { kind, width: K, fused } = p.spec.head;
  const target = (r: number, j: number) => (kind === "class" ? (y[r] === j ? 1 : 0) : y[r * K + j]!);
  const squeeze = (v: number) => (fused ? v : kind === "bce" ? 0.8 * v + 0.1 : 0.8 * v + 0.2 / K);
  let total = 0;
  h.forEach((row, r) => row.forEach((v, j) => {
    const t = target(r, j);
    if (kind === "mse") total += (v - t) ** 2;
    else if (kind === "bce") total -= t * Math.log(squeeze(v)) + (1 - t) * Math.log(1 - squeeze(v));
    else total -= t * Math.log(squeeze(v));
  }));
  return { loss: total / (kind === "mse" || kind === "bce" ? n * K : n), reluInputs };
}

function activate(a: PrintedLayer["act"], z: number[]): number[] {
  if (a === "softmax") {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((u, v) => u + v, 0);
    return e.map((v) => v / s);
  }
  const f = { sigmoid: (v: number) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh, relu: (v: number) => Math.max(v, 0), none: (v: number) => v }[a];
  return z.map(f);
}
