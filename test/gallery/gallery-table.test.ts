/** D16: the gallery's engine table follows label writes row by row, and the index's changes whole. */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BrowseQuery } from "../../src/gallery/browse-query.ts";
import { GalleryIndex } from "../../src/gallery/gallery-index.ts";
import { FIELD, type LabelFacts } from "../../src/gallery/gallery-table.ts";
import { QueryRunner } from "../../src/gallery/run-query.ts";
import { imageBytes, tempDir, writeTree } from "../helpers/tree.ts";

/** Labels with a change feed, like the label store's. */
class FeedLabels {
  revision = 0;
  full = 0;
  private map = new Map<string, LabelFacts>();
  private log: [number, string][] = [];
  get(path: string): LabelFacts {
    return this.map.get(path) ?? { star: null, tags: [], notes: "", metrics: {} };
  }
  entries() {
    this.full++;
    return this.map.entries();
  }
  changedSince(rev: number): string[] | null {
    return this.log.filter(([r]) => r > rev).map(([, p]) => p);
  }
  set(path: string, l: Partial<LabelFacts>) {
    this.map.set(path, { ...this.get(path), ...l });
    this.log.push([++this.revision, path]);
  }
}

let root: string;
let index: GalleryIndex;
beforeAll(async () => {
  root = tempDir();
  await writeTree(root, { "a.jpg": {}, "b.jpg": {}, "c.jpg": {} });
  index = await GalleryIndex.build(root);
  await index.statsReady;
});
const q = (o: Record<string, unknown>) => BrowseQuery.parse(o);

describe("GalleryTable", () => {
  test("D16: a label write updates its row and bumps only the columns it changed; no full re-read", () => {
    const labels = new FeedLabels();
    const runner = new QueryRunner(index, labels);
    labels.set("/a.jpg", { metrics: { s: 1 } });
    expect(runner.run(q({ sort: "metric:s" })).map((e) => e.name)).toEqual([
      "a.jpg",
      "b.jpg",
      "c.jpg",
    ]);
    const t = runner.columns.current();
    const reads = labels.full;
    const versions = () => [FIELD.star, FIELD.tags, FIELD.notes, "s"].map((f) => t.get(f)!.version);
    const before = versions();
    labels.set("/c.jpg", { metrics: { s: 0.5 } });
    expect(runner.run(q({ sort: "metric:s" })).map((e) => e.name)).toEqual([
      "c.jpg",
      "a.jpg",
      "b.jpg",
    ]);
    const after = versions();
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(after[3]).toBeGreaterThan(before[3]!);
    labels.set("/b.jpg", { star: 4, notes: "Sunset" });
    expect(runner.run(q({ stars: "4" })).map((e) => e.name)).toEqual(["b.jpg"]);
    expect(runner.run(q({ q: "sunset" })).map((e) => e.name)).toEqual(["b.jpg"]);
    expect(labels.full).toBe(reads);
    expect(runner.columns.current()).toBe(t);
  });

  test("D16: a width told by a thumbnail moves only width and height: size and date, and what is keyed on the stats, stay", () => {
    const runner = new QueryRunner(index, new FeedLabels());
    expect(runner.run(q({ sort: "size" })).length).toBe(3);
    const t = runner.columns.current();
    const size = t.get(FIELD.size)!;
    const stats = index.statsRevision;
    const dims = index.dimsRevision;
    index.noteDims("/b.jpg", 640, 480);
    // The hashing job's "listing already done" key and the size/date columns are keyed on the stats.
    expect(index.statsRevision).toBe(stats);
    expect(index.dimsRevision).toBeGreaterThan(dims);
    expect(runner.run(q({ "m.@width": "600.." })).map((e) => e.name)).toEqual(["b.jpg"]);
    expect(runner.columns.current().get(FIELD.size)).toBe(size);
  });

  test("D16: a file the watcher adds rebuilds the table; its labels come with it", async () => {
    const labels = new FeedLabels();
    labels.set("/d.jpg", { star: 5 });
    const runner = new QueryRunner(index, labels);
    expect(runner.run(q({ stars: "5" }))).toEqual([]);
    writeFileSync(join(root, "d.jpg"), await imageBytes());
    index.refresh(["/"]);
    expect(runner.run(q({ stars: "5" })).map((e) => e.name)).toEqual(["d.jpg"]);
    expect(runner.run(q({ dir: "desc" })).map((e) => e.name)).toEqual([
      "d.jpg",
      "c.jpg",
      "b.jpg",
      "a.jpg",
    ]);
  });
});
