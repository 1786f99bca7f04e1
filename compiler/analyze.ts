// The front half of the compiler — parse, then lower every model, collecting every diagnostic —
// with nothing heavy behind it (no emitter, no formatter), so `netc check` and the language
// server load fast.
import type { BlockDecl, ModelDecl, Program } from "../grammar/ast.js";
import { parse } from "../grammar/index.js";
import { Diagnostics, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { checkBlocks } from "./lower/blocks.js";
import type { BindingInfo } from "./lower/context.js";
import { lowerModel } from "./lower/model.js";
import type { ModelIR } from "./model.js";

export interface AnalyzeResult {
  program: Program;
  models: ModelIR[];
  diagnostics: Diagnostic[];
  /** Every name bound while lowering, with its shape (for editors); also for models with errors. */
  bindings: BindingInfo[];
}

/** Parses and lowers every model in the file, collecting every diagnostic. */
export function analyze(source: string): AnalyzeResult {
  const diags = new Diagnostics();
  const program = parse(source, diags);
  // After a syntax error the Program is best-effort (broken statements are left out), so
  // lowering it would only add follow-on errors about things that are really there.
  if (diags.hasErrors) return { program, models: [], diagnostics: sortDiagnostics(diags.list), bindings: [] };
  const blocks = new Map<string, BlockDecl>();
  const models: ModelIR[] = [];
  const bindings: BindingInfo[] = [];
  const seen = new Map<string, ModelDecl | BlockDecl>();
  for (const decl of program.decls) {
    const prev = seen.get(decl.name.name);
    if (prev) diags.error(decl.name.span, `duplicate definition of '${decl.name.name}' (first defined at line ${prev.name.span.line})`);
    else seen.set(decl.name.name, decl);
    if (decl.kind === "block" && !prev) blocks.set(decl.name.name, decl);
  }
  checkBlocks(blocks, diags);
  for (const decl of program.decls) {
    if (decl.kind !== "model") continue;
    const before = diags.list.length;
    const model = lowerModel(decl, blocks, diags, source, bindings);
    if (model && diags.list.length === before) models.push(model);
  }
  return { program, models, diagnostics: sortDiagnostics(diags.list), bindings };
}

