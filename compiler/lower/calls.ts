// Matches call arguments to a function's parameters: positional first, then by name. Reports
// wrong counts, unknown or repeated names once, at the offending argument.
import type { Arg, Expr, Span } from "../../grammar/ast.js";
import type { Diagnostics } from "../../diagnostics/index.js";
import { didYouMean } from "../../diagnostics/suggest.js";

export function bindArgs(
  diags: Diagnostics,
  fn: string,
  params: string[],
  args: Arg[],
  callSpan: Span,
): Map<string, { expr: Expr; span: Span }> | undefined {
  const names = params.map((p) => p.replace(/\?$/, ""));
  const required = params.filter((p) => !p.endsWith("?")).length;
  const bound = new Map<string, { expr: Expr; span: Span }>();
  let ok = true;
  const positional = args.filter((a) => !a.name);
  const expected = required === names.length ? `${required}` : `${required} to ${names.length}`;
  const plural = names.length === 1 ? "argument" : "arguments";
  args.forEach((arg, i) => {
    if (!arg.name) {
      if (args.slice(0, i).some((a) => a.name)) {
        diags.error(arg.span, `positional argument after a named one in call to '${fn}'`);
        ok = false;
        return;
      }
      const name = names[i];
      if (name === undefined) {
        if (i === names.length) diags.error(arg.span, `'${fn}' expects ${expected} ${plural}, got ${positional.length}`);
        ok = false;
        return;
      }
      bound.set(name, { expr: arg.value, span: arg.span });
      return;
    }
    const name = arg.name.name;
    if (!names.includes(name)) {
      const list = names.length > 0 ? ` (its arguments: ${names.join(", ")})` : "";
      diags.error(arg.name.span, `'${fn}' has no argument named '${name}'${didYouMean(name, names)}${list}`);
      ok = false;
    } else if (bound.has(name)) {
      diags.error(arg.name.span, `argument '${name}' of '${fn}' is given twice`);
      ok = false;
    } else bound.set(name, { expr: arg.value, span: arg.span });
  });
  if (ok) {
    const missing = names.slice(0, required).filter((n) => !bound.has(n));
    if (missing.length > 0) {
      // Counting named arguments, the count may already be in range: then only the name helps.
      const message = args.length < required
        ? `'${fn}' expects ${expected} ${plural}, got ${args.length} (missing '${missing[0]}')`
        : `call to '${fn}' is missing argument '${missing[0]}'`;
      diags.error(callSpan, message);
      ok = false;
    }
  }
  return ok ? bound : undefined;
}

/** Evaluates a constant numeric expression (`0.5`, `-1e-3`, `2 * 8`), or undefined. */
export function constNumber(e: Expr): number | undefined {
  switch (e.kind) {
    case "num":
      return e.value;
    case "neg": {
      const v = constNumber(e.operand);
      return v === undefined ? undefined : -v;
    }
    case "binary": {
      const l = constNumber(e.left), r = constNumber(e.right);
      if (l === undefined || r === undefined) return undefined;
      if (e.op === "+") return l + r;
      if (e.op === "-") return l - r;
      if (e.op === "*") return l * r;
      if (e.op === "/") return l / r;
      return undefined;
    }
    default:
      return undefined;
  }
}
