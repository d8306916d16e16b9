/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/**
 * Up to `max` names close to `wanted`: those sharing its prefix (pods carry generated suffixes,
 * so `api` should find `api-7d9f-x2k`), then those within a small edit distance.
 */
export function closestNames(wanted: string, names: readonly string[], max = 3): string[] {
  const unique = [...new Set(names)];
  const scored = unique
    .map((name) => ({ name, score: name.startsWith(wanted) || wanted.startsWith(name) ? 0 : editDistance(wanted, name) }))
    .filter((s) => s.score <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}
