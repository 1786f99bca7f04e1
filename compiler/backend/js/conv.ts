// Convolution and pooling as straight loops over the preallocated buffers, specialized to the
// shapes. A k×k kernel's taps are unrolled: each output position of a convolution reads its
// taps at constant offsets from one base index. Positions whose window lies inside the image
// (the interior) run without checks; only the border rows and columns that padding creates
// check each tap. The forward pass and both derivatives visit the same (position, tap) pairs.
import type { Node, NodeOf } from "../../ir/graph.js";
import { dimExpr, sizeExpr, type EmitContext } from "./context.js";

interface Geometry {
  H: number;
  W: number;
  OH: number;
  OW: number;
  k: number;
  stride: number;
  padding: number;
}

/** What to emit at each output position (offset `o` in its plane) and for each tap t = ki·k + kj. */
interface TapVisit {
  before(o: string): string;
  /** `i` is the tap's input offset in its plane. */
  tap(t: number, i: string, o: string): string;
  after(o: string): string;
}

/** `a*x + b*y + c` without the terms that are zero or the factors that are one. */
function linear(terms: [string, number][], constant = 0): string {
  const parts = terms.filter(([, f]) => f !== 0).map(([v, f]) => (f === 1 ? v : `${v} * ${f}`));
  if (constant !== 0 || parts.length === 0) parts.push(String(constant));
  return parts.join(" + ").replace(/\+ -/g, "- ");
}

/** Up to this many taps a whole output plane is straight-line code: small images need no loops. */
const PLANE_UNROLL = 256;
/** Up to this many taps the border positions are straight-line code, each with exactly its valid taps. */
const BORDER_UNROLL = 1024;

function visitTaps(ctx: EmitContext, g: Geometry, visit: TapVisit): string {
  const { H, W, OH, OW, k, stride: s, padding: p } = g;
  // Output rows [ohA, ohB) and columns [owA, owB) read only pixels inside the image.
  const ohA = Math.ceil(p / s), ohB = Math.min(OH, Math.floor((H - k + p) / s) + 1);
  const owA = Math.ceil(p / s), owB = Math.min(OW, Math.floor((W - k + p) / s) + 1);
  const inInterior = (r: number, c: number) => r >= ohA && r < ohB && c >= owA && c < owB;
  const taps = Array.from({ length: k * k }, (_, t) => t);
  const lines = (...parts: string[]) => parts.filter(Boolean).join("\n");
  // One output position at compile time: its offsets are constants and out-of-image taps are left out.
  const position = ([r, c]: [number, number]) => {
    const o = String(r * OW + c), ih = r * s - p, iw = c * s - p;
    const valid = taps.filter((t) => inside(ih + Math.floor(t / k), H) && inside(iw + (t % k), W));
    const reads = valid.map((t) => visit.tap(t, String((ih + Math.floor(t / k)) * W + iw + (t % k)), o));
    return `{\n${lines(visit.before(o), ...reads, visit.after(o))}\n}`;
  };
  const positions = Array.from({ length: OH * OW }, (_, q): [number, number] => [Math.floor(q / OW), q % OW]);
  if (OH * OW * k * k <= PLANE_UNROLL) return positions.map(position).join("\n");

  const oh = ctx.local("oh"), ow = ctx.local("ow"), o = ctx.local("o"), i = ctx.local("i");
  const offset = (t: number) => Math.floor(t / k) * W + (t % k);
  const at = (t: number) => (offset(t) === 0 ? i : `${i} + ${offset(t)}`);
  const code: string[] = [];
  const interior = ohB > ohA && owB > owA;
  if (interior) {
    code.push(`for (let ${oh} = ${ohA}; ${oh} < ${ohB}; ${oh}++) {
for (let ${ow} = ${owA}; ${ow} < ${owB}; ${ow}++) {
${lines(
  `const ${o} = ${linear([[oh, OW], [ow, 1]])};`,
  `const ${i} = ${linear([[oh, s * W], [ow, s]], -(p * W + p))};`,
  visit.before(o),
  ...taps.map((t) => visit.tap(t, at(t), o)),
  visit.after(o),
)}
}
}`);
  }
  const border = positions.filter(([r, c]) => !inInterior(r, c));
  if (border.length === 0) return code.join("\n");
  if (border.length * k * k <= BORDER_UNROLL) return [...code, ...border.map(position)].join("\n");
  // Large images: the border positions in loops that check each tap.
  const ih = ctx.local("ih"), iw = ctx.local("iw"), rowInside = ctx.local("inside");
  const rowsOfTaps = Array.from({ length: k }, (_, ki) => {
    const cols = Array.from({ length: k }, (_, kj) => `if (${iw} >= ${-kj} && ${iw} < ${W - kj}) {\n${visit.tap(ki * k + kj, at(ki * k + kj), o)}\n}`);
    return `if (${ih} >= ${-ki} && ${ih} < ${H - ki}) {\n${cols.join("\n")}\n}`;
  });
  code.push(`for (let ${oh} = 0; ${oh} < ${OH}; ${oh}++) {
const ${ih} = ${linear([[oh, s]], -p)};
${interior ? `const ${rowInside} = ${oh} >= ${ohA} && ${oh} < ${ohB};` : ""}
for (let ${ow} = 0; ${ow} < ${OW}; ${ow}++) {
${lines(
  interior ? `if (${rowInside} && ${ow} === ${owA}) {\n${ow} = ${owB - 1};\ncontinue;\n}` : "",
  `const ${iw} = ${linear([[ow, s]], -p)};`,
  `const ${o} = ${linear([[oh, OW], [ow, 1]])};`,
  `const ${i} = ${ih} * ${W} + ${iw};`,
  visit.before(o),
  ...rowsOfTaps,
  visit.after(o),
)}
}
}`);
  return code.join("\n");
}

const inside = (v: number, size: number) => v >= 0 && v < size;

function geometry(image: Node, out: Node, k: number, stride: number, padding: number): Geometry {
  const [, , H, W] = image.shape as number[];
  const [, , OH, OW] = out.shape as number[];
  return { H: H!, W: W!, OH: OH!, OW: OW!, k, stride, padding };
}

/** `const w0 = w[wo], w1 = w[wo + 1], …`: one kernel slice's taps in locals. */
function loadTaps(ctx: EmitContext, w: string, base: string, count: number): { names: string[]; code: string } {
  const names = Array.from({ length: count }, (_, t) => ctx.local(`w${t}`));
  return { names, code: `const ${names.map((n, t) => `${n} = ${w}[${t === 0 ? base : `${base} + ${t}`}]`).join(", ")};` };
}

export function emitConv2d(ctx: EmitContext, node: NodeOf<"conv2d">): string {
  const [X, Wt] = node.inputs as [Node, Node];
  const [N, C] = X.shape as [Node["shape"][0], number];
  const [F, , k] = Wt.shape as number[];
  const g = geometry(X, node, k!, node.attrs.stride, node.attrs.padding);
  const x = ctx.ref(X), w = ctx.ref(Wt), y = ctx.ref(node);
  const n = ctx.local("n"), f = ctx.local("f"), c = ctx.local("c"), xo = ctx.local("xo"), yo = ctx.local("yo"), wo = ctx.local("wo"), acc = ctx.local("acc");
  const weights = loadTaps(ctx, w, wo, k! * k!);
  const taps = visitTaps(ctx, g, {
    before: () => `let ${acc} = 0;`,
    tap: (t, i) => `${acc} += ${weights.names[t]} * ${x}[${xo} + ${i}];`,
    after: (o) => `${y}[${yo} + ${o}] += ${acc};`,
  });
  return `${y}.fill(0, 0, ${sizeExpr(ctx, node.shape)});
for (let ${n} = 0; ${n} < ${dimExpr(ctx, N!)}; ${n}++) {
for (let ${f} = 0; ${f} < ${F}; ${f}++) {
const ${yo} = (${n} * ${F} + ${f}) * ${g.OH * g.OW};
for (let ${c} = 0; ${c} < ${C}; ${c}++) {
const ${xo} = (${n} * ${C} + ${c}) * ${g.H * g.W};
const ${wo} = (${f} * ${C} + ${c}) * ${k! * k!};
${weights.code}
${taps}
}
}
}`;
}

/** dx = Σ over filters and taps of w·g, scattered back to the pixels each tap read. */
export function emitConv2dBackwardInput(ctx: EmitContext, node: NodeOf<"conv2d_backward_input">): string {
  const [G, Wt] = node.inputs as [Node, Node];
  const [N, C] = node.shape as [Node["shape"][0], number];
  const [F, , k] = Wt.shape as number[];
  const g = geometry(node, G, k!, node.attrs.stride, node.attrs.padding);
  const gr = ctx.ref(G), w = ctx.ref(Wt), dx = ctx.ref(node);
  const n = ctx.local("n"), f = ctx.local("f"), c = ctx.local("c"), xo = ctx.local("xo"), go = ctx.local("go"), wo = ctx.local("wo"), gv = ctx.local("gv");
  const weights = loadTaps(ctx, w, wo, k! * k!);
  const taps = visitTaps(ctx, g, {
    before: (o) => `const ${gv} = ${gr}[${go} + ${o}];`,
    tap: (t, i) => `${dx}[${xo} + ${i}] += ${weights.names[t]} * ${gv};`,
    after: () => "",
  });
  return `${dx}.fill(0, 0, ${sizeExpr(ctx, node.shape)});
for (let ${n} = 0; ${n} < ${dimExpr(ctx, N!)}; ${n}++) {
for (let ${c} = 0; ${c} < ${C}; ${c}++) {
const ${xo} = (${n} * ${C} + ${c}) * ${g.H * g.W};
for (let ${f} = 0; ${f} < ${F}; ${f}++) {
const ${go} = (${n} * ${F} + ${f}) * ${g.OH * g.OW};
const ${wo} = (${f} * ${C} + ${c}) * ${k! * k!};
${weights.code}
${taps}
}
}
}`;
}

/** dw[f,c,tap] = Σ over rows and positions of g·x, each tap's sum in a local. */
export function emitConv2dBackwardWeight(ctx: EmitContext, node: NodeOf<"conv2d_backward_weight">): string {
  const [X, G] = node.inputs as [Node, Node];
  const [N, C] = X.shape as [Node["shape"][0], number];
  const [F, , k] = node.shape as number[];
  const g = geometry(X, G, k!, node.attrs.stride, node.attrs.padding);
  const x = ctx.ref(X), gr = ctx.ref(G), dw = ctx.ref(node);
  const n = ctx.local("n"), f = ctx.local("f"), c = ctx.local("c"), xo = ctx.local("xo"), go = ctx.local("go"), wo = ctx.local("wo"), gv = ctx.local("gv");
  const sums = Array.from({ length: k! * k! }, (_, t) => ctx.local(`s${t}`));
  const taps = visitTaps(ctx, g, {
    before: (o) => `const ${gv} = ${gr}[${go} + ${o}];`,
    tap: (t, i) => `${sums[t]} += ${gv} * ${x}[${xo} + ${i}];`,
    after: () => "",
  });
  return `for (let ${f} = 0; ${f} < ${F}; ${f}++) {
for (let ${c} = 0; ${c} < ${C}; ${c}++) {
let ${sums.join(" = 0, ")} = 0;
for (let ${n} = 0; ${n} < ${dimExpr(ctx, N!)}; ${n}++) {
const ${xo} = (${n} * ${C} + ${c}) * ${g.H * g.W};
const ${go} = (${n} * ${F} + ${f}) * ${g.OH * g.OW};
${taps}
}
const ${wo} = (${f} * ${C} + ${c}) * ${k! * k!};
${sums.map((s, t) => `${dw}[${t === 0 ? wo : `${wo} + ${t}`}] = ${s};`).join("\n")}
}
}`;
}

/** Loops over every window of every (row, channel) plane: `body(i, o)` gets the window's first pixel and its output. */
function windows(ctx: EmitContext, image: Node, pooled: Node, k: number, body: (i: string, o: string) => string): string {
  const [, , H, W] = image.shape as number[];
  const [, , OH, OW] = pooled.shape as number[];
  const pl = ctx.local("plane"), oh = ctx.local("oh"), ow = ctx.local("ow"), i = ctx.local("i"), o = ctx.local("o");
  return `for (let ${pl} = 0; ${pl} < ${sizeExpr(ctx, image.shape.slice(0, 2))}; ${pl}++) {
for (let ${oh} = 0; ${oh} < ${OH}; ${oh}++) {
for (let ${ow} = 0; ${ow} < ${OW}; ${ow}++) {
const ${i} = ${pl} * ${H! * W!} + ${linear([[oh, k * W!], [ow, k]])};
const ${o} = ${pl} * ${OH! * OW!} + ${linear([[oh, OW!], [ow, 1]])};
${body(i, o)}
}
}
}`;
}

const windowOffsets = (k: number, W: number) => Array.from({ length: k * k }, (_, t) => Math.floor(t / k) * W + (t % k));

/**
 * Statements leaving the window's largest value in a local (and, with `best`, its index): the
 * first maximum wins, and a NaN wins over any number, as in PyTorch's max pooling.
 */
function windowMax(ctx: EmitContext, x: string, i: string, offsets: number[], best?: string): { code: string; max: string } {
  const m = ctx.local("m");
  const lines = [`let ${m} = ${x}[${i}];`];
  if (best) lines.push(`let ${best} = ${i};`);
  for (const off of offsets.slice(1)) {
    const v = ctx.local("v");
    lines.push(`const ${v} = ${x}[${i} + ${off}];`);
    lines.push(`if (${v} > ${m} || ${v} !== ${v}) {\n${m} = ${v};${best ? `\n${best} = ${i} + ${off};` : ""}\n}`);
  }
  return { code: lines.join("\n"), max: m };
}

export function emitMaxpool2d(ctx: EmitContext, node: NodeOf<"maxpool2d">): string {
  const X = node.inputs[0]!;
  const x = ctx.ref(X), y = ctx.ref(node);
  const offsets = windowOffsets(node.attrs.k, X.shape[3] as number);
  return windows(ctx, X, node, node.attrs.k, (i, o) => {
    const { code, max } = windowMax(ctx, x, i, offsets);
    return `${code}\n${y}[${o}] = ${max};`;
  });
}

/** Each window's gradient goes to the pixel the forward pass picked; every other pixel gets 0. */
export function emitMaxpool2dBackward(ctx: EmitContext, node: NodeOf<"maxpool2d_backward">): string {
  const [X, G] = node.inputs as [Node, Node];
  const x = ctx.ref(X), gr = ctx.ref(G), dx = ctx.ref(node);
  const offsets = windowOffsets(node.attrs.k, X.shape[3] as number);
  const loops = windows(ctx, X, G, node.attrs.k, (i, o) => {
    const best = ctx.local("best");
    const { code } = windowMax(ctx, x, i, offsets, best);
    return `${code}\n${dx}[${best}] = ${gr}[${o}];`;
  });
  return `${dx}.fill(0, 0, ${sizeExpr(ctx, node.shape)});\n${loops}`;
}

export function emitAvgpool2d(ctx: EmitContext, node: NodeOf<"avgpool2d">): string {
  const X = node.inputs[0]!;
  const { k } = node.attrs;
  const x = ctx.ref(X), y = ctx.ref(node);
  const offsets = windowOffsets(k, X.shape[3] as number);
  return windows(ctx, X, node, k, (i, o) => `${y}[${o}] = (${offsets.map((off) => `${x}[${off === 0 ? i : `${i} + ${off}`}]`).join(" + ")}) / ${k * k};`);
}

/** Each window's pixels get an equal share of its gradient; pixels no window covers get 0. */
export function emitAvgpool2dBackward(ctx: EmitContext, node: NodeOf<"avgpool2d_backward">): string {
  const G = node.inputs[0]!;
  const { k, height, width } = node.attrs;
  const gr = ctx.ref(G), dx = ctx.ref(node);
  const offsets = windowOffsets(k, width);
  const share = ctx.local("share");
  const loops = windows(ctx, node, G, k, (i, o) =>
    [`const ${share} = ${gr}[${o}] / ${k * k};`, ...offsets.map((off) => `${dx}[${off === 0 ? i : `${i} + ${off}`}] = ${share};`)].join("\n"),
  );
  const covered = height % k === 0 && width % k === 0;
  return covered ? loops : `${dx}.fill(0, 0, ${sizeExpr(ctx, node.shape)});\n${loops}`;
}
