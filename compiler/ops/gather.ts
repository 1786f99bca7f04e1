// Embedding lookup: row ids[i] of a table for every id, as PyTorch's nn.Embedding computes it.
// The ids come from an index input, checked to be whole numbers in [0, V) when they enter the
// module, so the kernels index the table without checks. The table's derivative adds each
// position's cotangent into the row it read (rows read twice get both); ids get none.
import { shapeToString } from "../ir/graph.js";
import type { OpDef } from "./types.js";

export const gather: OpDef<"gather"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([table, ids]) => {
    if (table!.length !== 2 || table!.includes("B")) return `gather needs a table [V,d], got ${shapeToString(table!)}`;
    return [...ids!, table![1]!];
  },
  vjp: (b, node, g) => {
    const [table, ids] = node.inputs;
    return [b.node("scatter_add", [ids!, g], { rows: table!.shape[0] as number }), null];
  },
};

export const scatter_add: OpDef<"scatter_add"> = {
  kind: "kernel",
  arity: 2,
  inferShape: ([ids, g], { rows }) => {
    const d = g![g!.length - 1];
    if (g!.length !== ids!.length + 1 || shapeToString(g!.slice(0, -1)) !== shapeToString(ids!) || d === "B" || d === undefined) {
      return `internal: scatter_add of ${shapeToString(g!)} by ids ${shapeToString(ids!)}`;
    }
    return [rows, d];
  },
};
