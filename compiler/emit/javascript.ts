// JavaScript from generated TypeScript: the TypeScript compiler's emit (types erased, comments
// kept), ES2022 modules, so the result runs under plain Node or in a browser.
import { ts } from "ts-morph";

export function toJavaScript(tsCode: string): string {
  const out = ts.transpileModule(tsCode, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
  });
  return out.outputText;
}
