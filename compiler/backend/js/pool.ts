// Max and average pooling over non-overlapping k×k windows (stride k), and their derivatives,
// as loops over every window of every (row, channel) plane. A window's pixels are unrolled up to
// 11×11; a larger window (global pooling of a big image) loops over them.
import type { Node, NodeOf } from "../../ir/graph.js";
import { TAP_UNROLL } from "./conv.js";
import { linear, sizeExpr, type EmitContext } from "./context.js";

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

/** `visit(index)` for each pixel of the window starting at `i` in an image `width` wide, row by row. */
function eachPixel(ctx: EmitContext, k: number, width: number, i: string, visit: (at: string) => string, skipFirst = false): string {
  if (k * k <= TAP_UNROLL) {
    const offsets = Array.from({ length: k * k }, (_, t) => Math.floor(t / k) * width + (t % k));
    return offsets.slice(skipFirst ? 1 : 0).map((off) => visit(off === 0 ? i : `${i} + ${off}`)).join("\n");
  }
  const a = ctx.local("a"), b = ctx.local("b");
  return `for (let ${a} = 0; ${a} < ${k}; ${a}++) {\nfor (let ${b} = 0; ${b} < ${k}; ${b}++) {\n${visit(`${i} + ${a} * ${width} + ${b}`)}\n}\n}`;
}

/**
 * Statements leaving the window's largest value in a local (and, with `best`, its index): the
 * first maximum wins, and a NaN wins over any number, as in PyTorch's max pooling.
 */
function windowMax(ctx: EmitContext, x: string, k: number, width: number, i: string, best?: string): { code: string; max: string } {
  const m = ctx.local("m");
  const pixels = eachPixel(ctx, k, width, i, (at) => {
    const v = ctx.local("v");
    return `const ${v} = ${x}[${at}];\nif (${v} > ${m} || ${v} !== ${v}) {\n${m} = ${v};${best ? `\n${best} = ${at};` : ""}\n}`;
  }, true);
  return { code: [`let ${m} = ${x}[${i}];`, best ? `let ${best} = ${i};` : "", pixels].filter(Boolean).join("\n"), max: m };
}

export function emitMaxpool2d(ctx: EmitContext, node: NodeOf<"maxpool2d">): string {
  const X = node.inputs[0]!;
  const x = ctx.ref(X), y = ctx.ref(node);
  const { k } = node.attrs;
  return windows(ctx, X, node, k, (i, o) => {
    const { code, max } = windowMax(ctx, x, k, X.shape[3] as number, i);
    return `${code}\n${y}[${o}] = ${max};`;
  });
}

/** Each window's gradient goes to the pixel the forward pass picked; every other pixel gets 0. */
export function emitMaxpool2dBackward(ctx: EmitContext, node: NodeOf<"maxpool2d_backward">): string {
  const [X, G] = node.inputs as [Node, Node];
  const x = ctx.ref(X), gr = ctx.ref(G), dx = ctx.ref(node);
  const { k } = node.attrs;
  const loops = windows(ctx, X, G, k, (i, o) => {
    const best = ctx.local("best");
    const { code } = windowMax(ctx, x, k, X.shape[3] as number, i, best);
    return `${code}\n${dx}[${best}] = ${gr}[${o}];`;
  });
  return `${dx}.fill(0, 0, ${sizeExpr(ctx, node.shape)});\n${loops}`;
}

export function emitAvgpool2d(ctx: EmitContext, node: NodeOf<"avgpool2d">): string {
  const X = node.inputs[0]!;
  const { k } = node.attrs;
  const x = ctx.ref(X), y = ctx.ref(node);
  return windows(ctx, X, node, k, (i, o) => {
    const sum = ctx.local("sum");
    return `let ${sum} = 0;\n${eachPixel(ctx, k, X.shape[3] as number, i, (at) => `${sum} += ${x}[${at}];`)}\n${y}[${o}] = ${sum} / ${k * k};`;
  });
}

/** Each window's pixels get an equal share of its gradient; pixels no window covers get 0. */
export function emitAvgpool2dBackward(ctx: EmitContext, node: NodeOf<"avgpool2d_backward">): string {
  const G = node.inputs[0]!;
  const { k, height, width } = node.attrs;
  const gr = ctx.ref(G), dx = ctx.ref(node);
  const loops = windows(ctx, node, G, k, (i, o) => {
    const share = ctx.local("share");
    return `const ${share} = ${gr}[${o}] / ${k * k};\n${eachPixel(ctx, k, width, i, (at) => `${dx}[${at}] = ${share};`)}`;
  });
  const covered = height % k === 0 && width % k === 0;
  return covered ? loops : `${dx}.fill(0, 0, ${sizeExpr(ctx, node.shape)});\n${loops}`;
}
