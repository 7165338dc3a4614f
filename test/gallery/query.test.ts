import { beforeAll, describe, expect, test } from "bun:test";
import { BrowseQuery, browseHref, browseParams } from "../../src/gallery/browse-query.ts";
import { GalleryIndex } from "../../src/gallery/gallery-index.ts";
import { type LabelFacts, QueryRunner, randomRank } from "../../src/gallery/run-query.ts";
import { tempDir, writeTree } from "../helpers/tree.ts";

class Labels {
  revision = 0;
  private map = new Map<string, LabelFacts>();
  get(path: string): LabelFacts {
    return (
      this.map.get(path) ?? {
        star: null,
        tags: [],
        notes: "",
        metrics: {},
        flag: null,
        color: null,
      }
    );
  }
  set(path: string, l: Partial<LabelFacts>) {
    this.map.set(path, { ...this.get(path), ...l });
    this.revision++;
  }
}

let index: GalleryIndex;
let labels: Labels;
let runner: QueryRunner;
const q = (o: Record<string, unknown> = {}) => BrowseQuery.parse(o);

beforeAll(async () => {
  const root = tempDir();
  await writeTree(root, {
    "b.jpg": { mtime: 3000, w: 40 },
    "a.jpg": { mtime: 1000, w: 10 },
    "c.jpg": { mtime: 2000, w: 80, h: 60 },
    "sub/d.jpg": { mtime: 500 },
    "sub/deep/e.jpg": { mtime: 4000 },
  });
  index = await GalleryIndex.build(root);
  labels = new Labels();
  runner = new QueryRunner(index, labels);
  labels.set("/a.jpg", { star: 5, tags: ["sky", "best"] });
  labels.set("/b.jpg", { star: 2, notes: "Golden hour" });
  labels.set("/sub/d.jpg", { star: 5, tags: ["sky"] });
});

const paths = (o: Record<string, unknown>) => runner.run(q(o)).map((i) => i.path);

describe("sort", () => {
  test("G4: name, asc and desc", () => {
    expect(paths({})).toEqual(["/a.jpg", "/b.jpg", "/c.jpg"]);
    expect(paths({ dir: "desc" })).toEqual(["/c.jpg", "/b.jpg", "/a.jpg"]);
  });
  test("G4: date and size", () => {
    expect(paths({ sort: "date" })).toEqual(["/a.jpg", "/c.jpg", "/b.jpg"]);
    const bySize = runner.run(q({ sort: "size" })).map((i) => i.size);
    expect([...bySize].sort((x, y) => x - y)).toEqual(bySize);
  });
  test("G4: stars (unrated counts as 0)", () => {
    expect(paths({ sort: "stars" })).toEqual(["/c.jpg", "/b.jpg", "/a.jpg"]);
  });
  test("G4: a metric, ascending or descending; images without it come last either way", () => {
    labels.set("/b.jpg", { metrics: { score: 0.9 } });
    labels.set("/c.jpg", { metrics: { score: 0.1, other: 5 } });
    expect(paths({ sort: "metric:score" })).toEqual(["/c.jpg", "/b.jpg", "/a.jpg"]);
    expect(paths({ sort: "metric:score", dir: "desc" })).toEqual(["/b.jpg", "/c.jpg", "/a.jpg"]);
    // The order follows the labels as they change.
    labels.set("/a.jpg", { metrics: { score: 0.5 } });
    expect(paths({ sort: "metric:score" })).toEqual(["/c.jpg", "/a.jpg", "/b.jpg"]);
    expect(paths({ sort: "metric:nobody-has-this" })).toEqual(paths({}));
    // Every image is "without it", so name order in both directions (as the grid always did).
    expect(paths({ sort: "metric:nobody-has-this", dir: "desc" })).toEqual(paths({}));
  });
  test("G4: random is seeded: stable for a seed, different across seeds", () => {
    const r1 = paths({ sort: "random", seed: 7, recursive: "1" });
    expect(paths({ sort: "random", seed: 7, recursive: "1" })).toEqual(r1);
    expect(new Set(r1)).toEqual(new Set(paths({ recursive: "1" })));
    const seeds = [1, 2, 3, 4, 5, 6].map((seed) =>
      paths({ sort: "random", seed, recursive: "1" }).join(),
    );
    expect(new Set(seeds).size).toBeGreaterThan(1);
    expect(randomRank(1, "/a")).toBe(randomRank(1, "/a"));
  });
});

describe("filter and search", () => {
  test("G5: stars: any subset, including unrated", () => {
    expect(paths({ stars: "5" })).toEqual(["/a.jpg"]);
    expect(paths({ stars: "unrated,2" })).toEqual(["/b.jpg", "/c.jpg"]);
    expect(paths({ stars: "0" })).toEqual(["/c.jpg"]);
    expect(paths({ stars: "5", recursive: "1" })).toEqual(["/a.jpg", "/sub/d.jpg"]);
  });
  test("G5: tag", () => {
    expect(paths({ tag: "sky", recursive: "1" })).toEqual(["/a.jpg", "/sub/d.jpg"]);
    expect(paths({ tag: "nope" })).toEqual([]);
  });
  test("G5: text search over name, tags and notes, case-insensitive", () => {
    expect(paths({ q: "GOLDEN" })).toEqual(["/b.jpg"]);
    expect(paths({ q: "best" })).toEqual(["/a.jpg"]);
    expect(paths({ q: "e.jpg", recursive: "1" })).toEqual(["/sub/deep/e.jpg"]);
  });
  test("G5: recursive view covers the whole subtree", () => {
    expect(paths({ folder: "/sub", recursive: "1" })).toEqual(["/sub/d.jpg", "/sub/deep/e.jpg"]);
    expect(paths({ folder: "/sub" })).toEqual(["/sub/d.jpg"]);
  });
  test("G5: results follow label changes (cache keyed by revision)", () => {
    expect(paths({ stars: "4" })).toEqual([]);
    labels.set("/c.jpg", { star: 4 });
    expect(paths({ stars: "4" })).toEqual(["/c.jpg"]);
    labels.set("/c.jpg", { star: null });
  });
});

describe("BrowseQuery", () => {
  test("G6: defaults, and a URL round-trip that drops defaults", () => {
    const d = q();
    expect(d).toMatchObject({
      folder: "/",
      recursive: false,
      sort: "name",
      dir: "asc",
      stars: [],
      size: 180,
    });
    expect(browseHref(d)).toBe("/");
    const full = q({
      folder: "a//b",
      recursive: "1",
      q: " x ",
      sort: "random",
      seed: "9",
      stars: "5,unrated",
      tag: "t",
      sel: "a/b/c.jpg",
      size: "220",
      view: "1",
    });
    expect(full.folder).toBe("/a/b");
    expect(full.q).toBe("x");
    const again = BrowseQuery.parse(Object.fromEntries(browseParams(full)));
    expect(again).toEqual(full);
    // A metric sort is one URL value and two parsed fields.
    const byMetric = q({ sort: "metric:aesthetic score", dir: "desc" });
    expect(byMetric).toMatchObject({ sort: "metric", metric: "aesthetic score" });
    expect(browseParams(byMetric).get("sort")).toBe("metric:aesthetic score");
    expect(BrowseQuery.parse(Object.fromEntries(browseParams(byMetric)))).toEqual(byMetric);
  });
  test("G9: bad values are refused with the field named", () => {
    for (const [field, value] of [
      ["folder", "../etc"],
      ["sort", "color"],
      ["sort", "metric:"],
      ["sort", `metric:${"x".repeat(200)}`],
      ["stars", "6"],
      ["size", "9999"],
      ["sel", "/a/../../b"],
    ]) {
      const r = BrowseQuery.safeParse({ [field as string]: value });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path[0]).toBe(field);
    }
  });
});

describe("flags and colours (G14)", () => {
  test("G14: flag filter: picks only, rejects only, unflagged, and !reject hides rejects", () => {
    labels.set("/a.jpg", { flag: "pick" });
    labels.set("/b.jpg", { flag: "reject" });
    try {
      expect(paths({ flag: "pick" })).toEqual(["/a.jpg"]);
      expect(paths({ flag: "reject" })).toEqual(["/b.jpg"]);
      expect(paths({ flag: "none" })).toEqual(["/c.jpg"]);
      expect(paths({ flag: "!reject" })).toEqual(["/a.jpg", "/c.jpg"]);
      expect(q({ flag: "!reject" }).flag).toEqual(["pick", "none"]);
      // Everything chosen is no filter, and has the filterless URL.
      expect(q({ flag: "pick,reject,none" }).flag).toEqual([]);
      expect(browseHref(q({ flag: "none, pick" }))).toBe("/?flag=pick%2Cnone");
    } finally {
      labels.set("/a.jpg", { flag: null });
      labels.set("/b.jpg", { flag: null });
    }
  });
  test("G14: colour filter: any subset of the five colours and none, !x all but x", () => {
    labels.set("/a.jpg", { color: "red" });
    labels.set("/c.jpg", { color: "purple" });
    try {
      expect(paths({ color: "red" })).toEqual(["/a.jpg"]);
      expect(paths({ color: "purple,red" })).toEqual(["/a.jpg", "/c.jpg"]);
      expect(paths({ color: "none" })).toEqual(["/b.jpg"]);
      expect(paths({ color: "!red" })).toEqual(["/b.jpg", "/c.jpg"]);
      expect(paths({ color: "red", flag: "pick" })).toEqual([]);
      expect(BrowseQuery.safeParse({ color: "orange" }).success).toBe(false);
      expect(BrowseQuery.safeParse({ flag: "maybe" }).error?.issues[0]?.path[0]).toBe("flag");
    } finally {
      labels.set("/a.jpg", { color: null });
      labels.set("/c.jpg", { color: null });
    }
  });
  test("G14: sort=flag puts rejects, unflagged, picks (desc: picks first), name order within", () => {
    labels.set("/c.jpg", { flag: "pick" });
    labels.set("/a.jpg", { flag: "reject" });
    try {
      expect(paths({ sort: "flag" })).toEqual(["/a.jpg", "/b.jpg", "/c.jpg"]);
      expect(paths({ sort: "flag", dir: "desc" })).toEqual(["/c.jpg", "/b.jpg", "/a.jpg"]);
      // The order follows the labels; desc reverses the whole order, ties included (as stars do).
      labels.set("/a.jpg", { flag: "pick" });
      expect(paths({ sort: "flag" })).toEqual(["/b.jpg", "/a.jpg", "/c.jpg"]);
      expect(paths({ sort: "flag", dir: "desc" })).toEqual(["/c.jpg", "/a.jpg", "/b.jpg"]);
    } finally {
      for (const p of ["/a.jpg", "/b.jpg", "/c.jpg"]) labels.set(p, { flag: null });
    }
  });
  test("G14: sort=taken orders by capture time, images without one last, and follows new facts", () => {
    const taken = new Map<string, number>([
      ["/b.jpg", 10],
      ["/c.jpg", 5],
    ]);
    const facts = {
      revision: 0,
      takenMs: (img: { path: string }) => taken.get(img.path),
    };
    const r = new QueryRunner(index, labels, 32, facts);
    const run = (o: Record<string, unknown>) => r.run(q(o)).map((i) => i.path);
    expect(run({ sort: "taken" })).toEqual(["/c.jpg", "/b.jpg", "/a.jpg"]);
    expect(run({ sort: "taken", dir: "desc" })).toEqual(["/b.jpg", "/c.jpg", "/a.jpg"]);
    taken.set("/a.jpg", 1);
    facts.revision++;
    expect(run({ sort: "taken" })).toEqual(["/a.jpg", "/c.jpg", "/b.jpg"]);
  });
});
