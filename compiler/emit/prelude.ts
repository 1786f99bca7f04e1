// The prelude — the code that is the same in every generated module — is ordinary, type-checked
// TypeScript in compiler/prelude/. Generated modules have no imports, so at emit time its
// declarations are read with ts-morph and the ones a module uses (with everything they use in
// turn) are copied in as text, in prelude order. Declarations from api.ts stay exported (they
// are the module's public types); the rest lose `export`. The built CLI reads them from an
// index the build writes (dist/prelude/declarations.json, by writePreludeIndex): parsing the
// prelude cold took half a second of every command that compiles.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Node, Project, SyntaxKind, type Statement } from "ts-morph";

/** Prelude files in the order their declarations appear in a generated module. */
const PRELUDE_FILES = ["api.ts", "random.ts", "inputs.ts", "chunks.ts", "weights.ts", "training.ts", "core.ts", "fit.ts", "weights-file.ts", "model.ts", "decode.ts", "wasm.ts"];
const PUBLIC_FILE = "api.ts";
// Read from the sources at run time: compiler/prelude/ from here, dist/prelude/ (a copy the build
// makes) from the compiled package, which ships without the compiler's sources.
const PRELUDE_DIR = [new URL("../prelude/", import.meta.url), new URL("./prelude/", import.meta.url)].find((dir) =>
  existsSync(new URL("core.ts", dir)),
)!;

interface Declaration {
  name: string;
  /** Source text with its doc comment, `export` removed unless public. */
  text: string;
  /** Other prelude declarations it refers to. */
  uses: string[];
}

let loaded: Map<string, Declaration> | undefined;

/** The index of the prelude's declarations that the build writes next to its copy of the prelude. */
const INDEX_FILE = "declarations.json";

/** Every prelude declaration by name, in prelude order (read once per process). */
function declarations(): Map<string, Declaration> {
  if (loaded) return loaded;
  const index = new URL(INDEX_FILE, PRELUDE_DIR);
  if (existsSync(index)) {
    const list = JSON.parse(readFileSync(index, "utf8")) as Declaration[];
    loaded = new Map(list.map((d) => [d.name, d]));
    return loaded;
  }
  loaded = parseDeclarations();
  return loaded;
}

/** Writes the prelude's declarations (as the emitter uses them) into `dir`, for the built CLI. */
export function writePreludeIndex(dir: URL): void {
  writeFileSync(new URL(INDEX_FILE, dir), `${JSON.stringify([...parseDeclarations().values()])}\n`);
}

/** Parses compiler/prelude/ (or the build's copy of it) with ts-morph. */
function parseDeclarations(): Map<string, Declaration> {
  const present = readdirSync(PRELUDE_DIR).filter((f) => f.endsWith(".ts"));
  const unlisted = present.filter((f) => !PRELUDE_FILES.includes(f));
  if (unlisted.length > 0) throw new Error(`compiler/prelude: ${unlisted.join(", ")} missing from PRELUDE_FILES in compiler/emit/prelude.ts`);
  const project = new Project({ useInMemoryFileSystem: true });
  const found: { name: string; text: string; node: Statement }[] = [];
  for (const fileName of PRELUDE_FILES) {
    const file = project.createSourceFile(fileName, readFileSync(new URL(fileName, PRELUDE_DIR), "utf8"));
    for (const statement of file.getStatements()) {
      if (Node.isImportDeclaration(statement)) continue;
      const name = declaredName(statement);
      if (!name) throw new Error(`compiler/prelude/${fileName}:${statement.getStartLineNumber()}: only declarations of functions, types and interfaces belong in the prelude`);
      if (found.some((d) => d.name === name)) throw new Error(`compiler/prelude/${fileName}: '${name}' is declared twice in the prelude`);
      found.push({ name, text: withoutExport(statement, fileName === PUBLIC_FILE), node: statement });
    }
  }
  const names = new Set(found.map((d) => d.name));
  return new Map(
    found.map((d) => {
      const uses = new Set(d.node.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText()));
      return [d.name, { name: d.name, text: d.text, uses: [...uses].filter((u) => u !== d.name && names.has(u)) }];
    }),
  );
}

function declaredName(statement: Statement): string | undefined {
  if (Node.isFunctionDeclaration(statement) || Node.isInterfaceDeclaration(statement) || Node.isTypeAliasDeclaration(statement)) {
    return statement.getName();
  }
  return undefined;
}

function withoutExport(statement: Statement, keep: boolean): string {
  const text = statement.getText(true);
  const keyword = Node.isModifierable(statement) ? statement.getFirstModifierByKind(SyntaxKind.ExportKeyword) : undefined;
  if (keep || !keyword) return text;
  const start = statement.getStart(true);
  return text.slice(0, keyword.getStart() - start) + text.slice(keyword.getEnd() - start).trimStart();
}

/** Names of every prelude declaration: generated code must not declare these itself. */
export function preludeNames(): string[] {
  return [...declarations().keys()];
}

/**
 * The prelude declarations that `code` refers to, and everything they refer to, as text in
 * prelude order. `code` is scanned for identifiers outside comments and string literals.
 */
export function preludeFor(code: string): string {
  const all = declarations();
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const used of all.get(name)!.uses) visit(used);
  };
  for (const id of identifiers(code)) if (all.has(id)) visit(id);
  return [...all.values()].filter((d) => needed.has(d.name)).map((d) => d.text).join("\n\n");
}

/**
 * Identifier-like words of TypeScript code, skipping comments and quoted strings (template
 * literals are kept whole, so names in `${...}` count). A regular-expression literal is not
 * recognised; emitted code has none. Parsing would be exact but takes ~100× longer on a large model.
 */
export function identifiers(code: string): Set<string> {
  const out = new Set<string>();
  const token = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[A-Za-z_$][\w$]*/g;
  for (const [word] of code.matchAll(token)) {
    const c = word.charCodeAt(0);
    if (c !== 47 && c !== 34 && c !== 39) out.add(word); // not / " '
  }
  return out;
}
