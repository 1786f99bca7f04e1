// Loads a generated TypeScript module into this process (import-javascript.ts says how).
import { toJavaScript } from "../compiler/emit/javascript.js";
import type { GeneratedModule } from "./generated-types.js";
import { importJavaScript, runnableJavaScript } from "./import-javascript.js";

export { importJavaScript, runnableJavaScript, toJavaScript };

export async function loadGenerated(tsCode: string): Promise<GeneratedModule> {
  return importJavaScript<GeneratedModule>(await runnableJavaScript(tsCode));
}
