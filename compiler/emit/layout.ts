// Lays out a generated file with ts-morph: header comments, the prelude declarations the
// generated code uses, then the generated declarations. Generated bodies (kernels can run to
// megabytes) are spliced in as text after ts-morph has printed the structure around them, so
// ts-morph never parses them; the formatter sees only the generated part, since the prelude is
// already formatted source.
import { IndentationText, Project, type StatementStructures, type WriterFunction } from "ts-morph";
import { preludeFor } from "./prelude.js";

/** A generated file in two parts: `head` is final text, `generated` still to be formatted. */
export interface FileParts {
  head: string;
  generated: string;
}

const BODY = "/*@@netc:body@@*/";

/**
 * Prints `structures` (the generated declarations, as ts-morph structures) after the header
 * and the prelude they need. A structure may hold the placeholder `body()` in its statements;
 * it is replaced by `bodyText`.
 */
export function layoutFile(header: string[], structures: (string | WriterFunction | StatementStructures)[], bodyText: string): FileParts {
  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { indentationText: IndentationText.TwoSpaces } });
  const file = project.createSourceFile("generated.ts", "");
  file.addStatements(structures);
  const generated = file.getFullText().replace(BODY, () => bodyText);
  const prelude = preludeFor(generated);
  const head = [...header.map((line) => `// ${line}`), "", prelude].join("\n");
  return { head: prelude ? `${head}\n\n` : `${head}`, generated };
}

/** Where a structure's statements take the generated body. */
export function body(): string {
  return BODY;
}

/** A header line with any line break in user-supplied text (a file name) flattened. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, " ");
}
