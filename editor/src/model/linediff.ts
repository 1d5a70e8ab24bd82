// Which lines differ between two versions of a file, for the conflict banner's comparison
// of the text here with the one on disk: the user reads what the other program changed
// before choosing, without either text being replaced.
export type DiffLine = { kind: "same" | "mine" | "disk"; text: string };

/** Past this many cells the middle is shown as replaced whole: the table would cost more than the view is worth. */
const MAX_CELLS = 4_000_000;

/** The lines of `mine` and `disk` in order, each marked as in both, only here, or only on disk. */
export function lineDiff(mine: string, disk: string): DiffLine[] {
  const a = mine.split("\n");
  const b = disk.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const same = (text: string): DiffLine => ({ kind: "same", text });
  return [...a.slice(0, start).map(same), ...middle(a.slice(start, a.length - end), b.slice(start, b.length - end)), ...a.slice(a.length - end).map(same)];
}

/** The changed middle by longest common subsequence, so a line moved or edited inside a block does not mark the whole block. */
function middle(a: string[], b: string[]): DiffLine[] {
  const mineOnly = a.map((text): DiffLine => ({ kind: "mine", text }));
  const diskOnly = b.map((text): DiffLine => ({ kind: "disk", text }));
  if (!a.length || !b.length || a.length * b.length > MAX_CELLS) return [...mineOnly, ...diskOnly];
  const w = b.length + 1;
  // lcs[i * w + j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push(mineOnly[i++]!);
    else out.push(diskOnly[j++]!);
  }
  return [...out, ...mineOnly.slice(i), ...diskOnly.slice(j)];
}

/** The changed lines with `context` lines around each run of changes; a gap between runs is one `null`. */
export function changedHunks(lines: DiffLine[], context = 2): (DiffLine | null)[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.kind === "same") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: (DiffLine | null)[] = [];
  lines.forEach((l, i) => {
    if (keep[i]) out.push(l);
    else if (out.length && out[out.length - 1] !== null) out.push(null);
  });
  if (out[out.length - 1] === null) out.pop();
  return out;
}
