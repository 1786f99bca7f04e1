// Sections of bench/RESULTS.md written by other scripts (bench/startup.ts), between
// `<!-- NAME:begin -->` and `<!-- NAME:end -->`: a full benchmark run rewrites the file and keeps them.

const SECTION = /<!-- ([\w-]+):begin -->[\s\S]*?<!-- \1:end -->\n?/g;

/** `next` with every marked section of `previous` that `next` lacks appended. */
export function keepMarkedSections(previous: string, next: string): string {
  let out = next;
  for (const m of previous.matchAll(SECTION)) {
    if (!out.includes(`<!-- ${m[1]}:begin -->`)) out = `${out.trimEnd()}\n\n${m[0].trimEnd()}\n`;
  }
  return out;
}

/** `text` with section `name` replaced by `body` (appended when absent). */
export function replaceSection(text: string, name: string, body: string): string {
  const block = `<!-- ${name}:begin -->\n${body.trimEnd()}\n<!-- ${name}:end -->\n`;
  const re = new RegExp(`<!-- ${name}:begin -->[\\s\\S]*?<!-- ${name}:end -->\\n?`);
  return re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n${block}`;
}
