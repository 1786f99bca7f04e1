// Softmax and log-softmax along the last axis, computed stably (shifted by the row maximum).
import { shapeToString, type Shape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

const vectorRule = (name: string) => ([a]: readonly Shape[]) => (a!.length === 0 ? `${name} needs a vector, got ${shapeToString(a!)}` : a!);

export const softmax: OpDef<"softmax"> = {
  kind: "kernel",
  arity: 1,
  inferShape: vectorRule("softmax"),
  // dz = p ⊙ (g − Σ g⊙p) along the last axis.
  vjp: (b, p, g) => [b.mul(p, b.sub(g, b.sum(b.mul(g, p), [p.shape.length - 1], true)))],
};

/** z − max − log Σ e^{z − max}. */
export const log_softmax: OpDef<"log_softmax"> = {
  kind: "kernel",
  arity: 1,
  inferShape: vectorRule("log_softmax"),
  // dz = g − softmax(z)·Σ g along the last axis, with softmax(z) = e^y from the output y.
  vjp: (b, y, g) => [b.sub(g, b.mul(b.unary("exp", y), b.sum(g, [y.shape.length - 1], true)))],
};
