/**
 * A small word diff of two texts (theirs → yours), for the conflict box: the words both share, the words only
 * in theirs, the words only in yours. A token is a word with the spaces after it, so joining the parts gives
 * your text back (words compare without their spaces); between two shared runs, all of theirs comes first, then all of yours (readable, not
 * interleaved word by word).
 * Pure. Common prefix and suffix are cut first; the middle is diffed by LCS when small enough, else shown as
 * one removal and one addition (a 20,000-character note must not cost seconds).
 */
export type DiffPart = { kind: "same" | "theirs" | "yours"; text: string };

const MAX_CELLS = 250_000;

export function wordDiff(theirs: string, yours: string): DiffPart[] {
  const a = tokens(theirs);
  const b = tokens(yours);
  const same = (i: number, j: number) => a[i]!.trim() === b[j]!.trim();
  let start = 0;
  while (start < a.length && start < b.length && same(start, start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && same(endA - 1, endB - 1)) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  // Changes since the last shared run, kept apart until the next one.
  let changed = { theirs: "", yours: "" };
  const flush = () => {
    for (const kind of ["theirs", "yours"] as const)
      if (changed[kind]) parts.push({ kind, text: changed[kind] });
    changed = { theirs: "", yours: "" };
  };
  const push = (kind: DiffPart["kind"], text: string) => {
    if (!text) return;
    if (kind !== "same") {
      changed[kind] += text;
      return;
    }
    flush();
    const last = parts[parts.length - 1];
    if (last?.kind === "same") last.text += text;
    else parts.push({ kind, text });
  };
  push("same", b.slice(0, start).join(""));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > MAX_CELLS) {
    push("theirs", midA.join(""));
    push("yours", midB.join(""));
  } else {
    for (const [kind, text] of lcsDiff(midA, midB)) push(kind, text);
  }
  push("same", b.slice(endB).join(""));
  flush();
  return parts;
}

function tokens(s: string): string[] {
  return s.match(/^\s+|\S+\s*/g) ?? [];
}

function lcsDiff(a: string[], b: string[]): [DiffPart["kind"], string][] {
  const eq = (i: number, j: number) => a[i]!.trim() === b[j]!.trim();
  const n = a.length;
  const m = b.length;
  // lengths[i][j]: LCS of a[i..] and b[j..], in one flat array.
  const w = m + 1;
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i * w + j] = eq(i, j)
        ? len[(i + 1) * w + j + 1]! + 1
        : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
  const out: [DiffPart["kind"], string][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (eq(i, j)) {
      out.push(["same", b[j]!]);
      i++;
      j++;
    } else if (len[(i + 1) * w + j]! >= len[i * w + j + 1]!) out.push(["theirs", a[i++]!]);
    else out.push(["yours", b[j++]!]);
  }
  while (i < n) out.push(["theirs", a[i++]!]);
  while (j < m) out.push(["yours", b[j++]!]);
  return out;
}
