/** D17: cosine scores and top-k against a brute-force model, on vectors whose answer is known. */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { dotScores, topK } from "../../src/query/similarity.ts";

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
