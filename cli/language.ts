// Which language a command writes generated code in: JavaScript with --js or a .js/.mjs output
// file, TypeScript otherwise. A --js that contradicts the output file's extension is an error,
// so a .ts file never receives JavaScript (nor a .js file TypeScript).
import { extname } from "node:path";
import type { Language } from "../compiler/index.js";
import { UsageError } from "./args.js";

const BY_EXTENSION: Record<string, Language> = { ".js": "javascript", ".mjs": "javascript", ".ts": "typescript", ".mts": "typescript" };

export function outputLanguage(target: string | undefined, js: boolean): Language {
  const ext = target ? extname(target).toLowerCase() : "";
  if (ext === ".cjs" || ext === ".cts") {
    throw new UsageError(`${target}: netc writes ES modules (export, no require); name the output .js, .mjs, .ts or .mts`);
  }
  const implied = BY_EXTENSION[ext];
  if (js && implied === "typescript") throw new UsageError(`--js writes JavaScript, but ${target} is a TypeScript file name; use a .js name or drop --js`);
  return js ? "javascript" : (implied ?? "typescript");
}

export function languageName(language: Language): string {
  return language === "javascript" ? "JavaScript" : "TypeScript";
}
