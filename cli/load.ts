// Runs generated code in this process without temp files: TypeScript is converted with the
// TypeScript compiler's emit, then imported from a data: URL.
import { toJavaScript } from "../compiler/emit/javascript.js";
import type { GeneratedModule } from "./generated-types.js";

export { toJavaScript };

export async function importJavaScript<T = GeneratedModule>(jsCode: string, name = "netc-generated.js"): Promise<T> {
  // A sourceURL gives stack traces a short name instead of the whole data: URL.
  jsCode += `\n//# sourceURL=${name.replace(/[^\w.-]/g, "_")}\n`;
  const url = `data:text/javascript;base64,${Buffer.from(jsCode, "utf8").toString("base64")}`;
  return (await import(url)) as T;
}

export async function loadGenerated(tsCode: string): Promise<GeneratedModule> {
  return importJavaScript<GeneratedModule>(toJavaScript(tsCode));
}
