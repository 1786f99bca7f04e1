// Recurrent layers as one kernel each way. The input products x·W_ih + b_ih of every step are
// one ordinary matmul before the op (the op takes them as `xw`); the op runs the recurrence,
// h_t = cell(xw_t, h_{t-1}·W_hh + b_hh), with PyTorch's equations and gate order:
//
//   rnn:  h = tanh(xw + hh)
//   lstm: i, f, g, o = σ, σ, tanh, σ of (xw + hh) in gate order; c = f⊙c₋₁ + i⊙g; h = o⊙tanh(c)
//   gru:  r, z = σ of (xw + hh) for their gates; n = tanh(xw_n + r⊙hh_n); h = (1−z)⊙n + z⊙h₋₁
//
// Its output is a tape: per step (a row [B,T,·]) the blocks below, n wide each. The layer's
// value is the tape's first block, h; the derivative reads the rest. The backward kernel runs
// through time in reverse and leaves per-step gradients of the gate pre-activations, from
// which W_hh's and b_hh's gradients are one matmul and one sum of the IR (so they get the
// tuned product), and xw's gradient is a slice.
import { shapeToString, type Shape } from "../ir/graph.js";
import type { RecurrentCell } from "../ir/vocabulary.js";
import type { OpDef } from "./types.js";

/** Blocks of the tape: h first, h₋₁ second (the matmul for W_hh's gradient reads it). */
export const TAPE: Record<RecurrentCell, readonly string[]> = {
  rnn: ["h", "h_prev"],
  lstm: ["h", "h_prev", "c", "i", "f", "g", "o"],
  gru: ["h", "h_prev", "r", "z", "hh_n", "n"],
};

/** Where the tape holds h₋₁·W_hh + b_hh while a step computes it: G blocks in a row, gate order. */
export const HIDDEN_PRODUCTS_AT: Record<RecurrentCell, number> = { rnn: 0, lstm: 3, gru: 2 };

/** Blocks of the backward kernel's output: the gradient of xw (and of hh, for a GRU) first, then what it carries back through time. */
export const BACKWARD: Record<RecurrentCell, readonly string[]> = {
  rnn: ["d_pre"],
  lstm: ["d_i", "d_f", "d_g", "d_o", "d_c"],
  gru: ["dx_r", "dx_z", "dx_n", "dh_r", "dh_z", "dh_n", "d_h"],
};

/** Where a backward row keeps the gradient reaching h_t (from the next step's hidden products
 *  and its cotangent) until the gate gradients are computed from it: d_c, d_h, or d_pre itself. */
export const STASH: Record<RecurrentCell, number> = { rnn: 0, lstm: 4, gru: 6 };

/** Where a backward row starts the gradients of its hidden products (G blocks, gate order): those times W_hhᵀ reach h₋₁. */
export const HIDDEN_GRADS_AT: Record<RecurrentCell, number> = { rnn: 0, lstm: 0, gru: 3 };

/** Gates per cell: the G of W_ih[in, G·n]. */
export const GATES: Record<RecurrentCell, number> = { rnn: 1, lstm: 4, gru: 3 };

/** [B,T,n] sequences with static T and n, or a reason. */
function sequenceDims(s: Shape, what: string): [number, number] | string {
  if (s.length !== 3 || s[0] !== "B" || s.lastIndexOf("B") !== 0) return `${what} needs sequences [T, n] per row, got ${shapeToString(s)}`;
  return [s[1] as number, s[2] as number];
}

/** The hidden width n from W_hh [n, G·n], checked against xw and b_hh. */
function hiddenWidth(xw: Shape, w: Shape, b: Shape, cell: RecurrentCell): number | string {
  const G = GATES[cell];
  const dims = sequenceDims(xw, cell);
  if (typeof dims === "string") return dims;
  const n = w[0];
  if (w.length !== 2 || typeof n !== "number" || w[1] !== G * n) return `${cell} needs W_hh [n, ${G}n], got ${shapeToString(w)}`;
  if (dims[1] !== G * n || shapeToString(b) !== shapeToString([G * n])) {
    return `internal: ${cell} of ${shapeToString(xw)} with W_hh ${shapeToString(w)} and b_hh ${shapeToString(b)}`;
  }
  return n;
}

export const recurrent: OpDef<"recurrent"> = {
  kind: "kernel",
  arity: 3,
  inferShape: ([xw, w, b], { cell }) => {
    const n = hiddenWidth(xw!, w!, b!, cell);
    return typeof n === "string" ? n : ["B", xw![1]!, TAPE[cell].length * n];
  },
  vjp: (b, tape, g) => {
    const [, W, ] = tape.inputs;
    const { cell } = tape.attrs;
    const n = W!.shape[0] as number, Gn = GATES[cell] * n;
    const grads = b.node("recurrent_backward", [tape, W!, g], { cell });
    const columns = (start: number) => (start === 0 && BACKWARD[cell].length * n === Gn ? grads : b.node("slice", [grads], { start, len: Gn }));
    const dxw = columns(0);
    // Only a GRU's hidden products get other gradients than its input products: r multiplies hh_n.
    const dhh = cell === "gru" ? columns(Gn) : dxw;
    const hPrev = b.node("slice", [tape], { start: n, len: n });
    return [dxw, b.matmul(hPrev, dhh, true, false), b.sum(dhh, [0, 1], false)];
  },
};

export const recurrent_backward: OpDef<"recurrent_backward"> = {
  kind: "kernel",
  arity: 3,
  inferShape: ([tape, w, g], { cell }) => {
    const n = w![0];
    const dims = sequenceDims(tape!, cell);
    if (typeof n !== "number" || typeof dims === "string" || dims[1] !== TAPE[cell].length * n || shapeToString(tape!) !== shapeToString(g!)) {
      return `internal: recurrent_backward of ${shapeToString(tape!)} with W_hh ${shapeToString(w!)} and ${shapeToString(g!)}`;
    }
    return ["B", dims[0], BACKWARD[cell].length * n];
  },
};
