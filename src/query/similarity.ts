/**
 * Find similar (issue 11): cosine similarity of every row's embedding to one
 * row's. Embeddings are unit length from load (src/dataset/detect.ts), so the
 * cosine is a dot product: one pass over the Float32Array, 4 bytes per value
 * (100,000 × 256 = 100 MB). An all-zero vector is a missing one: NaN score,
 * sorted last.
 */
import type { EmbeddingColumn, Table } from "./columns.ts";

/** The table's embedding column used for similarity (the first), or null. */
export function embeddingOf(table: Table): EmbeddingColumn | null {
  for (const c of table.columns.values()) if (c.kind === "embedding") return c;
  return null;
}

/** Rows whose vector is all zeros (missing), found once per array. */
const zeroRows = new WeakMap<Float32Array, Uint8Array>();
function missingRows(values: Float32Array, dim: number): Uint8Array {
  let z = zeroRows.get(values);
  if (z) return z;
  const n = dim === 0 ? 0 : values.length / dim;
  z = new Uint8Array(n);
  for (let r = 0, at = 0; r < n; r++, at += dim) {
    let any = false;
    for (let j = 0; j < dim && !any; j++) any = values[at + j] !== 0;
    if (!any) z[r] = 1;
  }
  zeroRows.set(values, z);
  return z;
}

/** Dot product of every row with row `of` (rows of the column's own order); NaN for a missing vector. */
export function dotScores(values: Float32Array, dim: number, of: number): Float32Array {
  const n = dim === 0 ? 0 : values.length / dim;
  const out = new Float32Array(n);
  const zero = missingRows(values, dim);
  if (zero[of]) return out.fill(Number.NaN);
  const q = values.slice(of * dim, of * dim + dim);
  // Four rows at a time: each query value is read once for four products, and the four sums are
  // independent chains (2.5× the plain loop here: bench/similar.ts).
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const a0 = r * dim;
    const a1 = a0 + dim;
    const a2 = a1 + dim;
    const a3 = a2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < dim; j++) {
      const x = q[j]!;
      s0 += values[a0 + j]! * x;
      s1 += values[a1 + j]! * x;
      s2 += values[a2 + j]! * x;
      s3 += values[a3 + j]! * x;
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < n; r++) {
    let s0 = 0;
    for (let j = 0, at = r * dim; j < dim; j++) s0 += values[at + j]! * q[j]!;
    out[r] = s0;
  }
  for (let i = 0; i < n; i++) if (zero[i]) out[i] = Number.NaN;
  return out;
}

/** The k highest scores' rows, best first (ties by row), NaN never included. */
export function topK(scores: Float32Array | Float64Array, k: number): Uint32Array {
  // A bounded min-heap of (score, row): O(n log k).
  const hs = new Float64Array(k);
  const hr = new Uint32Array(k);
  let size = 0;
  const worse = (a: number, b: number) => hs[a]! < hs[b]! || (hs[a] === hs[b] && hr[a]! > hr[b]!);
  const swap = (a: number, b: number) => {
    const s = hs[a]!;
    hs[a] = hs[b]!;
    hs[b] = s;
    const r = hr[a]!;
    hr[a] = hr[b]!;
    hr[b] = r;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let row = 0; row < scores.length; row++) {
    const s = scores[row]!;
    if (Number.isNaN(s)) continue;
    if (size < k) {
      hs[size] = s;
      hr[size] = row;
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (s > hs[0]!) {
      hs[0] = s;
      hr[0] = row;
      down(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort(
    (a, b) => hs[b]! - hs[a]! || hr[a]! - hr[b]!,
  );
  return Uint32Array.from(order, (i) => hr[i]!);
}

/**
 * Scores of every gallery row against the gallery row `ordinal`, through the rows' table rows
 * (the gallery's rows are in name order, the embedding in table order). Null without an
 * embedding column or when the image is not a table row.
 */
export function similarityTo(
  table: Table,
  rows: { sourceRowOf(row: number): number; current(): { rowCount: number } },
  ordinal: number,
): Float32Array | null {
  const e = embeddingOf(table);
  if (!e || ordinal < 0) return null;
  const of = rows.sourceRowOf(ordinal);
  if (of < 0) return null;
  const byTableRow = dotScores(e.values, e.dim, of);
  const n = rows.current().rowCount;
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const r = rows.sourceRowOf(o);
    out[o] = r < 0 ? Number.NaN : byTableRow[r]!;
  }
  return out;
}

/** True when the image at gallery `ordinal` has a vector (a row of the table, not all zeros): Find similar applies. */
export function hasVector(
  table: Table,
  rows: { sourceRowOf(row: number): number },
  ordinal: number,
): boolean {
  const e = embeddingOf(table);
  if (!e || ordinal < 0) return false;
  const of = rows.sourceRowOf(ordinal);
  return of >= 0 && missingRows(e.values, e.dim)[of] === 0;
}
