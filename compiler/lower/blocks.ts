// User-defined blocks are inlined at each call, like macros with lexical scope: the body sees
// only the block's parameters and its own bindings. Weights made inside are named after the
// call's binding (`h2 = residual(h1, 16)` makes `h2.W`), so each call gets its own weights.
// A block may return several values, which the caller unpacks: `h, c = cell(x, h0, c0)`.
import type { BlockDecl, Expr, Stmt } from "../../grammar/ast.js";
import { spanFrom, type Diagnostics } from "../../diagnostics/index.js";
import type { LowerContext, Scope } from "./context.js";
import { lowerExpr } from "./expr.js";
import { BUILTINS, ownEntry } from "./functions.js";
import { POISON, type Value } from "./values.js";

type Call = Extract<Expr, { kind: "call" }>;

/** A block call used as an expression: the block must return exactly one value. */
export function inlineBlock(ctx: LowerContext, e: Call, outer: Scope): Value {
  const block = ctx.blocks.get(e.callee.name)!;
  const n = returnCount(block);
  if (n === 0) return POISON; // reported by checkBlocks
  if (n !== 1) {
    const names = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join(", ");
    ctx.diags.error(e.span, `block '${block.name.name}' returns ${n} values; assign them to as many names: '${names} = ${block.name.name}(...)'`);
    return POISON;
  }
  return inlineBlockValues(ctx, e, outer)?.[0] ?? POISON;
}

/**
 * `h, c = pair(x)`: the right side must be a call of a block returning one value per name.
 * Returns one value per name (POISON for all of them after an error).
 */
export function lowerUnpack(ctx: LowerContext, stmt: Extract<Stmt, { kind: "unpack" }>, scope: Scope): Value[] {
  const failed = stmt.names.map(() => POISON);
  const e = stmt.value;
  const block = e.kind === "call" ? ctx.blocks.get(e.callee.name) : undefined;
  const names = stmt.names;
  const namesSpan = spanFrom(names[0]!.span, names[names.length - 1]!.span);
  if (!block) {
    if (e.kind === "call" && !ownEntry(BUILTINS, e.callee.name)) lowerExpr(ctx, e, scope); // reports the unknown function
    else ctx.diags.error(namesSpan, `${names.length} names are assigned, but '${ctx.text(e.span)}' gives one value (only a block can return several)`);
    return failed;
  }
  const n = returnCount(block);
  if (n === 0) return failed; // reported by checkBlocks
  if (n !== names.length) {
    ctx.diags.error(namesSpan, `${names.length} names are assigned, but block '${block.name.name}' returns ${n} value${n === 1 ? "" : "s"}`);
    return failed;
  }
  return inlineBlockValues(ctx, e as Call, scope) ?? failed;
}

/** Values of the block's `return` (0 when it has none: reported by checkBlocks). */
function returnCount(block: BlockDecl): number {
  const ret = block.body.find((s) => s.kind === "return");
  return ret?.kind === "return" ? ret.values.length : 0;
}

function inlineBlockValues(ctx: LowerContext, e: Call, outer: Scope): Value[] | undefined {
  const block = ctx.blocks.get(e.callee.name)!;
  if (ctx.blockStack.includes(block.name.name)) return undefined; // reported once, at the definition
  if (e.args.some((a) => a.name)) {
    ctx.diags.error(e.args.find((a) => a.name)!.span, `block '${block.name.name}' takes positional arguments only`);
    return undefined;
  }
  if (e.args.length !== block.params.length) {
    const n = block.params.length;
    ctx.diags.error(e.span, `block '${block.name.name}' expects ${n} argument${n === 1 ? "" : "s"}, got ${e.args.length}`);
    return undefined;
  }
  const args = e.args.map((a) => lowerExpr(ctx, a.value, outer));
  if (args.some((a) => a.kind === "poison")) return undefined;
  const scope: Scope = { vars: new Map(), later: new Map() };
  block.params.forEach((p, i) => {
    scope.vars.set(p.name, { value: args[i]!, span: p.span });
    ctx.record(p.name, p.span, args[i]!, ctx.binding);
  });
  const callerBinding = ctx.binding;
  ctx.blockStack.push(block.name.name);
  let results: Value[] | undefined;
  try {
    for (const stmt of block.body) {
      if (stmt.kind === "assign") {
        ctx.binding = `${callerBinding}.${stmt.name.name}`;
        const v = lowerExpr(ctx, stmt.value, scope);
        if (v.kind === "tensor") ctx.b.name(v.node, `${callerBinding}_${stmt.name.name}`);
        scope.vars.set(stmt.name.name, { value: v, span: stmt.name.span });
        ctx.record(stmt.name.name, stmt.name.span, v, callerBinding);
      } else if (stmt.kind === "unpack") {
        // Weights made by the inner call are named after the first name.
        ctx.binding = `${callerBinding}.${stmt.names[0]!.name}`;
        const values = lowerUnpack(ctx, stmt, scope);
        stmt.names.forEach((name, i) => {
          const v = values[i]!;
          if (v.kind === "tensor") ctx.b.name(v.node, `${callerBinding}_${name.name}`);
          scope.vars.set(name.name, { value: v, span: name.span });
          ctx.record(name.name, name.span, v, callerBinding);
        });
      } else if (stmt.kind === "return") {
        ctx.binding = callerBinding;
        results = stmt.values.map((v) => lowerExpr(ctx, v, scope));
      }
    }
  } finally {
    ctx.blockStack.pop();
    ctx.binding = callerBinding;
  }
  return results;
}

/** Checks block bodies once: statements allowed, exactly one `return` (of one or more values), no (mutual) recursion. */
export function checkBlocks(blocks: ReadonlyMap<string, BlockDecl>, diags: Diagnostics): void {
  for (const block of blocks.values()) {
    const returns = block.body.filter((s) => s.kind === "return");
    for (const s of block.body) {
      if (s.kind !== "assign" && s.kind !== "unpack" && s.kind !== "return") diags.error(s.span, `'${s.kind}' is not allowed inside a block (only bindings and 'return')`);
    }
    if (returns.length === 0) diags.error(block.name.span, `block '${block.name.name}' has no 'return'`);
    for (const r of returns.slice(1)) diags.error(r.span, `block '${block.name.name}' has more than one 'return'`);
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
    if (s.kind === "assign" || s.kind === "unpack") walk(s.value);
    if (s.kind === "return") s.values.forEach(walk);
  }
  return out;
}
