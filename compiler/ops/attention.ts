// Multi-head self-attention's two products that are not ordinary matmuls: every head's scores
// q_t·k_s over its own columns, and every head's weighted sum of value rows. The projections
// around them are dense products and the softmax between them is the ordinary op, so these two
// are all attention adds. Each is the other's derivative (with the product transposed), so the
// backward pass needs no kernels of its own:
//
//   S = scale·scores(q, k)   →  dq = scale·mix(dS, k),      dk = scale·mixᵀ(dS, q)
//   O = mix(P, v)            →  dP = scores(dO, v),         dv = mixᵀ(P, dO)
//   O = mixᵀ(P, v)           →  dP = scores(v, dO),         dv = mix(P, dO)
//
// Heads are column blocks of q, k, v and O ([T, d] with head h at columns h·d/H…), so the heads'
// outputs come out concatenated, as PyTorch's nn.MultiheadAttention lays them out.
import { shapeToString, type Shape } from "../ir/graph.js";
import type { OpDef } from "./types.js";

/** [B,T,d] with d divisible by `heads`, or a reason. */
export function headsOf(s: Shape, heads: number, what: string): [number, number] | string {
  if (s.length !== 3 || s[0] !== "B" || s.lastIndexOf("B") !== 0) return `${what} needs sequences [T, d] per row, got ${shapeToString(s)}`;
  const [, T, d] = s as ["B", number, number];
  if (!(Number.isInteger(heads) && heads >= 1)) return `${what} needs a whole number of heads >= 1, got ${heads}`;
  if (d % heads !== 0) return `${heads} heads do not divide the width ${d} of ${shapeToString(s)}`;
  return [T, d];
}

export const attention_scores: OpDef<"attention_scores"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([q, k], { heads }) => {
    const dims = headsOf(q!, heads, "attention");
    if (typeof dims === "string") return dims;
    if (shapeToString(q!) !== shapeToString(k!)) return `attention needs queries and keys of one shape, got ${shapeToString(q!)} and ${shapeToString(k!)}`;
    return ["B", heads, dims[0], dims[0]];
  },
  vjp: (b, node, g) => {
    const [q, k] = node.inputs;
    const { heads, scale, future } = node.attrs;
    // Entries a causal mask fixed have no derivative: the mixes below skip them.
    const causal = future !== "keep";
    const scaled = (x: ReturnType<typeof b.node>) => (scale === 1 ? x : b.mul(x, b.const(scale)));
    return [
      scaled(b.node("attention_mix", [g, k!], { heads, transposed: false, causal })),
      scaled(b.node("attention_mix", [g, q!], { heads, transposed: true, causal })),
    ];
  },
};

export const attention_mix: OpDef<"attention_mix"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([p, v], { heads }) => {
    const dims = headsOf(v!, heads, "attention");
    if (typeof dims === "string") return dims;
    const T = dims[0];
    if (shapeToString(p!) !== shapeToString(["B", heads, T, T])) return `internal: attention_mix of ${shapeToString(p!)} and ${shapeToString(v!)} with ${heads} heads`;
    return v!;
  },
  vjp: (b, node, g) => {
    const [p, v] = node.inputs;
    const { heads, transposed, causal } = node.attrs;
    const future = causal ? "zero" : "keep";
    const dp = transposed
      ? b.node("attention_scores", [v!, g], { heads, scale: 1, future })
      : b.node("attention_scores", [g, v!], { heads, scale: 1, future });
    return [dp, b.node("attention_mix", [p!, g], { heads, transposed: !transposed, causal })];
  },
};
