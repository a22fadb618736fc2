// "Did you mean": names close to a typo, by edit distance. Used by the checker, the CLI and the run layer
// (which is why it lives in util: the runtime must not import the compiler).

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: 'gruop' → 'group' is 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The candidate nearest to `name`, when within a third of its length (at least 1, at most 3 edits). */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    // Case-only differences are the likeliest typo of all.
    const dist = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (dist < bestDistance || (dist === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = dist;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** The `count` candidates nearest to `name`, however far (for listing ids when one is unknown). */
export function nearest(name: string, candidates: Iterable<string>, count = 5): string[] {
  return [...candidates]
    .map(c => ({ c, d: editDistance(name, c) }))
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : 1))
    .slice(0, count)
    .map(x => x.c);
}

/** Up to `max` candidates close to `word`: within a third of its length (at least 2), and never a total rewrite. */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...new Set(candidates)]
    .map(c => ({ c, d: editDistance(word, c) }))
    .filter(x => x.d <= limit && x.d < word.length)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(x => x.c);
}
