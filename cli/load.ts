// Runs generated code in this process without temp files: TypeScript is transpiled with the
// TypeScript compiler that ts-morph bundles, then imported from a data: URL.
import { ts } from "ts-morph";
import type { GeneratedModule } from "./generated-types.js";

export function toJavaScript(tsCode: string): string {
  const out = ts.transpileModule(tsCode, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
  });
  return out.outputText;
}

export async function importJavaScript<T = GeneratedModule>(jsCode: string, name = "netc-generated.js"): Promise<T> {
  // A sourceURL gives stack traces a short name instead of the whole data: URL.
  jsCode += `\n//# sourceURL=${name.replace(/[^\w.-]/g, "_")}\n`;
  const url = `data:text/javascript;base64,${Buffer.from(jsCode, "utf8").toString("base64")}`;
  return (await import(url)) as T;
}

export async function loadGenerated(tsCode: string): Promise<GeneratedModule> {
  return importJavaScript<GeneratedModule>(toJavaScript(tsCode));
}
