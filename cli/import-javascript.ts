// Runs generated code in this process without temp files: the module is imported from a data:
// URL, after esbuild strips a TypeScript module's types. esbuild, not the TypeScript compiler's
// emit (compiler/emit/javascript.ts, what `--js` writes, comments and layout kept): it starts in
// milliseconds where TypeScript's transpiler spends about a second warming up on every run of
// netc train, predict, explain and tune. Both only remove types. Nothing here loads the
// TypeScript compiler, so netc tune's worker threads, which run JavaScript they are handed,
// start quickly.
import { transform } from "esbuild";
import type { GeneratedModule } from "./generated-types.js";

export async function importJavaScript<T = GeneratedModule>(jsCode: string, name = "netc-generated.js"): Promise<T> {
  // A sourceURL gives stack traces a short name instead of the whole data: URL.
  jsCode += `\n//# sourceURL=${name.replace(/[^\w.-]/g, "_")}\n`;
  const url = `data:text/javascript;base64,${Buffer.from(jsCode, "utf8").toString("base64")}`;
  return (await import(url)) as T;
}

/** A generated TypeScript module as JavaScript to run (not to read: see toJavaScript). */
export async function runnableJavaScript(tsCode: string): Promise<string> {
  return (await transform(tsCode, { loader: "ts", target: "es2022", format: "esm" })).code;
}
