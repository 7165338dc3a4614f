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
 * Above this many bytes of float vectors (rows × dim × 4) scores are computed from int8 codes
 * first (one scale per vector, a quarter of the bytes to stream through) and the best are then
 * scored again from the float vectors. Measured with bench/similar.ts (--rows): see README.
 */
export const INT8_MIN_BYTES = 16 * 2 ** 20;
/** Rows of a find-similar whose scores are exact (the float dot product): the first pages. */
export const EXACT_TOP = 256;

interface Quantised {
  codes: Int8Array;
  /** Per row: max |v| / 127 (0 for a zero vector). */
  scale: Float32Array;
}
const quantisedOf = new WeakMap<Float32Array, Quantised>();

/** Int8 codes of unit vectors, one scale per vector (made once per array: N × dim + 4N bytes). */
export function quantise(values: Float32Array, dim: number): Quantised {
  const hit = quantisedOf.get(values);
  if (hit) return hit;
  const n = dim === 0 ? 0 : values.length / dim;
  const codes = new Int8Array(values.length);
  const scale = new Float32Array(n);
  for (let r = 0, at = 0; r < n; r++, at += dim) {
    let m = 0;
    for (let j = 0; j < dim; j++) {
      const a = Math.abs(values[at + j]!);
      if (a > m) m = a;
    }
    if (m === 0) continue;
    const s = 127 / m;
    scale[r] = m / 127;
    for (let j = 0; j < dim; j++) codes[at + j] = Math.round(values[at + j]! * s);
  }
  const q = { codes, scale };
  quantisedOf.set(values, q);
  return q;
}

/**
 * Approximate dot products of every row with the float query `q`, from the int8 codes. The same
 * four-rows-at-a-time loop as the float one above, written out again on purpose: one function over
 * both array types would see two element kinds and lose the JIT's typed fast path (bench/similar.ts).
 */
export function int8Scores(qz: Quantised, dim: number, q: Float32Array): Float32Array {
  const { codes, scale } = qz;
  const n = scale.length;
  const out = new Float32Array(n);
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
      s0 += codes[a0 + j]! * x;
      s1 += codes[a1 + j]! * x;
      s2 += codes[a2 + j]! * x;
      s3 += codes[a3 + j]! * x;
    }
    out[r] = s0 * scale[r]!;
    out[r + 1] = s1 * scale[r + 1]!;
    out[r + 2] = s2 * scale[r + 2]!;
    out[r + 3] = s3 * scale[r + 3]!;
  }
  for (; r < n; r++) {
    let s0 = 0;
    for (let j = 0, at = r * dim; j < dim; j++) s0 += codes[at + j]! * q[j]!;
    out[r] = s0 * scale[r]!;
  }
  return out;
}

/** The float dot product of row r with q, summed in dotScores' order (so the same float). */
function exactDot(values: Float32Array, dim: number, r: number, q: Float32Array): number {
  let s = 0;
  for (let j = 0, at = r * dim; j < dim; j++) s += values[at + j]! * q[j]!;
  return s;
}

export interface SimilarScores {
  /** Score of every row; NaN for a missing vector. */
  scores: Float32Array;
  /** "int8": the first `exactTop` rows by score have their float scores, the rest int8 ones. */
  method: "float" | "int8";
}

/**
 * Scores of every row of an embedding column against row `of`. Small columns: the float dot
 * product (dotScores). Past INT8_MIN_BYTES: int8 scores for every row, then the float score for
 * the best candidates (4 × exactTop, at least 400) and for every other row whose int8 score
 * could still reach the exactTop-th float score (the int8 error of row i is at most
 * scale_i · ‖q‖₁ / 2), so the first `exactTop` rows, their order and their scores are exactly
 * those of the float path.
 */
export function similarScores(
  e: EmbeddingColumn,
  of: number,
  exactTop: number = EXACT_TOP,
  /** Where int8 starts (tests and the bench move it). */
  int8From: number = INT8_MIN_BYTES,
): SimilarScores {
  const { values, dim } = e;
  if (values.length * 4 < int8From) return { scores: dotScores(values, dim, of), method: "float" };
  const n = dim === 0 ? 0 : values.length / dim;
  const zero = missingRows(values, dim);
  if (zero[of]) return { scores: new Float32Array(n).fill(Number.NaN), method: "int8" };
  const qz = quantise(values, dim);
  const q = values.slice(of * dim, of * dim + dim);
  const scores = int8Scores(qz, dim, q);
  for (let i = 0; i < n; i++) if (zero[i]) scores[i] = Number.NaN;
  const exact = new Uint8Array(n);
  const rescore = (r: number) => {
    scores[r] = exactDot(values, dim, r, q);
    exact[r] = 1;
  };
  for (const r of topK(scores, Math.max(4 * exactTop, 400))) rescore(r);
  // The exactTop-th best float score so far: a row whose int8 score is further below it than
  // its error bound cannot be among the first exactTop.
  const best = topK(scores, exactTop);
  if (best.length === exactTop) {
    const bar = scores[best[exactTop - 1]!]!;
    let l1 = 0;
    for (let j = 0; j < dim; j++) l1 += Math.abs(q[j]!);
    const half = l1 / 2;
    for (let i = 0; i < n; i++)
      // (+1e-6: the int8 scores are rounded to Float32 too.)
      if (!exact[i] && scores[i]! + qz.scale[i]! * half + 1e-6 >= bar) rescore(i);
  }
  return { scores, method: "int8" };
}

/** Makes the int8 codes of a table's large embedding columns now (at load), not on the first query. */
export function prepareSimilarity(table: Table): void {
  for (const c of table.columns.values())
    if (c.kind === "embedding" && c.values.length * 4 >= INT8_MIN_BYTES) quantise(c.values, c.dim);
}

/** The k most similar rows to row `of`, best first (ties by row): exact, int8 first when large. */
export function topSimilar(
  e: EmbeddingColumn,
  of: number,
  k: number,
  int8From: number = INT8_MIN_BYTES,
): Uint32Array {
  return topK(similarScores(e, of, k, int8From).scores, k);
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
  const byTableRow = similarScores(e, of).scores;
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
