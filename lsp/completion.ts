// Completion from the compiler's own tables, chosen by where the cursor is: settings, optimizers,
// schedules and hyperparameters inside `train { }`; layer kinds and activations inside
// `layers { }`; initializers after `init:`; keywords at the start of a statement; functions,
// blocks and the names in scope inside expressions. Works on text that does not parse yet.
import type { CompletionItem, CompletionItemKind } from "vscode-languageserver";
import { BUILTINS, INITIALIZERS, LOSSES } from "../compiler/lower/functions.js";
import { LAYER_ACTIVATIONS, LAYER_KINDS } from "../compiler/lower/layers.js";
import { SCHEDULES, TRAIN_SETTINGS } from "../compiler/lower/train.js";
import { OPTIMIZER_DEFAULTS } from "../compiler/optim/index.js";
import { KEYWORDS } from "../grammar/tokens.js";
import type { Analysis } from "./analysis.js";
import { SETTING_DOCS } from "./docs.js";
import { namesIn } from "./symbols.js";

// CompletionItemKind values (LSP): kept as numbers so this module loads no LSP runtime.
const KIND = { function: 3, variable: 6, module: 9, property: 10, value: 12, keyword: 14, class: 7 } as const satisfies Record<string, CompletionItemKind>;

const MODEL_KEYWORDS = KEYWORDS.map((k) => k.name.toLowerCase()).filter((k) => k !== "model" && k !== "block" && k !== "return");

export function completionsAt(a: Analysis, offset: number): CompletionItem[] {
  const before = a.text.slice(0, offset);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  // The statement so far on this line (after the last `;` or `{`).
  const stmt = line.slice(Math.max(line.lastIndexOf(";"), line.lastIndexOf("{")) + 1).trimStart();
  const block = enclosing(before);

  if (/\binit\s*:\s*\w*$/.test(stmt) || /=\s*\w*$/.test(stmt) && /^param\b/.test(stmt)) return initializers();
  if (block === "train") {
    const opt = /\boptimizer\s+(\w+)\s*\([^)]*$/.exec(stmt);
    if (opt) return Object.keys(OPTIMIZER_DEFAULTS[opt[1] as keyof typeof OPTIMIZER_DEFAULTS] ?? {}).map((k) => item(k, KIND.property, `${k}: ${OPTIMIZER_DEFAULTS[opt[1] as keyof typeof OPTIMIZER_DEFAULTS][k]}`));
    const sched = /\bschedule\s+(\w+)\s*\([^)]*$/.exec(stmt);
    if (sched) return Object.keys(SCHEDULES[sched[1]!] ?? {}).map((k) => item(k, KIND.property, `${k}: ${SCHEDULES[sched[1]!]![k]}`));
    if (/^optimizer\s+\w*$/.test(stmt)) return optimizers();
    if (/^schedule\s+\w*$/.test(stmt)) return Object.entries(SCHEDULES).filter(([k]) => k !== "constant").map(([k, v]) => item(k, KIND.function, `${k}(${Object.keys(v).join(", ")})`, defaultsText(v)));
    if (/^\w*$/.test(stmt)) return TRAIN_SETTINGS.map((s) => item(s, KIND.keyword, s, SETTING_DOCS[s]));
    return [];
  }
  if (block === "layers") {
    if (/^\w*$/.test(stmt)) return [...LAYER_KINDS.map((k) => builtin(k, KIND.class)), ...activations()];
    if (/^\w+\s.*\s\w*$/.test(stmt) || /^\w+\s+\w*$/.test(stmt)) return activations();
    return [];
  }
  if (block === "top") return ["model", "block"].map((k) => item(k, KIND.keyword, k));
  const decl = a.program.decls.find((d) => d.span.start <= offset && offset <= d.span.end);
  const scope = decl ? namesIn(decl).map((n) => item(n, KIND.variable, n)) : [];
  const blocks = a.program.decls.filter((d) => d.kind === "block").map((d) => item(d.name.name, KIND.module, `block ${d.name.name}(${d.kind === "block" ? d.params.map((p) => p.name).join(", ") : ""})`));
  if (/^\w*$/.test(stmt)) {
    const keywords = block === "block" ? ["return"] : MODEL_KEYWORDS;
    return [...keywords.map((k) => item(k, KIND.keyword, k)), ...scope];
  }
  if (/^loss\s+\w*$/.test(stmt)) return [...LOSSES.map((l) => builtin(l, KIND.function)), ...functions(), ...blocks, ...scope];
  return [...functions(), ...blocks, ...scope];
}

/** The innermost `{ }` the cursor is in: "train", "layers", "model", "block", or "top". */
function enclosing(before: string): "train" | "layers" | "model" | "block" | "top" {
  const stack: string[] = [];
  const text = before.replace(/#[^\n]*/g, "");
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "{") {
      // The statement that opens the brace: `model xor {`, `block res(x, n) {`, `train {`.
      const start = Math.max(...["\n", ";", "{", "}"].map((c) => text.lastIndexOf(c, i - 1))) + 1;
      stack.push(/^\s*(\w+)/.exec(text.slice(start, i))?.[1] ?? "");
    } else if (text[i] === "}") stack.pop();
  }
  const top = stack[stack.length - 1];
  if (top === undefined) return "top";
  if (top === "train" || top === "layers" || top === "block") return top;
  return stack[0] === "block" ? "block" : "model";
}

function item(label: string, kind: CompletionItemKind, detail: string, doc?: string): CompletionItem {
  return doc ? { label, kind, detail, documentation: doc } : { label, kind, detail };
}

function builtin(name: string, kind: CompletionItemKind): CompletionItem {
  const sig = BUILTINS[name];
  return sig ? item(name, kind, `${name}(${sig.params.join(", ")})`, sig.doc) : item(name, kind, name);
}

function functions(): CompletionItem[] {
  return Object.keys(BUILTINS).map((name) => builtin(name, KIND.function));
}

function activations(): CompletionItem[] {
  return LAYER_ACTIVATIONS.map((name) => builtin(name, KIND.function));
}

function optimizers(): CompletionItem[] {
  return Object.entries(OPTIMIZER_DEFAULTS).map(([k, v]) => item(k, KIND.function, `${k}(${Object.keys(v).join(", ")})`, defaultsText(v)));
}

function initializers(): CompletionItem[] {
  return Object.entries(INITIALIZERS).map(([k, params]) => item(k, KIND.value, params.length > 0 ? `${k}(${params.join(", ")})` : k));
}

function defaultsText(v: Record<string, number>): string {
  const entries = Object.entries(v);
  return entries.length === 0 ? "no arguments" : `defaults: ${entries.map(([k, x]) => `${k} ${x}`).join(", ")}`;
}
