// Runs generated code in this process without temp files: TypeScript is converted with the
// TypeScript compiler's emit, then imported from a data: URL.
import { toJavaScript } from "../compiler/emit/javascript.js";
import type { GeneratedModule } from "./generated-types.js";
import { importJavaScript } from "./import-javascript.js";

export { importJavaScript, toJavaScript };

export async function loadGenerated(tsCode: string): Promise<GeneratedModule> {
  return importJavaScript<GeneratedModule>(toJavaScript(tsCode));
}
