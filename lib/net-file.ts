// A .net file as an importable JavaScript module: what the register hook and the bundler
// plugins share. The path shown in the generated header and in diagnostics is relative to the
// working directory when the file is below it, as a compiler's messages usually are.
import { isAbsolute, relative } from "node:path";
import { compile, formatDiagnostic, type CompileOptions } from "./index.js";

export type NetModuleOptions = Pick<CompileOptions, "backend" | "precision">;

/** The module, or every diagnostic formatted as `file:line:col: error: …` with its caret. */
export type NetModule = { code: string } | { errors: string };

/** True for an import id naming a .net file (a bundler's query suffix allowed). */
export function isNetId(id: string): boolean {
  return withoutQuery(id).endsWith(".net");
}

export function withoutQuery(id: string): string {
  const q = id.indexOf("?");
  return q < 0 ? id : id.slice(0, q);
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

export async function compileNetModule(source: string, shownAs: string, options: NetModuleOptions = {}): Promise<NetModule> {
  const { code, diagnostics } = await compile(source, { ...options, file: shownAs, language: "javascript" });
  if (code !== undefined) return { code };
  return { errors: diagnostics.map((d) => formatDiagnostic(d, shownAs, source)).join("\n") };
}
