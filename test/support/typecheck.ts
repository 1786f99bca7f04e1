// Type-checking emitted modules under `tsc --strict`, in memory. Parsing TypeScript's standard
// library is most of the cost of a program, so its parsed files are kept for the whole test run
// and every program after the first only parses and checks the modules themselves.
import ts from "typescript";
import { preludeNames } from "../../compiler/emit/prelude.js";

export interface TypecheckOptions {
  noUncheckedIndexedAccess?: boolean;
  /**
   * Check each distinct prelude once: a module's leading prelude declarations (five sixths of a
   * small model's text, the same in most modules) move to a shared file the module imports
   * from, so a table of hundreds of modules checks its generated code, not the prelude each
   * time. The generated part keeps its line numbers. For many modules; a single module is
   * best checked exactly as emitted.
   */
  sharePrelude?: boolean;
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
  if (options.sharePrelude) splitPreludes(files);
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
  host.directoryExists = (dir) => dir === DIR || ts.sys.directoryExists(dir);
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

/**
 * Rewrites `files` so that modules starting with the same prelude declarations import them from
 * one shared file (`prelude-K.ts`, which exports them) instead of each declaring them.
 */
function splitPreludes(files: Map<string, string>): void {
  const prelude = new Set(preludeNames());
  const shared = new Map<string, string>(); // prelude text → its file
  for (const [fileName, code] of [...files]) {
    const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, false);
    const names: string[] = [];
    const unexported: string[] = [];
    let end = 0;
    for (const statement of source.statements) {
      const name = (ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) ? statement.name?.text : undefined;
      if (name === undefined || !prelude.has(name)) break;
      names.push(name);
      if (!ts.getModifiers(statement as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) unexported.push(name);
      end = statement.end;
    }
    if (names.length === 0) continue;
    const head = code.slice(0, end);
    let preludeFile = shared.get(head);
    if (!preludeFile) {
      preludeFile = `${DIR}/prelude-${shared.size}.ts`;
      shared.set(head, preludeFile);
      files.set(preludeFile, `${head}\nexport { ${unexported.join(", ")} };\n`);
    }
    const lines = head.split("\n").length - 1;
    const from = `./${preludeFile.slice(DIR.length + 1, -".ts".length)}`;
    files.set(fileName, `import { ${names.join(", ")} } from "${from}";${"\n".repeat(lines)}${code.slice(end)}`);
  }
}
