// Golden files: text a test expects byte for byte, kept under test/golden/. A mismatch fails
// with the first differing lines; after an intended change, `UPDATE_GOLDEN=1 npx vitest run
// <test file>` rewrites the files instead of comparing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const GOLDEN_DIR = new URL("../golden/", import.meta.url);
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === "1";

/** Compares `actual` with test/golden/`path` (or writes it under UPDATE_GOLDEN=1). */
export function expectGolden(path: string, actual: string, testFile: string): void {
  const file = fileURLToPath(new URL(path, GOLDEN_DIR));
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, "utf8") !== actual) writeFileSync(file, actual);
    return;
  }
  const update = `UPDATE_GOLDEN=1 npx vitest run ${testFile}`;
  if (!existsSync(file)) throw new Error(`test/golden/${path} is missing; create it with ${update}`);
  const golden = readFileSync(file, "utf8");
  if (golden !== actual) throw new Error(`output differs from test/golden/${path} (if intended: ${update})\n${firstDiff(golden, actual)}`);
}

/**
 * The first hunk where `actual` departs from `expected`, as a unified-style diff (`-` golden,
 * `+` actual), aligned by a longest-common-subsequence over a window of lines.
 */
export function firstDiff(expected: string, actual: string, context = 3, maxLines = 60, window = 400): string {
  const ea = expected.split("\n");
  const eb = actual.split("\n");
  let start = 0;
  while (start < ea.length && start < eb.length && ea[start] === eb[start]) start++;
  const a = ea.slice(start, start + window);
  const b = eb.slice(start, start + window);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out = [`@@ golden line ${start + 1}, emitted line ${start + 1} @@`];
  for (let k = Math.max(0, start - context); k < start; k++) out.push(`  ${ea[k]}`);
  let i = 0, j = 0, same = 0, changed = 0;
  while ((i < a.length || j < b.length) && same <= context && changed < maxLines) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++, j++, same++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i++]}`);
      same = 0, changed++;
    } else {
      out.push(`+ ${b[j++]}`);
      same = 0, changed++;
    }
  }
  if (changed >= maxLines) out.push("  ...");
  return out.join("\n");
}
