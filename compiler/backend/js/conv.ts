// Convolution as straight loops over the preallocated buffers, specialized to the shapes. The
// taps of a kernel up to 11×11 are unrolled: each output position reads them at constant
// offsets from one base index, with the weights in locals. Positions whose window lies inside
// the image (the interior) run without checks; only the border positions that padding creates
// check their taps, and small images or borders are straight-line code with exactly each
// position's valid taps. The forward pass and both derivatives visit the same (position, tap)
// pairs through `visitTaps`.
import type { Dim, Node, NodeOf } from "../../ir/graph.js";
import { dimExpr, linear, sizeExpr, type EmitContext } from "./context.js";

interface Geometry {
  H: number;
  W: number;
  OH: number;
  OW: number;
  k: number;
  stride: number;
  padding: number;
}

/** A tap t = ki·k + kj: a number when taps are unrolled, else the expression of a loop's tap. */
export type Tap = number | string;

/** What to emit at each output position (offset `o` in its plane) and for each of its taps. */
interface TapVisit {
  before(o: string): string;
  /** `i` is the tap's input offset in its plane. */
  tap(t: Tap, i: string, o: string): string;
  after(o: string): string;
}

/** Largest kernel (in taps) whose taps are unrolled; larger ones loop over their taps. */
export const TAP_UNROLL = 121;
/** Up to this many taps a whole output plane is straight-line code: small images need no loops. */
const PLANE_UNROLL = 256;
/** Up to this many taps the border positions are straight-line code, each with exactly its valid taps. */
const BORDER_UNROLL = 1024;

function visitTaps(ctx: EmitContext, g: Geometry, visit: TapVisit): string {
  const { H, W, OH, OW, k, stride: s, padding: p } = g;
  const unrolled = k * k <= TAP_UNROLL;
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
  if (unrolled && OH * OW * k * k <= PLANE_UNROLL) return positions.map(position).join("\n");

  const oh = ctx.local("oh"), ow = ctx.local("ow"), o = ctx.local("o"), i = ctx.local("i");
  const ih = ctx.local("ih"), iw = ctx.local("iw");
  const offset = (t: number) => Math.floor(t / k) * W + (t % k);
  const at = (t: number) => (offset(t) === 0 ? i : `${i} + ${offset(t)}`);
  // Every tap of a position: unrolled, or two loops; `checked` skips taps outside the image.
  const allTaps = (checked: boolean): string => {
    if (unrolled && !checked) return lines(...taps.map((t) => visit.tap(t, at(t), o)));
    if (unrolled) {
      return Array.from({ length: k }, (_, ki) => {
        const cols = Array.from({ length: k }, (_, kj) => `if (${iw} >= ${-kj} && ${iw} < ${W - kj}) {\n${visit.tap(ki * k + kj, at(ki * k + kj), o)}\n}`);
        return `if (${ih} >= ${-ki} && ${ih} < ${H - ki}) {\n${cols.join("\n")}\n}`;
      }).join("\n");
    }
    const ki = ctx.local("ki"), kj = ctx.local("kj");
    return `for (let ${ki} = 0; ${ki} < ${k}; ${ki}++) {
${checked ? `if (${ih} + ${ki} < 0 || ${ih} + ${ki} >= ${H}) continue;` : ""}
for (let ${kj} = 0; ${kj} < ${k}; ${kj}++) {
${checked ? `if (${iw} + ${kj} < 0 || ${iw} + ${kj} >= ${W}) continue;` : ""}
${visit.tap(`${ki} * ${k} + ${kj}`, `${i} + ${ki} * ${W} + ${kj}`, o)}
}
}`;
  };
  const code: string[] = [];
  const interior = ohB > ohA && owB > owA;
  if (interior) {
    code.push(`for (let ${oh} = ${ohA}; ${oh} < ${ohB}; ${oh}++) {
for (let ${ow} = ${owA}; ${ow} < ${owB}; ${ow}++) {
${lines(
  `const ${o} = ${linear([[oh, OW], [ow, 1]])};`,
  `const ${i} = ${linear([[oh, s * W], [ow, s]], -(p * W + p))};`,
  visit.before(o),
  allTaps(false),
  visit.after(o),
)}
}
}`);
  }
  const border = positions.filter(([r, c]) => !inInterior(r, c));
  if (border.length === 0) return code.join("\n");
  if (unrolled && border.length * k * k <= BORDER_UNROLL) return [...code, ...border.map(position)].join("\n");
  // Large images: the border positions in loops that check each tap.
  const rowInside = ctx.local("inside");
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
  allTaps(true),
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

/**
 * One kernel slice's weights: in locals (`const w0 = w[wo], …`) when the taps are unrolled,
 * else read where they are.
 */
function sliceWeights(ctx: EmitContext, w: string, base: string, k: number): { load: string; at: (t: Tap) => string } {
  if (k * k > TAP_UNROLL) return { load: "", at: (t) => `${w}[${base} + ${t}]` };
  const names = Array.from({ length: k * k }, (_, t) => ctx.local(`w${t}`));
  const load = `const ${names.map((n, t) => `${n} = ${w}[${t === 0 ? base : `${base} + ${t}`}]`).join(", ")};`;
  return { load, at: (t) => names[t as number]! };
}

interface ConvLoops {
  N: Dim;
  C: number;
  F: number;
  k: number;
  g: Geometry;
  /** Offsets of the current image plane (x or dx), output plane (y or g) and kernel slice. */
  xo: string;
  yo: string;
  wo: string;
}

/** The loop nest of the forward pass and the input derivative: rows, then `outer`, then `inner` channels or filters. */
function planeLoops(ctx: EmitContext, l: ConvLoops, order: "filters-first" | "channels-first", body: string): string {
  const n = ctx.local("n"), f = ctx.local("f"), c = ctx.local("c");
  const [outer, outerN, inner, innerN] = order === "filters-first" ? [f, l.F, c, l.C] : [c, l.C, f, l.F];
  return `for (let ${n} = 0; ${n} < ${dimExpr(ctx, l.N)}; ${n}++) {
for (let ${outer} = 0; ${outer} < ${outerN}; ${outer}++) {
for (let ${inner} = 0; ${inner} < ${innerN}; ${inner}++) {
const ${l.xo} = (${n} * ${l.C} + ${c}) * ${l.g.H * l.g.W};
const ${l.yo} = (${n} * ${l.F} + ${f}) * ${l.g.OH * l.g.OW};
const ${l.wo} = (${f} * ${l.C} + ${c}) * ${l.k * l.k};
${body}
}
}
}`;
}

export function emitConv2d(ctx: EmitContext, node: NodeOf<"conv2d">): string {
  const [X, Wt] = node.inputs as [Node, Node];
  const [F, C, k] = Wt.shape as number[];
  const l: ConvLoops = { N: X.shape[0]!, C: C!, F: F!, k: k!, g: geometry(X, node, k!, node.attrs.stride, node.attrs.padding), xo: ctx.local("xo"), yo: ctx.local("yo"), wo: ctx.local("wo") };
  const x = ctx.ref(X), y = ctx.ref(node), acc = ctx.local("acc");
  const w = sliceWeights(ctx, ctx.ref(Wt), l.wo, l.k);
  const taps = visitTaps(ctx, l.g, {
    before: () => `let ${acc} = 0;`,
    tap: (t, i) => `${acc} += ${w.at(t)} * ${x}[${l.xo} + ${i}];`,
    after: (o) => `${y}[${l.yo} + ${o}] += ${acc};`,
  });
  return `${y}.fill(0, 0, ${sizeExpr(ctx, node.shape)});\n${planeLoops(ctx, l, "filters-first", [w.load, taps].filter(Boolean).join("\n"))}`;
}

/**
 * Whether a convolution's output gradient is mostly zeros: max pooling after it passes one
 * pixel of each window (a quarter of a 2×2 pooling's), so the derivative kernels skip the
 * positions whose gradient is zero. Adding w·0 changes no finite sum; only a non-finite weight
 * or pixel, whose product with 0 would be NaN, is no longer spread over the other gradients.
 */
function pooledGradient(g: Node, depth = 3): boolean {
  if (g.op === "maxpool2d_backward") return true;
  return depth > 0 && g.inputs.some((input) => pooledGradient(input, depth - 1));
}

/** dx = Σ over filters and taps of w·g, scattered back to the pixels each tap read. */
export function emitConv2dBackwardInput(ctx: EmitContext, node: NodeOf<"conv2d_backward_input">): string {
  const [G, Wt] = node.inputs as [Node, Node];
  const [F, C, k] = Wt.shape as number[];
  const l: ConvLoops = { N: node.shape[0]!, C: C!, F: F!, k: k!, g: geometry(node, G, k!, node.attrs.stride, node.attrs.padding), xo: ctx.local("xo"), yo: ctx.local("go"), wo: ctx.local("wo") };
  const gr = ctx.ref(G), dx = ctx.ref(node), gv = ctx.local("gv");
  const w = sliceWeights(ctx, ctx.ref(Wt), l.wo, l.k);
  const sparse = pooledGradient(G);
  const taps = visitTaps(ctx, l.g, {
    before: (o) => `const ${gv} = ${gr}[${l.yo} + ${o}];${sparse ? `\nif (${gv} !== 0) {` : ""}`,
    tap: (t, i) => `${dx}[${l.xo} + ${i}] += ${w.at(t)} * ${gv};`,
    after: () => (sparse ? "}" : ""),
  });
  return `${dx}.fill(0, 0, ${sizeExpr(ctx, node.shape)});\n${planeLoops(ctx, l, "channels-first", [w.load, taps].filter(Boolean).join("\n"))}`;
}

/** dw[f,c,tap] = Σ over rows and positions of g·x: each tap's sum in a local when taps are unrolled. */
export function emitConv2dBackwardWeight(ctx: EmitContext, node: NodeOf<"conv2d_backward_weight">): string {
  const [X, G] = node.inputs as [Node, Node];
  const [F, C, k] = node.shape as number[];
  const g = geometry(X, G, k!, node.attrs.stride, node.attrs.padding);
  const x = ctx.ref(X), gr = ctx.ref(G), dw = ctx.ref(node);
  const n = ctx.local("n"), f = ctx.local("f"), c = ctx.local("c"), xo = ctx.local("xo"), go = ctx.local("go"), wo = ctx.local("wo"), gv = ctx.local("gv");
  const taps = k! * k!;
  const sums = taps <= TAP_UNROLL ? Array.from({ length: taps }, (_, t) => ctx.local(`s${t}`)) : null;
  const sparse = pooledGradient(G);
  const body = visitTaps(ctx, g, {
    before: (o) => `const ${gv} = ${gr}[${go} + ${o}];${sparse ? `\nif (${gv} !== 0) {` : ""}`,
    tap: (t, i) => `${sums ? sums[t as number] : `${dw}[${wo} + ${t}]`} += ${gv} * ${x}[${xo} + ${i}];`,
    after: () => (sparse ? "}" : ""),
  });
  const start = sums ? `let ${sums.join(" = 0, ")} = 0;` : `${dw}.fill(0, ${wo}, ${wo} + ${taps});`;
  const store = sums ? sums.map((s, t) => `${dw}[${t === 0 ? wo : `${wo} + ${t}`}] = ${s};`).join("\n") : "";
  return `for (let ${f} = 0; ${f} < ${F}; ${f}++) {
for (let ${c} = 0; ${c} < ${C}; ${c}++) {
const ${wo} = (${f} * ${C} + ${c}) * ${taps};
${start}
for (let ${n} = 0; ${n} < ${dimExpr(ctx, X.shape[0]!)}; ${n}++) {
const ${xo} = (${n} * ${C} + ${c}) * ${g.H * g.W};
const ${go} = (${n} * ${F} + ${f}) * ${g.OH * g.OW};
${body}
}
${store}
}
}`;
}
