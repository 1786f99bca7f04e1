// The `tune { ... }` block: a search space of hyperparameters that the model and its `train`
// block use as constants, and the search's own settings.
//
//   tune { lr: loguniform(1e-4, 0.1); width: choice(16, 32, 64); trials 24; metric val_acc }
//
// A tuned name stands for one number. For a given point of the space (netc tune's trials) every
// use of the name in the model's body is replaced by that number before lowering, so each use
// is checked exactly like a literal written there; outside a search the name takes its default
// (defaultValue). Blocks do not see tuned names (lexical scope): pass them as arguments.
import type { Expr, Hyperparameter, Span, Stmt, TuneStmt } from "../../grammar/ast.js";
import type { Diagnostics } from "../../diagnostics/index.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import { TUNE_METRICS, type Distribution, type TuneMetric, type TuneSpec } from "../model.js";
import { constNumber } from "./calls.js";


export const DISTRIBUTIONS = ["choice", "uniform", "loguniform", "int"] as const;
export const TUNE_SETTINGS = ["trials", "metric"] as const;
export const DEFAULT_TRIALS = 20;
/** Sampled reals are rounded to this many significant digits, so the table and the best .net say exactly what was trained. */
const DIGITS = 6;

/** A point of the search space: a value for every tuned name. */
export type TunedValues = ReadonlyMap<string, number>;

/**
 * Reads a `tune` block, reporting every malformed distribution, range and setting. `broken`
 * gets the names whose distribution was rejected: their uses are not checked again.
 */
export function lowerTune(stmt: TuneStmt, diags: Diagnostics, text: (span: Span) => string, broken: Set<string>): TuneSpec {
  const spec: TuneSpec = { params: [], trials: DEFAULT_TRIALS, metric: "val_loss", metricSpan: null, span: stmt.span };
  for (const h of stmt.hyperparameters) {
    const prev = spec.params.find((p) => p.name === h.name.name);
    if (prev) {
      diags.error(h.name.span, `hyperparameter '${h.name.name}' is declared twice (first at line ${prev.span.line})`);
      continue;
    }
    const distribution = lowerDistribution(h, diags, text);
    if (distribution) spec.params.push({ name: h.name.name, span: h.name.span, distribution });
    else broken.add(h.name.name);
  }
  const seen = new Set<string>();
  for (const s of stmt.settings) {
    const name = s.name.name;
    if (!(TUNE_SETTINGS as readonly string[]).includes(name)) {
      const hint = (DISTRIBUTIONS as readonly string[]).includes(s.value.kind === "call" ? s.value.callee.name : "") ? ` (a hyperparameter needs a colon: '${name}: ${text(s.value.span)}')` : didYouMean(name, TUNE_SETTINGS);
      diags.error(s.name.span, `unknown tune setting '${name}'${hint} (a tune block holds 'NAME: distribution(...)' lines and the settings ${TUNE_SETTINGS.join(", ")})`);
      continue;
    }
    if (seen.has(name)) diags.error(s.name.span, `'${name}' is set twice`);
    seen.add(name);
    if (name === "trials") {
      const v = constNumber(s.value);
      if (v === undefined || !Number.isInteger(v) || v < 1 || v > 100_000) diags.error(s.value.span, `'trials' must be an integer from 1 to 100000, got '${text(s.value.span)}'`);
      else spec.trials = v;
    } else {
      const metric = s.value.kind === "name" ? s.value.name : text(s.value.span);
      if (!(TUNE_METRICS as readonly string[]).includes(metric)) diags.error(s.value.span, `unknown metric '${metric}'${didYouMean(metric, TUNE_METRICS)} (expected val_loss or val_acc)`);
      else {
        spec.metric = metric as TuneMetric;
        spec.metricSpan = s.value.span;
      }
    }
  }
  if (stmt.hyperparameters.length === 0) diags.error(stmt.span, `the tune block declares no hyperparameter (add a line like 'lr: loguniform(1e-4, 0.1)')`);
  return spec;
}

function lowerDistribution(h: Hyperparameter, diags: Diagnostics, text: (span: Span) => string): Distribution | undefined {
  const e = h.distribution;
  const usage = "choice(a, b, ...), uniform(lo, hi), loguniform(lo, hi) or int(lo, hi)";
  if (e.kind !== "call" || e.callee.name.includes(".")) {
    const what = constNumber(e) !== undefined ? `a fixed number is not a search space; write choice(${text(e.span)}, ...)` : `'${text(e.span)}' is not a distribution`;
    diags.error(e.span, `${what} (expected ${usage})`);
    return undefined;
  }
  const kind = e.callee.name;
  if (!(DISTRIBUTIONS as readonly string[]).includes(kind)) {
    diags.error(e.callee.span, `unknown distribution '${kind}'${didYouMean(kind, DISTRIBUTIONS)} (expected ${usage})`);
    return undefined;
  }
  const named = e.args.find((a) => a.name);
  if (named) {
    diags.error(named.name!.span, `${kind}'s arguments are plain numbers, not named ('${named.name!.name}:')`);
    return undefined;
  }
  const values: number[] = [];
  for (const a of e.args) {
    const v = constNumber(a.value);
    if (v === undefined || !Number.isFinite(v)) {
      diags.error(a.value.span, `the arguments of ${kind} must be numbers, got '${text(a.value.span)}'`);
      return undefined;
    }
    values.push(v);
  }
  if (kind === "choice") {
    if (values.length === 0) {
      diags.error(e.span, `choice needs at least one value: choice(16, 32, 64)`);
      return undefined;
    }
    const dup = values.findIndex((v, i) => values.indexOf(v) !== i);
    if (dup >= 0) {
      diags.error(e.args[dup]!.value.span, `choice lists ${values[dup]} twice`);
      return undefined;
    }
    return { kind, values, texts: e.args.map((a) => text(a.value.span).replace(/\s+/g, "")) };
  }
  if (values.length !== 2) {
    diags.error(e.span, `${kind} takes two numbers, the range's ends: ${kind}(${kind === "int" ? "1, 4" : kind === "loguniform" ? "1e-4, 0.1" : "0, 0.5"}), got ${values.length}`);
    return undefined;
  }
  const [lo, hi] = values as [number, number];
  const span = e.args[0]!.value.span;
  if (kind === "int" && !(Number.isSafeInteger(lo) && Number.isSafeInteger(hi))) {
    diags.error(e.args[Number.isSafeInteger(lo) ? 1 : 0]!.value.span, `int's ends must be integers, got ${text(e.args[Number.isSafeInteger(lo) ? 1 : 0]!.value.span)}`);
    return undefined;
  }
  if (!(lo < hi)) {
    diags.error(e.span, `the range of ${kind} is empty or reversed: ${lo} is not below ${hi}`);
    return undefined;
  }
  if (kind === "loguniform" && lo <= 0) {
    diags.error(span, `loguniform's range must be positive (it is uniform in the logarithm), got ${lo}`);
    return undefined;
  }
  return { kind, lo, hi } as Distribution;
}

/** The value a tuned name takes outside a search: the first choice, the middle of a range (geometric for loguniform). */
export function defaultValue(d: Distribution): number {
  switch (d.kind) {
    case "choice":
      return d.values[0]!;
    case "uniform":
      return round((d.lo + d.hi) / 2);
    case "loguniform":
      return round(Math.sqrt(d.lo * d.hi));
    case "int":
      return Math.floor((d.lo + d.hi) / 2);
  }
}

/** A value drawn with `u`, a uniform number in [0, 1). */
export function sample(d: Distribution, u: number): number {
  switch (d.kind) {
    case "choice":
      return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))]!;
    case "uniform":
      return round(d.lo + u * (d.hi - d.lo));
    case "loguniform":
      return round(Math.exp(Math.log(d.lo) + u * (Math.log(d.hi) - Math.log(d.lo))));
    case "int":
      return d.lo + Math.min(d.hi - d.lo, Math.floor(u * (d.hi - d.lo + 1)));
  }
}

/**
 * Values worth checking the model at: every choice, both ends of a range and a point inside it
 * that is not a whole number (so a real-valued range used as a width is caught).
 */
export function probeValues(d: Distribution): number[] {
  const inside = 0.381966; // 2 − φ: lands on no round number
  switch (d.kind) {
    case "choice":
      return d.values;
    case "int":
      return [d.lo, d.hi];
    case "uniform":
      return [d.lo, d.hi, round(d.lo + inside * (d.hi - d.lo))];
    case "loguniform":
      return [d.lo, d.hi, round(d.lo * (d.hi / d.lo) ** inside)];
  }
}

/** How a value is written into a .net file: a choice as its option was written, a real with DIGITS digits. */
export function valueText(d: Distribution, v: number): string {
  if (d.kind === "choice") return d.texts[d.values.indexOf(v)] ?? String(v);
  return String(v);
}

function round(v: number): number {
  return Number(v.toPrecision(DIGITS));
}

/** The statements' expressions with every tuned name replaced by its value (the tune block itself left out). */
export function substituteTuned(body: Stmt[], values: TunedValues): Stmt[] {
  const sub = (e: Expr): Expr => {
    switch (e.kind) {
      case "name": {
        const v = values.get(e.name);
        return v === undefined ? e : { kind: "num", value: v, text: e.name, span: e.span };
      }
      case "neg":
        return { ...e, operand: sub(e.operand) };
      case "binary":
        return { ...e, left: sub(e.left), right: sub(e.right) };
      case "call":
        return { ...e, args: e.args.map((a) => ({ ...a, value: sub(a.value) })) };
      default:
        return e;
    }
  };
  return body.filter((s) => s.kind !== "tune").map((s) => mapExprs(s, sub));
}

/** Where the tuned names are used in the model's body: the spans a substituted .net file rewrites. */
export function tunedUses(body: Stmt[], names: ReadonlySet<string>): { name: string; span: Span }[] {
  const uses: { name: string; span: Span }[] = [];
  const visit = (e: Expr): Expr => {
    if (e.kind === "name" && names.has(e.name)) uses.push({ name: e.name, span: e.span });
    if (e.kind === "neg") visit(e.operand);
    if (e.kind === "binary") (visit(e.left), visit(e.right));
    if (e.kind === "call") e.args.forEach((a) => visit(a.value));
    return e;
  };
  for (const s of body) if (s.kind !== "tune") mapExprs(s, visit);
  return uses.sort((a, b) => a.span.start - b.span.start);
}

function mapExprs(s: Stmt, f: (e: Expr) => Expr): Stmt {
  switch (s.kind) {
    case "param":
      return s.init ? { ...s, init: f(s.init) } : s;
    case "assign":
    case "unpack":
    case "loss":
      return { ...s, value: f(s.value) };
    case "return":
      return { ...s, values: s.values.map(f) };
    case "layers":
      return { ...s, layers: s.layers.map((l) => ({ ...l, args: l.args.map((a) => ({ ...a, value: f(a.value) })) })) };
    case "train":
      return { ...s, settings: s.settings.map((t) => ({ ...t, value: f(t.value), rest: t.rest.map(f) })) };
    default:
      return s;
  }
}
