// Hover: the shape of every name (`h1: [B,16]`), the parameters a binding, layer or call makes
// with their count, and the documentation of functions, layers, settings and optimizers — all
// read from the compiler's own tables and from lowering.
import type { Hover } from "vscode-languageserver";
import { shapeToString } from "../compiler/ir/graph.js";
import { BUILTINS, INITIALIZERS, ownEntry } from "../compiler/lower/functions.js";
import { SCHEDULES, TRAIN_SETTINGS } from "../compiler/lower/train.js";
import { defaultValue } from "../compiler/lower/tune.js";
import { inputDecl, type ParamSpec } from "../compiler/model.js";
import { OPTIMIZER_DEFAULTS } from "../compiler/optim/index.js";
import type { Span } from "../grammar/ast.js";
import { paramsOf, rangeOf, sizeOf, type Analysis } from "./analysis.js";
import { definitionOf, symbolAt, type Decl } from "./symbols.js";
import { DISTRIBUTION_DOCS, SETTING_DOCS, TUNE_SETTING_DOCS } from "./docs.js";

export function hoverAt(a: Analysis, offset: number): Hover | null {
  const sym = symbolAt(a.program, offset);
  if (!sym) return null;
  const lines = describe(a, sym.decl, sym);
  return lines.length === 0 ? null : { contents: { kind: "markdown", value: lines.join("\n\n") }, range: rangeOf(a, sym.span) };
}

function describe(a: Analysis, decl: Decl, sym: NonNullable<ReturnType<typeof symbolAt>>): string[] {
  const model = decl.kind === "model" ? decl.name.name : undefined;
  switch (sym.kind) {
    case "decl":
      return decl.kind === "model" ? describeModel(a, decl.name.name) : [code(`block ${decl.name.name}(${decl.params.map((p) => p.name).join(", ")})`)];
    case "hyperparameter":
      return describeHyperparameter(a, sym.decl.name.name, sym.name);
    case "tune-setting": {
      const doc = TUNE_SETTING_DOCS[sym.name];
      return [code(sym.name), doc ?? `not a tune setting (expected one of: ${Object.keys(TUNE_SETTING_DOCS).join(", ")})`];
    }
    case "use":
    case "binder": {
      if (sym.name.includes(".")) return describeParam(a, decl, sym.name);
      if (sym.kind === "use" && decl.kind === "model" && tunedIn(decl, sym.name)) return describeHyperparameter(a, decl.name.name, sym.name);
      const def = sym.kind === "binder" ? sym.span : definitionOf(sym.name, decl);
      // Not a binding: an initializer (`init: he`) or a loss named alone (`loss bce`).
      if (!def && ownEntry(INITIALIZERS, sym.name)) return [code(sym.name), "initializer"];
      const fn = def ? undefined : ownEntry(BUILTINS, sym.name);
      if (fn) return [code(`${sym.name}(${fn.params.join(", ")})`), fn.doc];
      const shapes = def ? shapesAt(a, def) : [];
      const head = shapes.length > 0 ? shapes.map((s) => code(`${sym.name}: ${s}`)) : [code(sym.name)];
      return [...head, ...(model ? paramSummary(paramsOf(a, model).filter((p) => p.name.startsWith(`${sym.name}.`) || p.name === sym.name)) : [])];
    }
    case "callee": {
      const fn = ownEntry(BUILTINS, sym.name);
      const made = model ? paramsOf(a, model).filter((p) => sameSpan(p.span, sym.call.span)) : [];
      if (fn) return [code(`${sym.name}(${fn.params.join(", ")})`), fn.doc, ...paramSummary(made)];
      const defaults = ownEntry(OPTIMIZER_DEFAULTS, sym.name) ?? ownEntry(SCHEDULES, sym.name);
      if (defaults) return [code(`${sym.name}(${Object.keys(defaults).join(", ")})`), defaultsText(defaults)];
      const init = ownEntry(INITIALIZERS, sym.name);
      if (init) return [code(`${sym.name}(${init.join(", ")})`), "initializer"];
      const distribution = ownEntry(DISTRIBUTION_DOCS, sym.name);
      if (distribution) return [code(`${sym.name}(...)`), `distribution of a tune block's hyperparameter: ${distribution}`];
      const block = a.program.decls.find((d) => d.kind === "block" && d.name.name === sym.name);
      return block?.kind === "block" ? [code(`block ${block.name.name}(${block.params.map((p) => p.name).join(", ")})`)] : [];
    }
    case "layer": {
      const name = `layer${sym.index + 1}`;
      const shapes = shapesAt(a, sym.layer.span);
      const fn = ownEntry(BUILTINS, sym.name);
      const doc = fn ? [code(`${sym.name}(${fn.params.join(", ")})`), fn.doc] : [];
      const made = paramsOf(a, sym.decl.name.name).filter((p) => p.name.startsWith(`${name}.`));
      return [...shapes.map((s) => code(`${name}: ${s}`)), ...doc, ...paramSummary(made)];
    }
    case "setting": {
      const doc = SETTING_DOCS[sym.name];
      const value = sym.setting.value;
      const out = [code(sym.name), doc ?? (TRAIN_SETTINGS.includes(sym.name) ? "" : `not a training setting (expected one of: ${TRAIN_SETTINGS.join(", ")})`)];
      if (sym.name === "optimizer" && value.kind === "call") out.push(optimizerDoc(value.callee.name));
      return out.filter(Boolean);
    }
    case "argname":
      return [];
  }
}

/** Whether `name` is a hyperparameter of the model's tune block. */
function tunedIn(decl: Decl & { kind: "model" }, name: string): boolean {
  return decl.body.some((s) => s.kind === "tune" && s.hyperparameters.some((h) => h.name.name === name));
}

/** A hyperparameter: its distribution, and the value it takes outside a search. */
function describeHyperparameter(a: Analysis, model: string, name: string): string[] {
  const p = a.models.find((m) => m.name === model)?.tune?.params.find((q) => q.name === name);
  if (!p) return [code(name), "hyperparameter of the tune block"];
  const d = p.distribution;
  const text = d.kind === "choice" ? `choice(${d.texts.join(", ")})` : `${d.kind}(${d.lo}, ${d.hi})`;
  return [code(`${name}: ${text}`), `hyperparameter: netc tune tries values of this distribution; elsewhere (netc train, compile) it is ${defaultValue(d)}`];
}

function describeModel(a: Analysis, name: string): string[] {
  const m = a.models.find((x) => x.name === name);
  if (!m) return [code(`model ${name}`), "(shapes appear once the model has no errors)"];
  const total = m.params.reduce((n, p) => n + sizeOf(p.shape), 0);
  return [
    code(`model ${m.name}: ${inputDecl(m)} -> ${m.output.name}[${m.output.shape.join(", ")}]`),
    `${total} parameters in ${m.params.length} tensors; ${m.train.optimizer.kind} lr ${m.train.optimizer.lr}, ${m.train.epochs} epochs, batch ${m.train.batch}`,
  ];
}

function describeParam(a: Analysis, decl: Decl, name: string): string[] {
  if (decl.kind !== "model") return [code(name)];
  const p = paramsOf(a, decl.name.name).find((q) => q.name === name);
  if (!p) return [code(name)];
  return [code(`${name}: ${shapeToString(p.shape)}`), `parameter, ${sizeOf(p.shape)} values, initialized ${p.init.kind}; made at line ${p.span.line}`];
}

function optimizerDoc(kind: string): string {
  const defaults = ownEntry(OPTIMIZER_DEFAULTS, kind);
  if (!defaults) return `unknown optimizer (expected one of: ${Object.keys(OPTIMIZER_DEFAULTS).join(", ")})`;
  return `${kind}: ${defaultsText(defaults)}`;
}

function defaultsText(defaults: Record<string, number>): string {
  const entries = Object.entries(defaults);
  return entries.length === 0 ? "no arguments" : `defaults ${entries.map(([k, v]) => `${k} ${v}`).join(", ")}`;
}

/** Distinct shapes (or numbers) bound at `span`; a block's names have one per call. */
function shapesAt(a: Analysis, span: Span): string[] {
  const callers = new Map<string, string[]>();
  for (const b of a.bindings) {
    if (b.span.start !== span.start || b.span.end !== span.end) continue;
    const value = "shape" in b.value ? shapeToString(b.value.shape) : `${b.value.number}`;
    const list = callers.get(value) ?? [];
    if (b.caller !== undefined && !list.includes(b.caller)) list.push(b.caller);
    callers.set(value, list);
  }
  // Inside a block, one line per distinct value, with the calls (by binding) that gave it.
  return [...callers].map(([value, list]) =>
    list.length === 0 ? value : `${value} (in ${list.length > 4 ? `${list.slice(0, 3).join(", ")} and ${list.length - 3} more` : list.join(", ")})`);
}

function paramSummary(params: ParamSpec[]): string[] {
  if (params.length === 0) return [];
  const total = params.reduce((n, p) => n + sizeOf(p.shape), 0);
  return [`${total} parameter${total === 1 ? "" : "s"}: ${params.map((p) => `\`${p.name}\` ${shapeToString(p.shape)}`).join(", ")}`];
}

function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end;
}

function code(text: string): string {
  return "```netc\n" + text + "\n```";
}
