// What netc tune shows and writes about a finished search: the results table (printed, and as
// DIR/MODEL.tune.csv), and the winner as a plain .net file with its values in place of the
// tune block (DIR/MODEL.best.net).
import type { ModelDecl, Span } from "../../grammar/ast.js";
import { analyze } from "../../compiler/index.js";
import { tunedUses, valueText } from "../../compiler/lower/tune.js";
import type { TuneMetric, TuneSpec } from "../../compiler/model.js";
import { GENERATED_MARKER } from "../io.js";
import { compareScores } from "./search.js";
import { scoreAt, type TrialRecord } from "./record.js";

export interface Row {
  trial: TrialRecord;
  /** Epochs it trained in all, its last rung's scores, and what became of it. */
  epochs: number;
  loss: number | null;
  accuracy: number | null;
  status: string;
}

/** Trials that got furthest first, then by their last score. */
export function resultRows(trials: TrialRecord[], metric: TuneMetric, winner: number | null): Row[] {
  const reached = (t: TrialRecord) => t.rungs.length;
  const last = (t: TrialRecord) => ({ id: t.id, score: t.status === "diverged" || t.status === "failed" ? null : scoreAt(t, reached(t) - 1) });
  const ordered = [...trials].sort((a, b) => reached(b) - reached(a) || compareScores(metric, last(a), last(b)));
  return ordered.map((t) => {
    const s = t.rungs.at(-1);
    const m = s ? (s.val ?? s.train) : null;
    const status = t.id === winner ? "best" : t.status === "pruned" ? `pruned after ${s!.epoch} epochs` : t.status;
    return { trial: t, epochs: s?.epoch ?? 0, loss: m?.loss ?? null, accuracy: m?.accuracy ?? null, status };
  });
}

/** The table as CSV: trial, one column per hyperparameter, epochs, status, loss (and accuracy). */
export function resultsCsv(rows: Row[], spec: TuneSpec, validation: boolean, classifier: boolean): string {
  const split = validation ? "val" : "train";
  const header = ["trial", ...spec.params.map((p) => p.name), "epochs", "status", `${split}_loss`, ...(classifier ? [`${split}_acc`] : [])];
  const lines = rows.map((r) => {
    const values = spec.params.map((p) => valueText(p.distribution, r.trial.values.find(([n]) => n === p.name)![1]));
    const status = r.status.startsWith("pruned") ? "pruned" : r.status;
    return [String(r.trial.id), ...values, String(r.epochs), status, r.loss === null ? "" : String(r.loss), ...(classifier ? [r.accuracy === null ? "" : String(r.accuracy)] : [])].join(",");
  });
  return `${[header.join(","), ...lines].join("\n")}\n`;
}

/** The same table for the terminal, aligned, best first. */
export function resultsText(rows: Row[], spec: TuneSpec, classifier: boolean): string {
  const header = ["trial", ...spec.params.map((p) => p.name), "epochs", "loss", ...(classifier ? ["acc"] : []), "status"];
  const body = rows.map((r) => [
    String(r.trial.id),
    ...spec.params.map((p) => valueText(p.distribution, r.trial.values.find(([n]) => n === p.name)![1])),
    String(r.epochs),
    r.loss === null ? "-" : r.loss.toFixed(4),
    ...(classifier ? [r.accuracy === null ? "-" : `${(100 * r.accuracy).toFixed(1)}%`] : []),
    r.trial.message ? `${r.status}: ${r.trial.message}` : r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}

/**
 * The .net file with the winner's values: the model's tune block removed and every use of a
 * tuned name replaced by its value (as the choice was written, or the sampled number). The
 * rest of the file — other models, blocks, comments — is kept as it was.
 */
export function bestNetSource(source: string, modelName: string, values: ReadonlyMap<string, number>, spec: TuneSpec, header: string): string {
  const decl = analyze(source).program.decls.find((d): d is ModelDecl => d.kind === "model" && d.name.name === modelName)!;
  const tune = decl.body.find((s) => s.kind === "tune")!;
  const edits: { span: { start: number; end: number }; text: string }[] = [{ span: blockExtent(source, tune.span), text: "" }];
  for (const use of tunedUses(decl.body, new Set(values.keys()))) {
    const param = spec.params.find((p) => p.name === use.name)!;
    edits.push({ span: use.span, text: valueText(param.distribution, values.get(use.name)!) });
  }
  let out = source;
  for (const e of edits.sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, e.span.start) + e.text + out.slice(e.span.end);
  return `# ${GENERATED_MARKER} tune from ${header}\n${out}`;
}

/** The tune block's text with a `;` after it, or its whole line (comment included) when no statement shares it. */
function blockExtent(source: string, span: Span): { start: number; end: number } {
  let end = span.end;
  const after = /^[ \t]*;?/.exec(source.slice(end))![0];
  end += after.length;
  const lineStart = source.lastIndexOf("\n", span.start - 1) + 1;
  const before = source.slice(lineStart, span.start);
  const rest = /^[ \t]*(#[^\n]*)?(\r?\n|$)/.exec(source.slice(end));
  if (/^[ \t]*$/.test(before) && rest) {
    end += rest[0].length;
    // Right after `model NAME {`, a blank line that followed the block goes with it.
    const blank = /^[ \t]*\r?\n/.exec(source.slice(end));
    if (blank && /\{[ \t]*\r?\n$/.test(source.slice(0, lineStart))) end += blank[0].length;
    return { start: lineStart, end };
  }
  return { start: span.start, end };
}
