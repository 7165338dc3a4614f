/** The engine against a brute-force model on random tables (D7 filters, D8 facets, D9 sort). */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Bitset } from "../../src/query/bitset.ts";
import { categoryFrom, Table } from "../../src/query/columns.ts";
import { type Filter, QueryEngine, type QuerySpec } from "../../src/query/engine.ts";
import { binOf, type Histogram, type ValueCounts } from "../../src/query/facets.ts";

interface Row {
  m1: number;
  m2: number;
  d1: number;
  c1: string | null;
  t1: string | null;
  s: number;
  tg: string[] | null;
}

const metric = fc.oneof(
  fc.constantFrom(Number.NaN, 0, -0, 1, -1, 0.5, 2.5, 1e9, -1e-9, Infinity, -Infinity),
  fc.double({ noNaN: false }),
);
const row: fc.Arbitrary<Row> = fc.record({
  m1: metric,
  m2: metric.map(Math.fround),
  d1: fc.oneof(fc.constant(Number.NaN), fc.integer({ min: 0, max: 2e12 })),
  c1: fc.constantFrom("a", "b", "B", "c", "é", null),
  t1: fc.oneof(fc.constant(null), fc.stringMatching(/^[abAB ]{0,6}$/)),
  s: fc.integer({ min: 0, max: 5 }),
  tg: fc.oneof(fc.constant(null), fc.subarray(["x", "y", "z"])),
});

const NUMERIC = ["m1", "m2", "d1"] as const;
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

function tableOf(rows: Row[]): Table {
  const t = new Table(rows.length);
  t.add({ kind: "metric", name: "m1", values: Float64Array.from(rows, (r) => r.m1), version: 0 });
  t.add({ kind: "metric", name: "m2", values: Float32Array.from(rows, (r) => r.m2), version: 0 });
  t.add({ kind: "date", name: "d1", values: Float64Array.from(rows, (r) => r.d1), version: 0 });
  t.add(
    categoryFrom(
      "c1",
      rows.map((r) => r.c1),
    ),
  );
  t.add({ kind: "text", name: "t1", values: rows.map((r) => r.t1), version: 0 });
  t.add({ kind: "star", name: "s", values: Uint8Array.from(rows, (r) => r.s), version: 0 });
  t.add({ kind: "tags", name: "tg", values: rows.map((r) => r.tg), version: 0 });
  return t;
}

const filter: fc.Arbitrary<Filter> = fc.oneof(
  fc.tuple(fc.constantFrom(...NUMERIC), metric, metric).map(([field, a, b]) => ({
    kind: "range" as const,
    field,
    lo: Math.min(a, b),
    hi: Math.max(a, b),
  })),
  fc
    .subarray(["a", "b", "B", "c", "é", null])
    .map((values) => ({ kind: "anyOf" as const, field: "c1", values })),
  fc
    .tuple(fc.constantFrom(["t1"], ["t1", "c1"], ["c1"]), fc.stringMatching(/^[abAB ]{0,2}$/))
    .map(([fields, needle]) => ({ kind: "contains" as const, fields, needle })),
  fc.subarray([0, 1, 2, 3, 4, 5]).map((values) => ({ kind: "stars" as const, field: "s", values })),
  fc.constantFrom("x", "y", "w").map((tag) => ({ kind: "tag" as const, field: "tg", tag })),
);

function fieldsOf(f: Filter): string[] {
  return f.kind === "contains" ? [...f.fields] : [f.field];
}

function holds(r: Row, f: Filter): boolean {
  switch (f.kind) {
    case "range": {
      const v = r[f.field as "m1"];
      return v >= f.lo && v <= f.hi;
    }
    case "anyOf":
      return f.values.includes(r.c1);
    case "contains": {
      const n = f.needle.toLowerCase();
      return f.fields.some((k) => {
        const v = r[k as "t1" | "c1"];
        return v?.toLowerCase().includes(n) === true;
      });
    }
    case "stars":
      return f.values.includes(r.s);
    case "tag":
      return r.tg?.includes(f.tag) ?? false;
  }
}

type SortField = "m1" | "m2" | "d1" | "c1" | "t1" | "s";

/** The reference order: a comparator sort, missing last both ways, ties in row order. */
function modelSort(rows: Row[], idx: number[], field: SortField, dir: "asc" | "desc"): number[] {
  const missing = (i: number) => {
    const v = rows[i]![field];
    return v === null || (typeof v === "number" && Number.isNaN(v));
  };
  const cmp = (a: number, b: number): number => {
    const x = rows[a]![field]!;
    const y = rows[b]![field]!;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : x > y ? 1 : 0;
    const sx = x as string;
    const sy = y as string;
    const c = collator.compare(sx, sy);
    if (c !== 0 || field === "t1") return c;
    return sx < sy ? -1 : sx > sy ? 1 : 0;
  };
  const present = idx.filter((i) => !missing(i));
  const absent = idx.filter(missing);
  present.sort((a, b) => (dir === "asc" ? cmp(a, b) : cmp(b, a)) || a - b);
  return [...present, ...absent];
}

const spec = fc.record({
  rows: fc.array(row, { maxLength: 140 }),
  filters: fc.array(filter, { maxLength: 3 }),
  sort: fc.option(
    fc.record({
      field: fc.constantFrom<SortField>("m1", "m2", "d1", "c1", "t1", "s"),
      dir: fc.constantFrom<"asc" | "desc">("asc", "desc"),
    }),
  ),
  base: fc.option(fc.tuple(fc.nat(150), fc.nat(150))),
  bins: fc.integer({ min: 1, max: 40 }),
});

describe("query engine vs brute force", () => {
  test("D7 D8 D9: filters, sort, histograms and value counts match the model", () => {
    fc.assert(
      fc.property(spec, ({ rows, filters, sort, base, bins }) => {
        const table = tableOf(rows);
        const engine = new QueryEngine(table);
        const range = base ? { start: Math.min(...base), end: Math.max(...base) } : null;
        const q: QuerySpec = {
          filters,
          sort,
          base: range ?? undefined,
          facets: ["m1", "m2", "d1", "c1"],
          bins,
        };
        const got = engine.run(q);
        // Twice: the second answer comes from the caches and must be the same.
        const again = engine.run(q);
        expect(Array.from(again.rows)).toEqual(Array.from(got.rows));
        // The second run's whole counts come from the kept ones (D8).
        expect(again.facets).toEqual(got.facets);

        const inBase = (i: number) => !range || (i >= range.start && i < range.end);
        const all = rows.map((_, i) => i).filter(inBase);
        const matching = all.filter((i) => filters.every((f) => holds(rows[i]!, f)));
        const expected = sort ? modelSort(rows, matching, sort.field, sort.dir) : matching;
        expect(Array.from(got.rows)).toEqual(expected);
        expect(got.total).toBe(matching.length);
        expect(got.baseTotal).toBe(all.length);

        for (const facet of got.facets) {
          const others = filters.filter((f) => !fieldsOf(f).includes(facet.field));
          const masked = all.filter((i) => others.every((f) => holds(rows[i]!, f)));
          if (facet.kind === "histogram") {
            const h = facet as Histogram;
            const key = facet.field as "m1" | "m2" | "d1";
            const present = rows.map((r) => r[key]).filter(Number.isFinite);
            const min = present.length ? Math.min(...present) : Number.NaN;
            const max = present.length ? Math.max(...present) : Number.NaN;
            // -0 and 0 are one value (which one Math.min picks does not matter).
            const z = (x: number) => (x === 0 ? 0 : x);
            expect(z(h.min)).toBe(z(min));
            expect(z(h.max)).toBe(z(max));
            const count = (set: number[]) => {
              const c = new Array(bins).fill(0);
              let miss = 0;
              for (const i of set) {
                const v = rows[i]![key];
                if (Number.isNaN(v)) miss++;
                else c[binOf(v, min, max, bins)]++;
              }
              return { c, miss };
            };
            const f = count(masked);
            const w = count(all);
            expect(h.counts).toEqual(f.c);
            expect(h.whole).toEqual(w.c);
            expect(h.missing).toBe(f.miss);
            expect(h.missingWhole).toBe(w.miss);
          } else {
            const v = facet as ValueCounts;
            for (const e of v.values) {
              expect(e.count).toBe(masked.filter((i) => rows[i]!.c1 === e.value).length);
              expect(e.whole).toBe(all.filter((i) => rows[i]!.c1 === e.value).length);
            }
            const seen = new Set(rows.map((r) => r.c1));
            seen.add(null);
            expect(new Set(v.values.map((e) => e.value))).toEqual(seen);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  test("D9: a head (top-k, or a cached order read until k rows) is the full order's first k rows", () => {
    const heads = fc.record({
      rows: fc.array(row, { maxLength: 300 }),
      filters: fc.array(filter, { maxLength: 2 }),
      field: fc.constantFrom<SortField>("m1", "m2", "d1", "c1", "s"),
      dir: fc.constantFrom<"asc" | "desc">("asc", "desc"),
      ties: fc.constantFrom<"keep" | "reverse">("keep", "reverse"),
      k: fc.integer({ min: 0, max: 320 }),
      cached: fc.boolean(),
    });
    fc.assert(
      fc.property(heads, ({ rows, filters, field, dir, ties, k, cached }) => {
        // Many ties: values drawn from a few, so the tie order is what is checked.
        const table = tableOf(rows.map((r, i) => (i % 3 === 0 ? r : { ...r, m1: i % 4, m2: 1 })));
        const q: QuerySpec = { filters, sort: { field, dir, ties } };
        const engine = new QueryEngine(table);
        // A first run that reads its rows leaves the order cached: the head then reads it.
        if (cached) void engine.run(q).rows;
        const head = Array.from(engine.run(q).head(k));
        const full = Array.from(new QueryEngine(table).run(q).rows);
        expect(head).toEqual(full.slice(0, k));
      }),
      { numRuns: 600 },
    );
  });

  test("D8: whole counts kept for a base follow a category changed in place (version bump)", () => {
    const t = new Table(4);
    const c = categoryFrom("c", ["a", "b", "a", null]);
    t.add(c);
    const e = new QueryEngine(t);
    const counts = () =>
      (e.run({ facets: ["c"] }).facets[0] as ValueCounts).values.map((v) => v.whole);
    expect(counts()).toEqual([1, 2, 1]);
    c.codes[3] = 2;
    c.version++;
    expect(counts()).toEqual([0, 2, 2]);
  });

  test("D9: a column whose values change (version bump) is sorted and filtered again", () => {
    const t = new Table(3);
    const values = Float64Array.from([3, 1, 2]);
    const col = { kind: "metric" as const, name: "m", values, version: 0 };
    t.add(col);
    const e = new QueryEngine(t);
    const range: Filter = { kind: "range", field: "m", lo: 2, hi: 3 };
    expect(Array.from(e.run({ sort: { field: "m", dir: "asc" } }).rows)).toEqual([1, 2, 0]);
    expect(Array.from(e.run({ filters: [range] }).rows)).toEqual([0, 2]);
    values[1] = 9;
    col.version++;
    expect(Array.from(e.run({ sort: { field: "m", dir: "asc" } }).rows)).toEqual([2, 0, 1]);
    expect(Array.from(e.run({ filters: [range] }).rows)).toEqual([0, 2]);
    values[0] = 0;
    col.version++;
    expect(Array.from(e.run({ filters: [range] }).rows)).toEqual([2]);
  });

  test("D7: a longer search needle is answered from the shorter one's rows, same result", () => {
    const texts = ["alpha", "alps", "beta", null, "ALPINE"];
    const t = new Table(texts.length).add({ kind: "text", name: "t", values: texts, version: 0 });
    const e = new QueryEngine(t);
    const q = (needle: string) =>
      Array.from(e.run({ filters: [{ kind: "contains", fields: ["t"], needle }] }).rows);
    expect(q("al")).toEqual([0, 1, 4]);
    expect(q("alp")).toEqual([0, 1, 4]);
    expect(q("alph")).toEqual([0]);
    expect(q("Alpi")).toEqual([4]);
  });
});

describe("bitset", () => {
  test("D6: ranges, counts and rows at word edges", () => {
    fc.assert(
      fc.property(fc.nat(200), fc.nat(220), fc.nat(220), (n, a, b) => {
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const bits = Bitset.range(n, lo, hi);
        const want: number[] = [];
        for (let i = lo; i < Math.min(hi, n); i++) want.push(i);
        expect(Array.from(bits.toRows())).toEqual(want);
        expect(bits.count()).toBe(want.length);
      }),
    );
  });
});
