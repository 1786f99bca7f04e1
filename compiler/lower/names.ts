// Checks the names a model declares: reserved words, and names that would collide once
// turned into identifiers of the emitted code (`h1.W` is emitted as `h1_W`).
import type { ModelDecl } from "../../grammar/ast.js";
import type { LowerContext, Scope } from "./context.js";
import { reservedReason } from "./reserved.js";

export function checkNames(ctx: LowerContext, decl: ModelDecl, scope: Scope): void {
  const check = (name: string, span: ModelDecl["span"]) => {
    const why = reservedReason(name);
    if (why) ctx.diags.error(span, why);
  };
  check(decl.name.name, decl.name.span);
  for (const s of decl.body) {
    if (s.kind === "input" || s.kind === "target" || s.kind === "param" || s.kind === "assign") check(s.name.name, s.name.span);
    if (s.kind === "unpack") s.names.forEach((n) => check(n.name, n.span));
  }
  const userNames = new Map([...scope.vars].map(([name, b]) => [name, b.span]));
  for (const p of ctx.params) {
    if (!p.name.includes(".")) continue;
    const emitted = p.name.replace(/\./g, "_");
    const clash = userNames.get(emitted);
    if (clash) ctx.diags.error(clash, `'${emitted}' collides with parameter '${p.name}' in emitted code (rename one of them)`);
  }
}
