/**
 * The demo table (D22): generated images with a row each, read back by the table loader with every kind of
 * field; deterministic, reused, remade when its size changes; embeddings cluster by scene.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { loadTable } from "../../src/dataset/load-table.ts";
import { demoDatasetReady, ensureDemoDataset } from "../../src/gallery/demo-dataset.ts";
import { DEMO_TABLE_ROWS, demoTablePlan } from "../../src/gallery/demo-table.ts";
import type { CategoryColumn, EmbeddingColumn, MetricColumn } from "../../src/query/columns.ts";
import { dotScores, topK } from "../../src/query/similarity.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const root = tempDir("lenslet-demo-table-");
afterAll(() => removeDir(root));
// At least 220: 11 scenes are a category only when they are at most 5 % of the values (D4).
const ROWS = 240;

describe("the demo table (D22)", () => {
  test("D22: the plan is a few thousand distinct small images by default, the same every time", () => {
    const plan = demoTablePlan();
    expect(plan.length).toBe(DEMO_TABLE_ROWS);
    expect(DEMO_TABLE_ROWS).toBeGreaterThanOrEqual(2000);
    expect(new Set(plan.map((s) => s.path)).size).toBe(plan.length);
    for (const s of plan) expect(Math.max(s.width, s.height)).toBeWithin(320, 481);
    expect(demoTablePlan()).toEqual(plan);
    // A smaller table is the start of the larger one.
    expect(demoTablePlan(ROWS)).toEqual(plan.slice(0, ROWS));
  });

  test("D22: demo.parquet has a row per image: metrics, two categories, a caption, a date and an embedding", async () => {
    const ds = await ensureDemoDataset(join(root, "a"), { rows: ROWS });
    expect(ds.rows).toBe(ROWS);
    const t = await loadTable(ds.table);
    expect(t.pathColumn).toBe("path");
    expect(Array.from(t.paths)).toEqual(demoTablePlan(ROWS).map((s) => s.path));
    const kinds = Object.fromEntries([...t.table.columns.values()].map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({
      scene: "category",
      split: "category",
      caption: "text",
      taken: "date",
      aesthetic: "metric",
      clip_score: "metric",
      nsfw: "metric",
      brightness: "metric",
      colorfulness: "metric",
      embedding: "embedding",
    });
    // Every row names a real image of its planned size.
    const first = demoTablePlan(ROWS)[0]!;
    const meta = await sharp(join(ds.dir, first.path)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", first.width, first.height]);
    // Measured on the pixels: dark and bright images both occur; a few scores are missing.
    const bright = t.table.get("brightness") as MetricColumn;
    const values = Array.from(bright.values);
    expect(Math.min(...values)).toBeLessThan(0.3);
    expect(Math.max(...values)).toBeGreaterThan(0.6);
    const scene = t.table.get("scene") as CategoryColumn;
    expect(scene.dict.filter((v) => v !== null).length).toBeGreaterThanOrEqual(8);
  });

  test("D22: a finished dataset is reused; another row count is made again", async () => {
    const dir = join(root, "a");
    expect(demoDatasetReady(dir, ROWS)).toBe(true);
    const before = statSync(join(dir, "demo.parquet")).mtimeMs;
    let progress = 0;
    await ensureDemoDataset(dir, { rows: ROWS, onProgress: () => progress++ });
    expect(progress).toBe(0);
    expect(statSync(join(dir, "demo.parquet")).mtimeMs).toBe(before);
    await ensureDemoDataset(dir, { rows: 20 });
    expect((await loadTable(join(dir, "demo.parquet"))).paths.length).toBe(20);
    expect(demoDatasetReady(dir, ROWS)).toBe(false);
    // Nothing half made is left beside it.
    expect(readdirSync(root)).toEqual(["a"]);
  });

  test("D22: the same images and table on every run (seeded)", async () => {
    const a = await loadTable((await ensureDemoDataset(join(root, "b"), { rows: 20 })).table);
    const b = await loadTable((await ensureDemoDataset(join(root, "a"), { rows: 20 })).table);
    for (const name of ["aesthetic", "brightness", "nsfw"])
      expect(Array.from((a.table.get(name) as MetricColumn).values)).toEqual(
        Array.from((b.table.get(name) as MetricColumn).values),
      );
    removeDir(join(root, "b"));
  });

  test("D22: embeddings cluster by scene, so find similar on an image finds its scene first", async () => {
    const ds = await ensureDemoDataset(join(root, "a"), { rows: ROWS });
    const t = await loadTable(ds.table);
    const e = t.table.get("embedding") as EmbeddingColumn;
    expect(e.dim).toBe(16);
    const scene = t.table.get("scene") as CategoryColumn;
    const sceneOf = (row: number) => scene.dict[scene.codes[row]!];
    for (const kind of ["cats", "mountains", "portrait"]) {
      const of = Array.from(t.paths).findIndex((_, row) => sceneOf(row) === kind);
      const top = Array.from(topK(dotScores(e.values, e.dim, of), 6));
      expect(top[0]).toBe(of);
      expect(top.filter((r) => sceneOf(r) === kind).length).toBeGreaterThanOrEqual(5);
    }
  });
});
