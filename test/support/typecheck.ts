// Type-checking emitted modules under `tsc --strict`, in memory. Parsing TypeScript's standard
// library is most of the cost of a program, so its parsed files are kept for the whole test run
// and every program after the first only parses and checks the modules themselves.
import ts from "typescript";

export interface TypecheckOptions {
  noUncheckedIndexedAccess?: boolean;
}

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noImplicitAny: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: true,
  lib: ["lib.es2022.d.ts"],
  types: [],
};

const DIR = "/netc-typecheck";
const libraryFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks every module in one program and returns the diagnostics as `tsc` prints them
 * (empty when clean). Module names become file names (`<name>.ts`).
 */
export function typecheck(modules: ReadonlyMap<string, string>, options: TypecheckOptions = {}): string {
  const files = new Map([...modules].map(([name, code], i) => [`${DIR}/${i}-${name.replace(/[^A-Za-z0-9_-]/g, "_")}.ts`, code]));
  const compilerOptions = { ...OPTIONS, noUncheckedIndexedAccess: options.noUncheckedIndexedAccess ?? false };
  const host = ts.createCompilerHost(compilerOptions);
  const readLibrary = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError) => {
    const code = files.get(fileName);
    if (code !== undefined) return ts.createSourceFile(fileName, code, languageVersion, true);
    let file = libraryFiles.get(fileName);
    if (!file) {
      file = readLibrary(fileName, languageVersion, onError);
      if (file) libraryFiles.set(fileName, file);
    }
    return file;
  };
  host.fileExists = (fileName) => files.has(fileName) || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => files.get(fileName) ?? ts.sys.readFile(fileName);
  host.writeFile = () => {};
  const program = ts.createProgram([...files.keys()], compilerOptions, host);
  const missing = [...files.keys()].filter((f) => !program.getSourceFile(f));
  if (missing.length > 0) throw new Error(`typecheck: not in the program: ${missing.join(", ")}`);
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => DIR,
    getNewLine: () => "\n",
  });
}
