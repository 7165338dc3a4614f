/** The demo's table (D22): one row per demo image, read back by the table loader with every kind of field. */
import { afterAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { loadTable } from "../../src/dataset/load-table.ts";
import { demoPlan } from "../../src/gallery/demo.ts";
import { demoTableRows, ensureDemoTable } from "../../src/gallery/demo-table.ts";
import type { EmbeddingColumn } from "../../src/query/columns.ts";
import { dotScores, topK } from "../../src/query/similarity.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const dir = tempDir("lenslet-demo-table-");
afterAll(() => removeDir(dir));

describe("the demo table (D22)", () => {
  test("D22: demo.parquet has a row per demo image: metrics, a category, a caption, a date and an embedding", async () => {
    const file = ensureDemoTable(dir);
    const t = await loadTable(file);
    expect(t.pathColumn).toBe("path");
    expect(Array.from(t.paths)).toEqual(demoPlan().map((s) => s.path));
    const kinds = Object.fromEntries([...t.table.columns.values()].map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({
      aesthetic: "metric",
      sharpness: "metric",
      clip_score: "metric",
      nsfw: "metric",
      scene: "category",
      caption: "text",
      taken: "date",
      embedding: "embedding",
    });
    // Kept when it exists; the same rows every time.
    const before = statSync(file).mtimeMs;
    expect(ensureDemoTable(dir)).toBe(file);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(demoTableRows()).toEqual(demoTableRows());
  });

  test("D22: embeddings cluster by scene, so find similar on an image finds its scene first", async () => {
    const t = await loadTable(ensureDemoTable(dir));
    const e = t.table.get("embedding") as EmbeddingColumn;
    const rows = demoTableRows();
    const of = rows.findIndex((r) => r.scene === "cats");
    const top = Array.from(topK(dotScores(e.values, e.dim, of), 5));
    expect(top[0]).toBe(of);
    expect(top.filter((r) => rows[r]?.scene === "cats").length).toBeGreaterThanOrEqual(4);
  });
});
