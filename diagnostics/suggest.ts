// "Did you mean ...?" for misspelt names: the closest candidate by edit distance, when it is
// close enough to be a likely typo. Shared by the CLI (commands, options) and the compiler
// (functions, activations, names, settings).

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** The candidate closest to `name`, if within a third of its length (at least 1, at most 3 edits). */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    // Case-only differences (`Relu`) count as one edit, whatever the length.
    const distance = c.toLowerCase() === name.toLowerCase() ? 1 : editDistance(name, c);
    if (distance <= limit && distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean 'relu'?)`, or "" when nothing is close; `quote` formats the candidate. */
export function didYouMean(name: string, candidates: Iterable<string>, quote = (s: string) => `'${s}'`): string {
  const best = closestName(name, candidates);
  return best === undefined ? "" : `; did you mean ${quote(best)}?`;
}
