// Pooling over non-overlapping k×k windows (stride k) of images [N,C,H,W], as PyTorch's
// max_pool2d(x, k) and avg_pool2d(x, k): rows and columns that do not fill a window are left out.
// Max pooling sends each window's gradient to its first maximum (in row-major order), as
// PyTorch does.
import { shapeToString, type Shape } from "../ir/graph.js";
import { imageDims } from "./conv.js";
import type { OpDef } from "./types.js";

export function poolShape(x: Shape, k: number, what: string): Shape | string {
  const dims = imageDims(x, what);
  if (typeof dims === "string") return dims;
  const [n, c, h, w] = dims;
  if (!(Number.isInteger(k) && k >= 1)) return `${what} needs a whole window size >= 1, got ${k}`;
  if (k > h || k > w) return `${what} window ${k} is larger than the input ${h}x${w}`;
  return [n, c, Math.floor(h / k), Math.floor(w / k)];
}

const sameAs = (a: Shape | string, b: Shape) => typeof a !== "string" && shapeToString(a) === shapeToString(b);

export const maxpool2d: OpDef<"maxpool2d"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([x], { k }) => poolShape(x!, k, "maxpool2d"),
  vjp: (b, node, g) => [b.node("maxpool2d_backward", [node.inputs[0]!, g], { k: node.attrs.k })],
};

export const maxpool2d_backward: OpDef<"maxpool2d_backward"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([x, g], { k }) => (sameAs(poolShape(x!, k, "maxpool2d"), g!) ? x! : `internal: maxpool2d_backward of ${shapeToString(x!)} and ${shapeToString(g!)}`),
};

export const avgpool2d: OpDef<"avgpool2d"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([x], { k }) => poolShape(x!, k, "avgpool2d"),
  vjp: (b, node, g) => {
    const [, , height, width] = node.inputs[0]!.shape as number[];
    return [b.node("avgpool2d_backward", [g], { k: node.attrs.k, height: height!, width: width! })];
  },
};

export const avgpool2d_backward: OpDef<"avgpool2d_backward"> = {
  kind: "kernel",
  arity: 1,
  inferShape: ([g], { k, height, width }) => {
    const x: Shape = [g![0]!, g![1]!, height, width];
    return sameAs(poolShape(x, k, "avgpool2d"), g!) ? x : `internal: avgpool2d_backward of ${shapeToString(g!)} to ${height}x${width}`;
  },
};
