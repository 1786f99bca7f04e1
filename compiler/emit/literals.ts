// Numbers and strings that end up in emitted code. Numbers print in their shortest exact
// form (round-trips to the same float64); strings go through JSON.stringify, never raw.
export function lit(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "0";
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}

export function str(s: string): string {
  // JSON.stringify leaves U+2028/U+2029 raw, which older parsers treat as line breaks.
  return JSON.stringify(s).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Source text made safe for a `//` comment: one line, no line terminators. */
export function commentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();
}
