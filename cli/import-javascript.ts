// Imports a module from JavaScript text in this process, without temp files (a data: URL). Apart
// from load.ts (which converts TypeScript first), so that code running JavaScript it was handed
// — netc tune's worker threads — never loads the TypeScript compiler.
import type { GeneratedModule } from "./generated-types.js";

export async function importJavaScript<T = GeneratedModule>(jsCode: string, name = "netc-generated.js"): Promise<T> {
  // A sourceURL gives stack traces a short name instead of the whole data: URL.
  jsCode += `\n//# sourceURL=${name.replace(/[^\w.-]/g, "_")}\n`;
  const url = `data:text/javascript;base64,${Buffer.from(jsCode, "utf8").toString("base64")}`;
  return (await import(url)) as T;
}
