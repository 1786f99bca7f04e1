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

/**
 * The candidate closest to `name`, if within a third of its length (at most 3 edits): one- and
 * two-letter names get no suggestion but a different case, since any short name is one edit
 * from another (`q` from `x`).
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    // A case-only difference (`Relu`, `h1.w`) counts as the smallest edit, whatever the length.
    const sameLetters = c.toLowerCase() === name.toLowerCase();
    if (!sameLetters && Math.abs(c.length - name.length) > limit) continue; // cheap: more edits than allowed
    const distance = sameLetters ? 0.5 : editDistance(name, c);
    if (distance <= Math.max(limit, 0.5) && distance < bestDistance) {
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
