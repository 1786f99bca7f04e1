// The front half of the compiler — parse, then lower every model, collecting every diagnostic —
// with nothing heavy behind it (no emitter, no formatter), so `netc check` and the language
// server load fast.
import type { BlockDecl, ModelDecl, Program } from "../grammar/ast.js";
import { parse } from "../grammar/index.js";
import { Diagnostics, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { checkBlocks } from "./lower/blocks.js";
import type { BindingInfo } from "./lower/context.js";
import { lowerModel } from "./lower/model.js";
import { defaultValue, probeValues, valueText, type TunedValues } from "./lower/tune.js";
import type { ModelIR } from "./model.js";

export interface AnalyzeResult {
  program: Program;
  models: ModelIR[];
  diagnostics: Diagnostic[];
  /** Every name bound while lowering, with its shape (for editors); also for models with errors. */
  bindings: BindingInfo[];
}

/** One point of a model's tune-block search space (a trial of netc tune). */
export interface TunedModel {
  /** The model whose hyperparameters these are; every model with a tune block when absent. */
  model?: string;
  values: TunedValues;
}

/**
 * Parses and lowers every model in the file, collecting every diagnostic. A model with a tune
 * block is lowered with its hyperparameters' defaults (or `tuned`'s values), and checked at the
 * corners of its search space too.
 */
export function analyze(source: string, tuned?: TunedModel): AnalyzeResult {
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
    const values = tuned && (tuned.model === undefined || tuned.model === decl.name.name) ? tuned.values : undefined;
    const model = lowerModel(decl, blocks, diags, source, bindings, values);
    if (model?.tune && !values) probeSearchSpace(decl, blocks, diags, source, model);
    if (model && diags.list.length === before) models.push(model);
  }
  return { program, models, diagnostics: sortDiagnostics(diags.list), bindings };
}

/**
 * Lowers the model again with each hyperparameter at each of its probe values (the others at
 * their defaults), so a use that only some of the space breaks — `dense(x, width)` with
 * `width: int(0, 8)`, a real-valued range as a size — is reported at the use, naming the value.
 */
function probeSearchSpace(decl: ModelDecl, blocks: ReadonlyMap<string, BlockDecl>, diags: Diagnostics, source: string, model: ModelIR): void {
  const params = model.tune!.params;
  const defaults = new Map(params.map((p) => [p.name, defaultValue(p.distribution)]));
  const reported = new Set<string>();
  for (const p of params) {
    for (const v of probeValues(p.distribution)) {
      if (v === defaults.get(p.name)) continue;
      const scratch = new Diagnostics();
      lowerModel(decl, blocks, scratch, source, undefined, new Map([...defaults, [p.name, v]]));
      for (const d of scratch.list) {
        const key = `${d.span.start}:${d.span.end}:${d.message}`;
        if (reported.has(key)) continue;
        reported.add(key);
        diags.error(d.span, `${d.message} (with ${p.name} = ${valueText(p.distribution, v)} from the tune block)`);
      }
    }
  }
}
