// Emits the statements of one generated function (predict, loss, or the training step): the
// scheduled nodes it needs, in order, each by its op's emitter, with a comment pointing back at
// the `.net` source whenever the source expression changes.
import type { Node } from "../ir/graph.js";
import { OPS } from "../ops/index.js";
import type { EmitContext } from "./context.js";
import { emitElementwise } from "./elementwise.js";
import { commentText, lit } from "./literals.js";
import type { NameManager } from "./names.js";

export interface BodyEnv {
  /** Buffer identifier of a planned tensor, parameter buffer, or argument name of an input. */
  storage(node: Node): string | undefined;
  source: string;
  rows: string;
}

export function emitBody(nodes: readonly Node[], env: BodyEnv, names: NameManager): { code: string; ref: (n: Node) => string } {
  const scalars = new Map<number, string>();
  const ref = (node: Node): string => {
    if (node.op === "const") return lit(node.attrs.value as number);
    if (node.op === "batch") return env.rows;
    const s = scalars.get(node.id) ?? env.storage(node);
    if (s === undefined) throw new Error(`internal: no storage for %${node.id} (${node.op})`);
    return s;
  };
  const ctx: EmitContext = { ref, local: (base) => names.claim(base), rows: env.rows };
  const out: string[] = [];
  let lastComment = "";
  for (const node of nodes) {
    if (node.shape.length === 0) scalars.set(node.id, names.claim(scalarName(node)));
    const comment = describe(node, env.source);
    if (comment && comment !== lastComment) out.push(`// ${comment}`);
    lastComment = comment || lastComment;
    const def = OPS[node.op]!;
    out.push(def.kind === "elementwise" ? emitElementwise(ctx, node) : def.emit!(ctx, node));
  }
  return { code: out.join("\n"), ref };
}

function scalarName(node: Node): string {
  return node.op === "sum" ? "total" : node.op.endsWith("_sum") ? "lossSum" : "s";
}

function describe(node: Node, source: string): string {
  if (!node.span) return "";
  const text = commentText(source.slice(node.span.start, node.span.end));
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return node.grad ? `grad of: ${short}` : short;
}
