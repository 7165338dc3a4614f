/** D9: a descending order with reversed ties (the grid's `dir=desc`, G4) against a brute-force model. */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { Bitset } from "../../src/query/bitset.ts";
import { Table } from "../../src/query/columns.ts";
import { QueryEngine } from "../../src/query/engine.ts";

test("D9: desc with ties reversed = value descending, ties by row descending, missing last in row order", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ v: fc.constantFrom(Number.NaN, 0, 1, 2, 2, -1, 0.5), keep: fc.boolean() }),
        {
          maxLength: 80,
        },
      ),
      (rows) => {
        const t = new Table(rows.length);
        t.add({
          kind: "metric",
          name: "m",
          values: Float64Array.from(rows, (r) => r.v),
          version: 0,
        });
        const base = Bitset.of(
          rows.length,
          rows.flatMap((r, i) => (r.keep ? [i] : [])),
        );
        const got = [
          ...new QueryEngine(t).run({ base, sort: { field: "m", dir: "desc", ties: "reverse" } })
            .rows,
        ];
        const kept = rows.map((r, i) => ({ ...r, i })).filter((r) => r.keep);
        const present = kept
          .filter((r) => !Number.isNaN(r.v))
          .sort((a, b) => b.v - a.v || b.i - a.i);
        const missing = kept.filter((r) => Number.isNaN(r.v));
        expect(got).toEqual([...present, ...missing].map((r) => r.i));
      },
    ),
    { numRuns: 500 },
  );
});
