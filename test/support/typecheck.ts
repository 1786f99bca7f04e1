// Type-checking emitted modules under `tsc --strict`, all in one TypeScript program: creating a
// program (parsing the standard library) is the slow part.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";

export interface TypecheckOptions {
  noUncheckedIndexedAccess?: boolean;
}

/** Type-checks every module in one TypeScript program (creating a program is the slow part). */
export function typecheck(modules: ReadonlyMap<string, string>, options: TypecheckOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "netc-trust-"));
  try {
    const files = [...modules].map(([name, code], i) => {
      const path = join(dir, `${i}-${name.replace(/[^A-Za-z0-9_-]/g, "_")}.ts`);
      writeFileSync(path, code);
      return path;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noImplicitAny: true,
      noUncheckedIndexedAccess: options.noUncheckedIndexedAccess ?? false,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      lib: ["lib.es2022.d.ts"],
      types: [],
    });
    return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => "\n",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
