// The generated functions over one graph (predict and evalLoss over the evaluation graph;
// trainLoss and forwardBackward over the training graph): the kernels that compute each
// function's outputs, with planned arrays bound to local names from the `.net` file
// (`const h1 = buf0;`), so a body reads like the network and the JIT sees plain locals.
//
// Large models are emitted differently. V8 does not optimize a function whose bytecode exceeds
// a fixed size (60 KB), and a deep network's training step is larger than that; also, predict
// and evalLoss would each repeat the whole forward pass. So when the code is large, kernels are
// grouped into closure-level part functions of bounded size, each emitted once and called by
// every function that needs it; scalars that cross parts live in closure `let`s.
import type { Graph, Node } from "../ir/graph.js";
import { liveNodes } from "../passes/rewrite.js";
import { needsBuffer, type Plan } from "../plan.js";
import { emitBody, type BodyEnv, type EmittedKernel } from "./body.js";
import type { Kernel } from "../schedule.js";
import type { NameManager } from "./names.js";

/** Largest function body, in characters of emitted source, kept in one piece. */
const PART_LIMIT = 30_000;

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
  /** The statement that runs a kernel in another backend (a wasm export), if it does. */
  call?(kernel: Kernel): string | undefined;
  products?: BodyEnv["products"];
}

export interface FunctionSpec {
  name: string;
  /** Graph outputs the function computes. */
  roots: string[];
  /** Parameter list (`x: Float64Array, n: number`) and the matching call arguments. */
  signature: string;
  args: string;
}

export interface EmittedFunction {
  /** Statements of the function body. */
  code: string;
  ref: (n: Node) => string;
}

export function emitGraphFunctions(env: FunctionEnv, specs: FunctionSpec[]): { functions: EmittedFunction[]; hoisted: string[] } {
  const kernelSets = specs.map((spec) => {
    const live = liveNodes({ ...env.graph, outputs: new Map(spec.roots.map((r) => [r, env.graph.outputs.get(r)!])) });
    return env.plan.kernels.filter((k) => live.has(k.root.id));
  });
  const storageFor = (aliases: Map<number, string>) => (n: Node) => env.leaf(n) ?? aliases.get(n.id);

  // Small models: each function is self-contained.
  const inline = kernelSets.map((kernels) => {
    const names = env.names.child();
    const aliases = claimAliases(env, kernels, names);
    const body = emitBody(kernels, { storage: storageFor(aliases), source: env.source, rows: env.rows, call: env.call, products: env.products }, names);
    return { kernels: body.kernels, ref: body.ref, aliases };
  });
  const total = inline.reduce((n, f) => n + f.kernels.reduce((m, k) => m + k.code.length, 0), 0);
  if (total <= PART_LIMIT) {
    const functions = inline.map((f, i) => ({ code: aliasLine(env, kernelSets[i]!, f.aliases) + f.kernels.map((k) => k.code).join("\n"), ref: f.ref }));
    return { functions, hoisted: [] };
  }

  // Large models: every kernel emitted once, grouped into shared parts.
  const all = env.plan.kernels.filter((k) => kernelSets.some((set) => set.includes(k)));
  // Scalars live at closure level and every part sees them: aliases and locals are claimed at
  // that level too, so no part's local can shadow (or be assigned as) a closure scalar.
  const names = env.names;
  const aliases = claimAliases(env, all, names);
  const closureScalars = { names, declared: [] as string[] };
  const body = emitBody(all, { storage: storageFor(aliases), source: env.source, rows: env.rows, call: env.call, products: env.products }, names, closureScalars);
  const usersOf = (k: Kernel) => specs.filter((_, i) => kernelSets[i]!.includes(k)).map((s) => s.name).join(",");
  const parts: { users: string; kernels: EmittedKernel[]; size: number }[] = [];
  for (const k of body.kernels) {
    const users = usersOf(k.kernel);
    const last = parts[parts.length - 1];
    if (last && last.users === users && last.size + k.code.length <= PART_LIMIT) {
      last.kernels.push(k);
      last.size += k.code.length;
    } else parts.push({ users, kernels: [k], size: k.code.length });
  }
  const hoisted: string[] = [];
  if (closureScalars.declared.length > 0) hoisted.push(`let ${closureScalars.declared.map((s) => `${s} = 0`).join(", ")};`);
  const calls = specs.map(() => [] as string[]);
  for (const part of parts) {
    const users = specs.filter((s) => part.users.split(",").includes(s.name));
    // A part shared by predict (x, n) and a loss function (x, y, n) reads only x: take the shorter signature.
    const spec = users.reduce((a, b) => (b.signature.length < a.signature.length ? b : a));
    const name = env.names.claim(partName(env, part.kernels.map((k) => k.kernel), users.length === 1 ? users[0]!.name : "forward"));
    const kernels = part.kernels.map((k) => k.kernel);
    hoisted.push(`function ${name}(${spec.signature}): void {\n${aliasLine(env, kernels, aliases)}${part.kernels.map((k) => k.code).join("\n")}\n}`);
    users.forEach((u) => calls[specs.indexOf(u)]!.push(`${name}(${spec.args});`));
  }
  return { functions: calls.map((c) => ({ code: c.join("\n"), ref: body.ref })), hoisted };
}

function claimAliases(env: FunctionEnv, kernels: readonly Kernel[], names: NameManager): Map<number, string> {
  const aliases = new Map<number, string>();
  for (const k of kernels) {
    if (needsBuffer(k.root) && env.leaf(k.root) === undefined) aliases.set(k.root.id, names.claim(env.graph.labels.get(k.root.id) ?? "t"));
  }
  return aliases;
}

/** `const h1 = buf0, p = buf4;` for every planned tensor these kernels write or read. */
function aliasLine(env: FunctionEnv, kernels: readonly Kernel[], aliases: Map<number, string>): string {
  const ids = new Set<number>();
  for (const k of kernels) {
    for (const n of [k.root, ...k.reads]) if (aliases.has(n.id)) ids.add(n.id);
  }
  const pairs = [...ids].sort((a, b) => a - b).map((id) => `${aliases.get(id)} = ${env.arrays[env.plan.slotOf.get(id)!.index]}`);
  return pairs.length > 0 ? `const ${pairs.join(",\n")};\n` : "";
}

/**
 * A part is named after what it computes: `forward_h1_to_h4`, `backward_d_h4_to_d_h2` — the
 * first and last named values among its kernels' results.
 */
function partName(env: FunctionEnv, kernels: readonly Kernel[], user: string): string {
  const named = kernels.map((k) => env.graph.labels.get(k.root.id)).filter((l): l is string => l !== undefined);
  const backward = kernels.every((k) => k.root.grad);
  const prefix = backward ? "backward" : user === "forwardBackward" ? "forward" : user;
  if (named.length === 0) return prefix;
  const first = named[0]!, last = named[named.length - 1]!;
  return first === last ? `${prefix}_${first}` : `${prefix}_${first}_to_${last}`;
}
