// 2-d convolution over images [N,C,H,W] with square kernels, as PyTorch's conv2d computes it
// (cross-correlation, zero padding, weights [F,C,k,k]). The derivative for each operand is a
// kernel of its own over the same (output position, tap) pairs; the bias is not part of the op
// (lowering adds it as an ordinary broadcast add, so autodiff sums its gradient).
import { shapeToString, type Dim, type Shape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

/** Output extent of a window `k` sliding with `stride` over `size` plus `padding` on both sides. */
export function convOutputSize(size: number, k: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/** [N,C,H,W] with static C, H, W (N may be the batch), or a reason it is not. */
export function imageDims(s: Shape, what: string): [Dim, number, number, number] | string {
  if (s.length !== 4 || s.slice(1).some((d) => d === "B")) return `${what} needs images [C,H,W] per row, got ${shapeToString(s)}`;
  return s as [Dim, number, number, number];
}

export function convShape(x: Shape, w: Shape, stride: number, padding: number): Shape | string {
  const dims = imageDims(x, "conv2d");
  if (typeof dims === "string") return dims;
  const [n, c, h, wd] = dims;
  if (w.length !== 4 || w[2] !== w[3] || w.includes("B")) return `conv2d needs weights [F,C,k,k], got ${shapeToString(w)}`;
  const [f, wc, k] = w as number[];
  if (wc !== c) return `conv2d weights ${shapeToString(w)} take ${wc} channel${wc === 1 ? "" : "s"}, but the input ${shapeToString(x)} has ${c}`;
  if (!(Number.isInteger(stride) && stride >= 1 && Number.isInteger(padding) && padding >= 0)) return `conv2d needs stride >= 1 and padding >= 0, whole numbers`;
  if (k! > h + 2 * padding || k! > wd + 2 * padding) {
    return `conv2d kernel ${k} is larger than the padded input ${h + 2 * padding}x${wd + 2 * padding} (${h}x${wd} with padding ${padding})`;
  }
  return [n, f!, convOutputSize(h, k!, stride, padding), convOutputSize(wd, k!, stride, padding)];
}

export const conv2d: OpDef<"conv2d"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([x, w], { stride, padding }) => convShape(x!, w!, stride, padding),
  vjp: (b, node, g) => {
    const [x, w] = node.inputs;
    const { stride, padding } = node.attrs;
    const [, , height, width] = x!.shape as number[];
    return [
      b.node("conv2d_backward_input", [g, w!], { stride, padding, height: height!, width: width! }),
      b.node("conv2d_backward_weight", [x!, g], { stride, padding, kernel: w!.shape[2] as number }),
    ];
  },
};

// The derivatives are linear maps of their inputs with no use for rules of their own: nothing
// differentiates a backward pass.
export const conv2d_backward_input: OpDef<"conv2d_backward_input"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([g, w], { stride, padding, height, width }) => {
    const [n, f] = g!;
    const [wf, c, k] = w!;
    const expected = convShape([n!, c!, height, width], w!, stride, padding);
    if (typeof expected === "string" || wf !== f || shapeToString(expected) !== shapeToString(g!)) {
      return `internal: conv2d_backward_input of ${shapeToString(g!)} with weights ${shapeToString(w!)} (kernel ${k})`;
    }
    return [n!, c!, height, width];
  },
};

export const conv2d_backward_weight: OpDef<"conv2d_backward_weight"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([x, g], { stride, padding, kernel }) => {
    const c = x![1], f = g![1];
    if (typeof c !== "number" || typeof f !== "number") return `internal: conv2d_backward_weight of ${shapeToString(x!)} and ${shapeToString(g!)}`;
    const expected = convShape(x!, [f, c, kernel, kernel], stride, padding);
    if (typeof expected === "string" || shapeToString(expected) !== shapeToString(g!)) {
      return `internal: conv2d_backward_weight of ${shapeToString(x!)} and ${shapeToString(g!)}`;
    }
    return [f, c, kernel, kernel];
  },
};
