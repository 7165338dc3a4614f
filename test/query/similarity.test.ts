/** D17: cosine scores and top-k against a brute-force model, on vectors whose answer is known. */
import { expect, test } from "bun:test";
import fc from "fast-check";
import {
  dotScores,
  INT8_MIN_BYTES,
  int8Scores,
  quantise,
  similarScores,
  topK,
  topSimilar,
} from "../../src/query/similarity.ts";

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return n === 0 ? v.map(() => 0) : v.map((x) => x / n);
};

test("D17: scores are cosines to the query row; a zero vector is NaN; top-k is the k best, ties by row", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 9, maxLength: 9 }), {
        minLength: 1,
        maxLength: 30,
      }),
      fc.integer({ min: 1, max: 10 }),
      (dim, raw, k) => {
        const rows = raw.map((r) => unit(r.slice(0, dim)));
        const values = Float32Array.from(rows.flat());
        const of = rows.length - 1;
        const scores = dotScores(values, dim, of);
        const f = (x: number) => Math.fround(x);
        rows.forEach((r, i) => {
          const zero = r.every((x) => x === 0) || rows[of]!.every((x) => x === 0);
          if (zero) expect(Number.isNaN(scores[i]!)).toBe(true);
          else
            expect(scores[i]!).toBeCloseTo(
              r.reduce((s, x, j) => s + f(x) * f(rows[of]![j]!), 0),
              4,
            );
        });
        const model = [...scores.keys()]
          .filter((i) => !Number.isNaN(scores[i]!))
          .sort((a, b) => scores[b]! - scores[a]! || a - b)
          .slice(0, k);
        expect([...topK(scores, k)]).toEqual(model);
      },
    ),
    { numRuns: 300 },
  );
  // Known answer: along one axis, then at 45°, then orthogonal, then opposite.
  const v = Float32Array.from([1, 0, 0.6, 0.8, 0, 1, -1, 0]);
  expect([...topK(dotScores(v, 2, 0), 4)]).toEqual([0, 1, 2, 3]);
});

/** Unit vectors around 32 centres (like real embeddings: neighbours exist), seeded. */
function clustered(rows: number, dim: number): Float32Array {
  let seed = 11;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const centres = Array.from({ length: 32 }, () => Float32Array.from({ length: dim }, rand));
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = centres[r % 32]!;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = c[j]! + rand() * 0.8;
      out[r * dim + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < dim; j++) out[r * dim + j]! /= Math.sqrt(norm);
  }
  return out;
}

const column = (values: Float32Array, dim: number) => ({
  kind: "embedding" as const,
  name: "e",
  dim,
  values,
  version: 0,
});

test("D17: from INT8_MIN_BYTES of float vectors find-similar scores int8 codes first; below, floats only", () => {
  const dim = 64;
  const rows = INT8_MIN_BYTES / (dim * 4);
  const big = column(clustered(rows, dim), dim);
  expect(similarScores(big, 3).method).toBe("int8");
  const small = column(big.values.subarray(0, (rows - 1) * dim), dim);
  expect(similarScores(small, 3).method).toBe("float");
  // Known answer through the int8 path too: the row itself first, with score 1 (its float dot).
  const top = topSimilar(big, 3, 10);
  expect(top[0]).toBe(3);
  expect(similarScores(big, 3).scores[3]).toBe(dotScores(big.values, dim, 3)[3]!);
});

test("D17: int8 recall@100 ≥ 0.95 on clustered vectors; after the float re-rank the top 100 is the float one (rows, order, scores)", () => {
  const dim = 96;
  const values = clustered(20_000, dim);
  const e = column(values, dim);
  const qz = quantise(values, dim);
  let recall = 0;
  const queries = [0, 17, 4242, 19_999, 12_345];
  for (const of of queries) {
    const float = dotScores(values, dim, of);
    const want = topK(float, 100);
    const approx = topK(int8Scores(qz, dim, values.slice(of * dim, of * dim + dim)), 100);
    const exact = new Set(want);
    recall += approx.filter((r) => exact.has(r)).length / 100 / queries.length;
    const got = similarScores(e, of, 100, 0);
    expect(got.method).toBe("int8");
    const top = topK(got.scores, 100);
    expect([...top]).toEqual([...want]);
    for (const r of top) expect(got.scores[r]).toBe(float[r]!);
  }
  expect(recall).toBeGreaterThanOrEqual(0.95);
});

test("D17: the int8 path's top k equals the float top k on vectors full of ties and zero rows", () => {
  // More rows than the 400 re-ranked candidates: the error bound decides who else is re-scored.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 6, maxLength: 6 }), {
        minLength: 401,
        maxLength: 700,
      }),
      fc.integer({ min: 1, max: 12 }),
      fc.nat(),
      (dim, raw, k, pick) => {
        const rows = raw.map((r) => unit(r.slice(0, dim)));
        const values = Float32Array.from(rows.flat());
        const of = pick % rows.length;
        const float = dotScores(values, dim, of);
        const got = similarScores(column(values, dim), of, k, 0).scores;
        const top = [...topK(got, k)];
        expect(top).toEqual([...topK(float, k)]);
        for (const r of top) expect(got[r]).toBe(float[r]!);
      },
    ),
    { numRuns: 60 },
  );
});

test("D17: near-duplicates closer than the int8 error: rows past the candidates are re-scored, the top stays the float top", () => {
  // 3,000 vectors within 1e-4 of one direction: int8 cannot tell them apart, the float can.
  const dim = 32;
  const n = 3000;
  let seed = 5;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const values = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = 1 / Math.sqrt(dim) + rand() * 1e-4;
      values[r * dim + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < dim; j++) values[r * dim + j]! /= Math.sqrt(norm);
  }
  const float = dotScores(values, dim, 0);
  const got = similarScores(column(values, dim), 0, 50, 0).scores;
  expect([...topK(got, 50)]).toEqual([...topK(float, 50)]);
});
