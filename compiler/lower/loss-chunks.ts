// Can the loss of n rows be computed from the losses of chunks of those rows? It can when the
// loss is a mean over rows plus terms that do not depend on the rows (penalties): then the
// row-weighted mean of the chunk losses is the loss. A pure sum over rows (`reduce: sum`, no
// penalty) is the sum of the chunk losses. Anything else — a sum plus a penalty (each chunk
// would count the penalty again), a mean mixed with a sum, a function of a mean, statistics of
// the whole batch inside the network (batchnorm in training mode) — has no exact combination.
// Decided here, once, from how the loss graph uses its rows; the generated `loss` follows it
// for batches above the compiled maximum.
import type { Node } from "../ir/graph.js";
import { isBatched, type Graph } from "../ir/graph.js";
import type { LossChunking } from "../prelude/api.js";

export type Mode = "train" | "eval";

/**
 * How each value depends on the rows:
 * - `fixed`: not at all (parameters, constants, running statistics);
 * - `rows`: a batch of rows, each computed from its own row and fixed values only;
 * - `count`: the number of rows times a fixed value;
 * - `sum`: a sum over rows of per-row values (linear in the rows, nothing added);
 * - `mean`: such a sum divided by the number of rows, plus fixed values.
 * Or why the value is none of these.
 */
type Form = "fixed" | "rows" | "count" | "sum" | "mean" | { reason: string };

export function lossChunking(graph: Graph, mode: Mode): LossChunking {
  const forms = new Map<number, Form>();
  for (const node of graph.nodes) forms.set(node.id, formOf(node, node.inputs.map((i) => forms.get(i.id)!), mode));
  const form = forms.get(graph.outputs.get("loss")!.id)!;
  if (typeof form === "object") return { combine: null, reason: form.reason };
  if (form === "sum" || form === "count") return { combine: "sum", reason: null };
  // A loss that does not depend on the rows at all is its own row-weighted mean.
  if (form === "mean" || form === "fixed") return { combine: "mean", reason: null };
  throw new Error(`internal: the loss is a batch of rows`);
}

function formOf(node: Node, inputs: Form[], mode: Mode): Form {
  const failed = inputs.find((f) => typeof f === "object");
  if (failed) return failed;
  const at = line(node);
  const batched = isBatched(node.shape);
  if (batched && node.shape[0] !== "B") return { reason: `a value has the batch dimension inside${at}` };
  switch (node.op) {
    case "input":
      return "rows";
    case "param":
    case "state":
    case "const":
      return "fixed";
    case "batch":
      return "count";
    case "batchnorm":
      if (mode === "train") return { reason: `in training mode batchnorm normalizes with the statistics of the whole batch${at}` };
      return rowwise(inputs, at);
    case "dropout":
      // Masks are drawn element by element: chunks draw masks for their rows just as one call does.
      return rowwise(inputs, at);
    case "sum": {
      const [x] = inputs as [Form];
      if (x === "rows") return node.attrs.axes.includes(0) ? "sum" : "rows";
      return x === "count" ? "sum" : x;
    }
    case "bce_sum":
    case "sigmoid_bce_sum":
    case "ce_sum":
    case "softmax_ce_sum": {
      const r = rowwise(inputs, at);
      return r === "rows" ? "sum" : r;
    }
    case "matmul": {
      const [a, b] = inputs as [Form, Form];
      if (a === "fixed" && b === "fixed") return "fixed";
      if (a === "rows" && b === "fixed" && !node.attrs.ta) return "rows";
      return { reason: `a matrix product mixes rows${at}` };
    }
  }
  if (batched) return rowwise(inputs, at);
  if (inputs.every((f) => f === "fixed")) return "fixed";
  if (inputs.includes("rows")) return { reason: `it reduces over rows with '${node.op}'${at}` };
  return linear(node, inputs, at);
}

/** A batch computed row by row, or a value from fixed values only. */
function rowwise(inputs: Form[], at: string): Form {
  if (inputs.every((f) => f === "fixed")) return "fixed";
  if (inputs.every((f) => f === "fixed" || f === "rows")) return "rows";
  return { reason: `it combines rows with a value computed from the whole batch${at}` };
}

/** Arithmetic on values that are not batches: what keeps a sum a sum and a mean a mean. */
function linear(node: Node, inputs: Form[], at: string): Form {
  const [a, b] = inputs as [Form, Form];
  switch (node.op) {
    case "neg":
    case "broadcast":
      return a;
    case "add":
    case "sub":
      if (a === "fixed") return b === "count" || b === "sum" ? penalty(at) : b;
      if (b === "fixed") return a === "count" || a === "sum" ? penalty(at) : a;
      if (a === "mean" && b === "mean") return "mean";
      if (a !== "mean" && b !== "mean") return "sum";
      return { reason: `it adds a mean over rows to a sum over rows${at}` };
    case "mul":
      if (a === "fixed") return b;
      if (b === "fixed") return a;
      return { reason: `it multiplies two values computed from all rows${at}` };
    case "div":
      if (b === "fixed") return a;
      if (b === "count" && (a === "sum" || a === "count")) return a === "count" ? "fixed" : "mean";
      return { reason: `it divides by a value computed from all rows${at}` };
  }
  return { reason: `it applies '${node.op}' to a value computed from all rows${at}` };
}

function penalty(at: string): Form {
  return { reason: `it adds a term that does not depend on the rows to a sum over rows (reduce: sum), so every chunk would count that term again${at}` };
}

/** Where a value comes from, for a reason: the line of the model statement. */
function line(node: Node): string {
  const span = node.site ?? node.span;
  return span ? ` (line ${span.line})` : "";
}
