// A line-based unified diff (LCS), enough for `rlvrc fmt --diff` on spec files.

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  type Op = { tag: ' ' | '-' | '+'; line: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ops.push({ tag: ' ', line: a[i]!, ai: i, bi: j }); i++; j++; }
    // Deletions before insertions, as diff(1) prints them.
    else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) { ops.push({ tag: '-', line: a[i]!, ai: i, bi: j }); i++; }
    else { ops.push({ tag: '+', line: b[j]!, ai: i, bi: j }); j++; }
  }
  const changed = ops.map((o, k) => (o.tag !== ' ' ? k : -1)).filter(k => k >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let k = 0;
  while (k < changed.length) {
    let start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length, changed[k]! + context + 1);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end) { k++; end = Math.min(ops.length, changed[k]! + context + 1); }
    const hunk = ops.slice(start, end);
    const aStart = hunk[0]!.ai;
    const bStart = hunk[0]!.bi;
    const aLen = hunk.filter(o => o.tag !== '+').length;
    const bLen = hunk.filter(o => o.tag !== '-').length;
    out.push(`@@ -${aStart + (aLen > 0 ? 1 : 0)},${aLen} +${bStart + (bLen > 0 ? 1 : 0)},${bLen} @@`);
    for (const o of hunk) out.push(o.tag + o.line);
    k++;
    start = end;
  }
  return out.join('\n') + '\n';
}
