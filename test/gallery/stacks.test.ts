/** The stack collapse (M6) against a plain model, on random views, groups and ranks. */
import { describe, expect, test } from "bun:test";
import { collapseStacks, frameRank } from "../../src/gallery/stacks.ts";

/** A small seeded generator (mulberry32): the same cases on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rule as written: groups with ≥ 2 rows → one card at the first's place, best frame shown. */
function model(rows: number[], groupOf: number[], rank: number[], expand: number) {
  const inView = new Map<number, number[]>();
  for (const o of rows) {
    const g = groupOf[o]!;
    if (g >= 0) inView.set(g, [...(inView.get(g) ?? []), o]);
  }
  const out: [number, number, boolean][] = [];
  const done = new Set<number>();
  for (const o of rows) {
    const g = groupOf[o]!;
    const members = g >= 0 ? inView.get(g)! : [];
    if (members.length < 2) {
      out.push([o, 0, false]);
      continue;
    }
    if (done.has(g)) continue;
    done.add(g);
    let best = members[0]!;
    for (const m of members) if (rank[m]! > rank[best]!) best = m;
    out.push([best, members.length, false]);
    if (g === expand) for (const m of members) if (m !== best) out.push([m, 0, true]);
  }
  return out;
}

describe("stack collapse (M6)", () => {
  test("M6: matches the model on 500 random views (order, front frames, sizes, open members, counts)", () => {
    const r = rng(12);
    for (let c = 0; c < 500; c++) {
      const n = 1 + Math.floor(r() * 60);
      const count = Math.floor(r() * 8);
      const groupOf = Array.from({ length: n }, () =>
        r() < 0.6 && count > 0 ? Math.floor(r() * count) : -1,
      );
      const rank = Array.from({ length: n }, () => Math.floor(r() * 5));
      // A filtered, shuffled view of the ordinals.
      const rows = [...Array(n).keys()].filter(() => r() < 0.8).sort(() => r() - 0.5);
      const expand = count > 0 && r() < 0.5 ? Math.floor(r() * count) : -1;
      const got = collapseStacks(
        Uint32Array.from(rows),
        { groupOf: Int32Array.from(groupOf), count, revision: 1 },
        (o) => rank[o]!,
        expand,
      );
      const want = model(rows, groupOf, rank, expand);
      expect([...got.rows]).toEqual(want.map((w) => w[0]));
      expect([...got.size]).toEqual(want.map((w) => w[1]));
      expect([...got.member].map(Boolean)).toEqual(want.map((w) => w[2]));
      expect(got.images).toBe(rows.length);
      expect(got.stacks).toBe(want.filter((w) => w[1] >= 2).length);
      expect(got.inStacks).toBe(want.reduce((s, w) => s + w[1], 0));
    }
  });

  test("M6: front frame rank: a pick beats any stars, a reject loses to an unrated frame", () => {
    expect(frameRank("pick", 0)).toBeGreaterThan(frameRank(null, 5));
    expect(frameRank(null, 0)).toBeGreaterThan(frameRank("reject", 5));
    expect(frameRank(null, 4)).toBeGreaterThan(frameRank(null, 3));
  });
});
