// One generated function over one graph: the kernels that compute the requested outputs, with
// the planned arrays bound to local names taken from the `.net` file (`const h1 = buf0;`), so
// the body reads like the network and the JIT sees plain locals.
import type { Graph, Node } from "../ir/graph.js";
import { liveNodes } from "../passes/rewrite.js";
import { needsBuffer, type Plan } from "../plan.js";
import { emitBody } from "./body.js";
import type { NameManager } from "./names.js";

export interface FunctionEnv {
  graph: Graph;
  plan: Plan;
  /** Identifiers of the shared work arrays, by slot index. */
  arrays: string[];
  source: string;
  rows: string;
  /** Closure-level names; each function claims its locals from a child of this. */
  names: NameManager;
  /** Storage of a leaf: the input arguments, parameter and state arrays. */
  leaf(node: Node): string | undefined;
}

export function emitFunctionBody(env: FunctionEnv, roots: string[]): { code: string; ref: (n: Node) => string } {
  const outputs = new Map(roots.map((r) => [r, env.graph.outputs.get(r)!]));
  const live = liveNodes({ ...env.graph, outputs });
  const kernels = env.plan.kernels.filter((k) => live.has(k.root.id));
  const names = env.names.child();
  const aliases = new Map<number, string>();
  const lines: string[] = [];
  for (const k of kernels) {
    if (!needsBuffer(k.root)) continue;
    const alias = names.claim(env.graph.labels.get(k.root.id) ?? k.root.op);
    aliases.set(k.root.id, alias);
    lines.push(`${alias} = ${env.arrays[env.plan.slotOf.get(k.root.id)!.index]}`);
  }
  const body = emitBody(kernels, { storage: (n) => env.leaf(n) ?? aliases.get(n.id), source: env.source, rows: env.rows }, names);
  const head = lines.length > 0 ? `const ${lines.join(",\n")};\n` : "";
  return { code: head + body.code, ref: body.ref };
}
