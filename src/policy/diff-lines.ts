/**
 * A line diff of two small texts (policy files), for the body of a policy-change record: every
 * line, prefixed " ", "-" or "+", like `diff -U<all>`. Longest common subsequence, O(n*m): fine
 * for files of a few hundred lines, which is what a policy file is.
 */
export function diffLines(before: string, after: string): string {
  const a = splitLines(before);
  const b = splitLines(after);
  // lcs[i][j] = length of the LCS of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  const at = (i: number, j: number): number => lcs[i]?.[j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i] ?? [];
    for (let j = b.length - 1; j >= 0; j--) row[j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i] ?? ""}`);
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || at(i + 1, j) >= at(i, j + 1))) {
      // Removed lines before added ones, as diff prints them.
      out.push(`-${a[i] ?? ""}`);
      i++;
    } else {
      out.push(`+${b[j] ?? ""}`);
      j++;
    }
  }
  return out.join("\n");
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
}
