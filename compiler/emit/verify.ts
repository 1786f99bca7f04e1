// `--verify` for emitted code: type-checks a generated module in memory under --strict, with
// only the ES2022 library (no DOM, no Node types), as a user's strict project would see it.
import { Project, ts } from "ts-morph";
import { EmittedCodeError } from "./errors.js";

/** Type errors in `code` as `model.ts:LINE:COL: message` lines; empty when it type-checks. */
export function typeErrors(code: string): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      lib: ["lib.es2022.d.ts"],
      types: [],
    },
  });
  const file = project.createSourceFile("model.ts", code);
  return project.getPreEmitDiagnostics().map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, "\n");
    const start = d.getStart();
    if (d.getSourceFile() !== file || start === undefined) return text;
    const { line, column } = file.getLineAndColumnAtPos(start);
    return `model.ts:${line}:${column}: ${text}`;
  });
}

/** Throws EmittedCodeError unless `code` type-checks. */
export function assertTypeChecks(code: string): void {
  const errors = typeErrors(code);
  if (errors.length > 0) throw new EmittedCodeError(errors);
}
