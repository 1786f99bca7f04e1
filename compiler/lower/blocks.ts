// User-defined blocks are inlined at each call, like macros with lexical scope: the body sees
// only the block's parameters and its own bindings. Weights made inside are named after the
// call's binding (`h2 = residual(h1, 16)` makes `h2.W`), so each call gets its own weights.
import type { BlockDecl, Expr, Stmt } from "../../grammar/ast.js";
import type { Diagnostics } from "../diagnostics.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr } from "./expr.js";
import { POISON, type Value } from "./values.js";

type Call = Extract<Expr, { kind: "call" }>;

export function inlineBlock(ctx: LowerContext, e: Call, outer: Scope): Value {
  const block = ctx.blocks.get(e.callee.name)!;
  if (ctx.blockStack.includes(block.name.name)) return POISON; // reported once, at the definition
  if (e.args.some((a) => a.name)) {
    ctx.diags.error(e.args.find((a) => a.name)!.span, `block '${block.name.name}' takes positional arguments only`);
    return POISON;
  }
  if (e.args.length !== block.params.length) {
    const n = block.params.length;
    ctx.diags.error(e.span, `block '${block.name.name}' expects ${n} argument${n === 1 ? "" : "s"}, got ${e.args.length}`);
    return POISON;
  }
  const args = e.args.map((a) => lowerExpr(ctx, a.value, outer));
  if (args.some((a) => a.kind === "poison")) return POISON;
  const scope: Scope = { vars: new Map(), later: new Map() };
  block.params.forEach((p, i) => scope.vars.set(p.name, { value: args[i]!, span: p.span }));
  const callerBinding = ctx.binding;
  ctx.blockStack.push(block.name.name);
  let result: Value = POISON;
  try {
    for (const stmt of block.body) {
      if (stmt.kind === "assign") {
        ctx.binding = `${callerBinding}.${stmt.name.name}`;
        const v = lowerExpr(ctx, stmt.value, scope);
        if (v.kind === "tensor") ctx.b.name(v.node, `${callerBinding}_${stmt.name.name}`);
        scope.vars.set(stmt.name.name, { value: v, span: stmt.name.span });
      } else if (stmt.kind === "return") {
        ctx.binding = callerBinding;
        result = lowerExpr(ctx, stmt.values[0]!, scope);
      }
    }
  } finally {
    ctx.blockStack.pop();
    ctx.binding = callerBinding;
  }
  return result;
}

/** Checks block bodies once: statements allowed, exactly one return, no (mutual) recursion. */
export function checkBlocks(blocks: ReadonlyMap<string, BlockDecl>, diags: Diagnostics): void {
  for (const block of blocks.values()) {
    const returns = block.body.filter((s) => s.kind === "return");
    for (const s of block.body) {
      if (s.kind !== "assign" && s.kind !== "return") diags.error(s.span, `'${s.kind}' is not allowed inside a block (only bindings and 'return')`);
    }
    if (returns.length === 0) diags.error(block.name.span, `block '${block.name.name}' has no 'return'`);
    for (const r of returns.slice(1)) diags.error(r.span, `block '${block.name.name}' has more than one 'return'`);
    for (const r of returns) {
      if (r.kind === "return" && r.values.length !== 1) diags.error(r.span, `a block returns exactly one value, got ${r.values.length}`);
    }
    const cycle = findCycle(block.name.name, blocks, [block.name.name]);
    if (cycle) diags.error(cycle.span, `recursive block: ${cycle.path.join(" -> ")}`);
  }
}

function findCycle(
  name: string,
  blocks: ReadonlyMap<string, BlockDecl>,
  path: string[],
): { span: Call["span"]; path: string[] } | undefined {
  const block = blocks.get(name)!;
  for (const call of callsIn(block.body)) {
    const callee = call.callee.name;
    if (!blocks.has(callee)) continue;
    if (callee === path[0]) return { span: call.callee.span, path: [...path, callee] };
    if (path.includes(callee)) continue;
    const found = findCycle(callee, blocks, [...path, callee]);
    // Report at the call inside the block being checked, so the position is in that block.
    if (found) return { span: call.callee.span, path: found.path };
  }
  return undefined;
}

function callsIn(body: Stmt[]): Call[] {
  const out: Call[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === "call") {
      out.push(e);
      e.args.forEach((a) => walk(a.value));
    } else if (e.kind === "binary") {
      walk(e.left);
      walk(e.right);
    } else if (e.kind === "neg") walk(e.operand);
  };
  for (const s of body) {
    if (s.kind === "assign") walk(s.value);
    if (s.kind === "return") s.values.forEach(walk);
  }
  return out;
}
