// The last steps for a generated file: type-check (--verify), convert to JavaScript (--js),
// format. Only the generated part of a TypeScript file goes through prettier: the prelude is
// inlined as already-formatted source. Prettier is loaded on first use, so commands that never
// format (check, graph) do not pay for loading it.
import type { FileParts } from "./layout.js";

export type Language = "typescript" | "javascript";

export interface FinishOptions {
  /** Type-check the module under --strict first (throws EmittedCodeError). */
  verify?: boolean;
  /** Run prettier (default true). */
  format?: boolean;
  /** Default TypeScript; JavaScript is the TypeScript compiler's emit. */
  language?: Language;
}

export async function finishFile(parts: FileParts, options: FinishOptions): Promise<string> {
  const raw = parts.head + parts.generated;
  if (options.verify) (await import("./verify.js")).assertTypeChecks(raw);
  if (options.language === "javascript") {
    const js = (await import("./javascript.js")).toJavaScript(raw);
    return options.format === false ? js : formatCode(js);
  }
  return options.format === false ? raw : parts.head + (await formatCode(parts.generated));
}

/** Prettier over generated TypeScript (or JavaScript: a TypeScript parser reads both). */
export async function formatCode(code: string): Promise<string> {
  const prettier = await import("prettier");
  // babel-ts with a .ts path: given no path, prettier's typescript parser first probes the
  // text for JSX with a regular expression that is quadratic in the length of long code.
  return prettier.format(code, { parser: "babel-ts", filepath: "generated.ts", printWidth: 110 });
}
