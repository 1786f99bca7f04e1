// Go to definition: a name to the statement that binds it (or the block parameter), a dotted
// parameter name (`h1.W`) to the `dense` call or `param` line that made it, a block call to the
// block, `layer2` to its line in `layers`, names in `freeze`/`param_lr` to their parameter.
import type { Location } from "vscode-languageserver";
import type { Span } from "../grammar/ast.js";
import { paramsOf, rangeOf, type Analysis } from "./analysis.js";
import { definitionOf, symbolAt } from "./symbols.js";

export function definitionAt(a: Analysis, uri: string, offset: number): Location | null {
  const sym = symbolAt(a.program, offset);
  if (!sym) return null;
  let target: Span | undefined;
  if (sym.kind === "use" && sym.name.includes(".")) {
    const model = sym.decl.kind === "model" ? sym.decl.name.name : undefined;
    // `h1.W` exactly, else the first parameter under the prefix (`freeze h1`); failing both
    // (a model with errors makes no parameters), the binding the name starts with.
    const params = model ? paramsOf(a, model) : [];
    const param = params.find((p) => p.name === sym.name) ?? params.find((p) => p.name.startsWith(`${sym.name}.`));
    target = param?.span ?? definitionOf(sym.name.split(".")[0]!, sym.decl);
  } else if (sym.kind === "use") {
    target = definitionOf(sym.name, sym.decl);
    if (!target && sym.decl.kind === "model") {
      const params = paramsOf(a, sym.decl.name.name);
      target = params.find((p) => p.name.startsWith(`${sym.name}.`))?.span;
    }
  } else if (sym.kind === "callee") {
    target = a.program.decls.find((d) => d.kind === "block" && d.name.name === sym.name)?.name.span;
  } else if (sym.kind === "binder" || sym.kind === "decl") {
    target = sym.span;
  }
  return target ? { uri, range: rangeOf(a, target) } : null;
}
