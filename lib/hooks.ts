// Node module-customization hooks (registered by register.ts; they run on Node's hooks thread):
// a `.net` file loads as the JavaScript module netc compiles from it, cached by content hash.
// A file with errors stops the program: its diagnostics go to stderr and the process exits 1,
// as `netc check` would, rather than surfacing as a stack trace from a failed import.
import { writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { cacheDirectory, cacheKey, readCached, writeCached } from "./cache.js";
import { compileNetModule, displayPath, isNetId } from "./net-file.js";

interface LoadContext {
  format?: string | null;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format: string;
  source?: string;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith("file:") || !isNetId(url)) return nextLoad(url, context);
  const file = fileURLToPath(new URL(url).href.replace(/[?#].*$/, ""));
  const result = await loadNetFile(file);
  if ("errors" in result) {
    writeSync(2, `${result.errors}\n`); // synchronous: the exit below must not cut it short
    process.exit(1);
  }
  return { format: "module", source: result.code, shortCircuit: true };
}

/** The compiled module of one .net file, from the cache when this source was compiled before. */
export async function loadNetFile(file: string, cacheDir = cacheDirectory()): Promise<{ code: string; cached: boolean } | { errors: string }> {
  const source = await readFile(file, "utf8");
  const shownAs = displayPath(file);
  const key = cacheKey(source, shownAs, {});
  const hit = readCached(cacheDir, key);
  if (hit !== undefined) return { code: hit, cached: true };
  const result = await compileNetModule(source, shownAs);
  if ("errors" in result) return result;
  writeCached(cacheDir, key, result.code);
  return { code: result.code, cached: false };
}
