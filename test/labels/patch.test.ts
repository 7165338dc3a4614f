/** Patch semantics, pure: unit cases plus properties with fast-check. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  applyPatch,
  applyReplace,
  emptySidecar,
  isCommuting,
  type Labels,
  mergeMetrics,
  normalizeTags,
} from "../../src/labels/patch.ts";
import type { PatchFields } from "../../src/labels/schema.ts";

const tag = fc.oneof(
  fc.constantFrom("a", "b", " c ", "", "  ", "cat", "dog", "Cat"),
  fc.string({ maxLength: 6 }),
);
const tags = fc.array(tag, { maxLength: 8 });
const metricName = fc.constantFrom("score", "blur", "aesthetic", "__proto__", "x");
const metricPatch = fc.dictionary(
  metricName,
  fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  {
    maxKeys: 4,
  },
);
const labels: fc.Arbitrary<Labels> = fc.record({
  star: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  tags: tags.map(normalizeTags),
  notes: fc.string({ maxLength: 10 }),
  metrics: metricPatch.map((p) => mergeMetrics({}, p)),
  flag: fc.constantFrom(null, "pick" as const, "reject" as const),
  color: fc.constantFrom(null, "red" as const, "yellow" as const, "purple" as const),
});
const patchFields: fc.Arbitrary<PatchFields> = fc.record(
  {
    set_star: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    set_notes: fc.string({ maxLength: 10 }),
    set_tags: tags,
    add_tags: tags,
    remove_tags: tags,
    set_metrics: metricPatch,
    set_flag: fc.constantFrom(null, "pick" as const, "reject" as const),
    set_color: fc.constantFrom(null, "red" as const, "green" as const, "blue" as const),
  },
  { requiredKeys: [] },
);
const commutingPatch: fc.Arbitrary<PatchFields> = fc.record(
  { add_tags: tags, remove_tags: tags, set_metrics: metricPatch },
  { requiredKeys: [] },
);

describe("patch rules", () => {
  test("L1: a never-written item is version 1 with empty labels", () => {
    expect(emptySidecar("/x.jpg")).toEqual({
      path: "/x.jpg",
      star: null,
      tags: [],
      notes: "",
      metrics: {},
      flag: null,
      color: null,
      version: 1,
      updated_at: null,
      updated_by: null,
    });
  });

  test("L4: tags are trimmed, empties dropped, de-duplicated in order", () => {
    expect(normalizeTags([" b", "a ", "", "  ", "b", "a", "c"])).toEqual(["b", "a", "c"]);
    fc.assert(
      fc.property(tags, (t) => {
        const n = normalizeTags(t);
        expect(n.every((x) => x === x.trim() && x !== "")).toBe(true);
        expect(new Set(n).size).toBe(n.length);
        expect(normalizeTags(n)).toEqual(n);
        // order = first occurrence order of the trimmed tags
        const firsts = t
          .map((x) => x.trim())
          .filter((x, i, all) => x !== "" && all.indexOf(x) === i);
        expect(n).toEqual(firsts);
      }),
    );
  });

  test("L4: set_tags replaces, then remove_tags, then add_tags appends what is missing", () => {
    const cur: Labels = {
      star: null,
      tags: ["a", "b"],
      notes: "",
      metrics: {},
      flag: null,
      color: null,
    };
    expect(applyPatch(cur, { add_tags: ["c", "a"] }).labels.tags).toEqual(["a", "b", "c"]);
    expect(applyPatch(cur, { remove_tags: [" a "] }).labels.tags).toEqual(["b"]);
    expect(applyPatch(cur, { set_tags: ["z", "z", " y"] }).labels.tags).toEqual(["z", "y"]);
    // In both: add wins and the tag keeps its place.
    expect(applyPatch(cur, { remove_tags: ["a"], add_tags: ["a"] }).labels.tags).toEqual([
      "a",
      "b",
    ]);
    expect(applyPatch(cur, { remove_tags: ["a"], add_tags: ["a"] }).changed).toEqual([]);
  });

  test("L5: set_metrics merges; null removes; unknown null is a no-op", () => {
    const cur: Labels = {
      star: null,
      tags: [],
      notes: "",
      metrics: { a: 1, b: 2 },
      flag: null,
      color: null,
    };
    expect(applyPatch(cur, { set_metrics: { b: 3, c: 4 } }).labels.metrics).toEqual({
      a: 1,
      b: 3,
      c: 4,
    });
    expect(applyPatch(cur, { set_metrics: { a: null } }).labels.metrics).toEqual({ b: 2 });
    const noop = applyPatch(cur, { set_metrics: { zz: null, a: 1 } });
    expect(noop.changed).toEqual([]);
    expect(noop.labels.metrics).toBe(cur.metrics);
  });

  test("L5: a metric named __proto__ is an ordinary key", () => {
    const m = mergeMetrics({}, { ["__proto__"]: 5, constructor: 6 } as Record<string, number>);
    expect(Object.keys(m)).toEqual(["__proto__", "constructor"]);
    // No prototype: nothing is inherited under a metric's name.
    expect(Object.getPrototypeOf(m)).toBeNull();
    expect(Object.hasOwn(mergeMetrics(m, { constructor: null }), "constructor")).toBe(false);
  });

  test("L3: fields apply only when present, each to its own field", () => {
    fc.assert(
      fc.property(labels, patchFields, (cur, p) => {
        const { labels: next } = applyPatch(cur, p);
        if (p.set_star === undefined) expect(next.star).toBe(cur.star);
        if (p.set_notes === undefined) expect(next.notes).toBe(cur.notes);
        if (p.set_tags === undefined && p.add_tags === undefined && p.remove_tags === undefined) {
          expect(next.tags).toBe(cur.tags);
        }
        if (p.set_metrics === undefined) expect(next.metrics).toBe(cur.metrics);
        if (p.set_star !== undefined) expect(next.star).toBe(p.set_star);
        if (p.set_notes !== undefined) expect(next.notes).toBe(p.set_notes);
      }),
    );
  });

  test("L9: changed_fields is empty exactly when nothing differs", () => {
    fc.assert(
      fc.property(labels, patchFields, (cur, p) => {
        const { labels: next, changed } = applyPatch(cur, p);
        expect(changed.includes("star")).toBe(next.star !== cur.star);
        expect(changed.includes("notes")).toBe(next.notes !== cur.notes);
        expect(changed.includes("tags")).toBe(
          JSON.stringify(next.tags) !== JSON.stringify(cur.tags),
        );
        expect(changed.includes("metrics")).toBe(!sameMap(next.metrics, cur.metrics));
      }),
    );
  });

  test("I2: applying the same patch twice equals applying it once (so a replay can never drift)", () => {
    fc.assert(
      fc.property(labels, patchFields, (cur, p) => {
        const once = applyPatch(cur, p).labels;
        const twice = applyPatch(once, p);
        expect(twice.changed).toEqual([]);
        expect(twice.labels).toEqual(once);
      }),
    );
  });

  test("L8: commuting patches on disjoint tags and metrics keep both intents in either order", () => {
    const disjoint = fc.tuple(labels, commutingPatch, commutingPatch).filter(([, p, q]) => {
      const tp = new Set([...(p.add_tags ?? []), ...(p.remove_tags ?? [])].map((t) => t.trim()));
      const tq = [...(q.add_tags ?? []), ...(q.remove_tags ?? [])].map((t) => t.trim());
      const mp = new Set(Object.keys(p.set_metrics ?? {}));
      return (
        tq.every((t) => !tp.has(t)) && Object.keys(q.set_metrics ?? {}).every((m) => !mp.has(m))
      );
    });
    fc.assert(
      fc.property(disjoint, ([cur, p, q]) => {
        const pq = applyPatch(applyPatch(cur, p).labels, q).labels;
        const qp = applyPatch(applyPatch(cur, q).labels, p).labels;
        expect(new Set(pq.tags)).toEqual(new Set(qp.tags));
        expect(sameMap(pq.metrics, qp.metrics)).toBe(true);
        expect(pq.star).toBe(cur.star);
        expect(pq.notes).toBe(cur.notes);
      }),
    );
  });

  test("L8: only add/remove tags and set_metrics commute", () => {
    expect(isCommuting({})).toBe(true);
    expect(isCommuting({ add_tags: ["a"], remove_tags: ["b"], set_metrics: { s: 1 } })).toBe(true);
    expect(isCommuting({ set_star: 1 })).toBe(false);
    expect(isCommuting({ set_star: null })).toBe(false);
    expect(isCommuting({ set_notes: "" })).toBe(false);
    expect(isCommuting({ set_tags: [] })).toBe(false);
    expect(isCommuting({ add_tags: ["a"], set_star: 2 })).toBe(false);
  });

  test("L11: replace sets star, tags, notes (absent = empty) and metrics only when given", () => {
    const cur: Labels = {
      star: 4,
      tags: ["a"],
      notes: "n",
      metrics: { s: 1 },
      flag: "pick",
      color: "red",
    };
    const r = applyReplace(cur, { tags: [" b ", "b"] });
    expect(r.labels).toEqual({
      star: null,
      tags: ["b"],
      notes: "",
      metrics: { s: 1 },
      flag: "pick",
      color: "red",
    });
    expect(r.changed).toEqual(["star", "tags", "notes"]);
    expect(applyReplace(cur, { star: 4, tags: ["a"], notes: "n" }).changed).toEqual([]);
    expect(applyReplace(cur, { star: 4, tags: ["a"], notes: "n", metrics: {} }).changed).toEqual([
      "metrics",
    ]);
  });

  test("L19: set_flag and set_color set one value like a star, null clears, the same value is a no-op", () => {
    const cur = emptySidecar("/x.jpg");
    const picked = applyPatch(cur, { set_flag: "pick", set_color: "purple" });
    expect(picked.labels).toMatchObject({ flag: "pick", color: "purple" });
    expect(picked.changed).toEqual(["flag", "color"]);
    expect(applyPatch(picked.labels, { set_flag: "pick" }).changed).toEqual([]);
    expect(applyPatch(picked.labels, { set_flag: null }).labels.flag).toBeNull();
    expect(applyPatch(picked.labels, { set_color: "red" }).changed).toEqual(["color"]);
    // They overwrite a value the writer saw: a base version is needed.
    expect(isCommuting({ set_flag: "reject" })).toBe(false);
    expect(isCommuting({ set_color: null })).toBe(false);
  });

  test("L19: changed fields come in ChangedField order (answers pack them by it)", () => {
    fc.assert(
      fc.property(labels, patchFields, (cur, p) => {
        const { changed } = applyPatch(cur, p);
        const order = ["star", "tags", "notes", "metrics", "flag", "color"];
        const idx = changed.map((f) => order.indexOf(f));
        expect(idx).toEqual([...idx].sort((a, b) => a - b));
      }),
    );
  });

  test("L19: a PUT without flag or color keeps them (an old client never wipes them); with them, replaces", () => {
    const cur: Labels = {
      star: 1,
      tags: [],
      notes: "",
      metrics: {},
      flag: "reject",
      color: "blue",
    };
    expect(applyReplace(cur, { star: 1 }).changed).toEqual([]);
    const r = applyReplace(cur, { star: 1, flag: null, color: "green" });
    expect(r.labels).toMatchObject({ flag: null, color: "green" });
    expect(r.changed).toEqual(["flag", "color"]);
  });
});

function sameMap(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return JSON.stringify(ka) === JSON.stringify(kb) && ka.every((k) => a[k] === b[k]);
}
