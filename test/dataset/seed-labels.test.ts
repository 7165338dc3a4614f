/**
 * D24: a table's label-like columns (star / stars / rating, tags, notes) seed the labels once, through the
 * real app and its journal: only images with no record, never again after a restart, never over an edit;
 * cells that are not labels are counted in /health, not guessed at. And the shapes real writers produce:
 * Parquet and JSONL written by DuckDB (lists of text, structs, time zones), our own CSV export's tags.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { loadTable } from "../../src/dataset/load-table.ts";
import { FROM_TABLE, notesOf, starOf, tagsOf } from "../../src/dataset/seed-labels.ts";
import { decodeTags, encodeTags } from "../../src/labels/export.ts";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { quietLog } from "../helpers/lenslet.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const running: RunningServer[] = [];
afterAll(async () => {
  for (const s of running) await s.stop();
  for (const d of dirs) removeDir(d);
});

async function gallery(names: string[]): Promise<string> {
  const root = tempDir("lenslet-seed-");
  dirs.push(root);
  await writeTree(root, Object.fromEntries(names.map((n) => [n, {}])));
  return root;
}

async function start(table: string, root: string) {
  const s = await startLenslet({ port: 0, root, table }, { log: quietLog });
  running.push(s);
  return s;
}
const item = async (s: RunningServer, path: string) =>
  (await fetch(`${s.url}/item?path=${encodeURIComponent(path)}`)).json();
const health = async (s: RunningServer) => (await (await fetch(`${s.url}/health`)).json()).dataset;

async function duck(sql: string[]): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  for (const q of sql) await c.run(q);
  c.closeSync();
}

describe("D24 seed values", () => {
  test("D24: a star is a whole number 0–5; tags a list of text or one export cell; notes text", () => {
    expect([4, 0, 5, "3", " 2.0 ", 4n, null, "", Number.NaN].map(starOf)).toEqual([
      4,
      0,
      5,
      3,
      2,
      4,
      null,
      null,
      null,
    ]);
    for (const bad of [7, -1, 2.5, "high", "4 stars", true, [3]])
      expect(starOf(bad)).toBeUndefined();
    expect(tagsOf(["sky", " keeper ", "", null])).toEqual(["sky", "keeper"]);
    expect(tagsOf("sky|a\\|b|c\\\\d")).toEqual(["sky", "a|b", "c\\d"]);
    expect(tagsOf(null)).toEqual([]);
    expect(tagsOf([1, 2])).toBeUndefined();
    expect(tagsOf(Array.from({ length: 65 }, (_, i) => `t${i}`))).toBeUndefined();
    expect(notesOf("hello")).toBe("hello");
    expect(notesOf(3)).toBeUndefined();
  });

  test("D24: decodeTags reads back every cell encodeTags writes", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 8 }), (tags) => {
        expect(decodeTags(encodeTags(tags))).toEqual(tags);
      }),
    );
  });
});

describe("D24 seeding through the app", () => {
  test("D24: a CSV's rating, tags and notes seed unlabelled images once; an edit and a restart keep the journal's", async () => {
    const root = await gallery(["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"]);
    const table = join(root, "t.csv");
    writeFileSync(
      table,
      [
        "path,score,Rating,tags,notes",
        'a.jpg,1,4,sky|keeper,"first, with a comma"',
        "b.jpg,2,,a\\|b,",
        "c.jpg,3,7,,",
        "d.jpg,4,high,,",
        "e.jpg,5,,,",
      ].join("\n"),
    );
    let s = await start(table, root);
    expect(await item(s, "/a.jpg")).toMatchObject({
      star: 4,
      tags: ["sky", "keeper"],
      notes: "first, with a comma",
      updated_by: FROM_TABLE,
    });
    expect(await item(s, "/b.jpg")).toMatchObject({ star: null, tags: ["a|b"] });
    // 7 and "high" are not stars: not seeded, counted, and the rest of the row is still read.
    expect(await item(s, "/c.jpg")).toMatchObject({ star: null, version: 1 });
    expect(await health(s)).toMatchObject({
      seeds: { seeded: 2, kept: 0, refused: { Rating: 2 }, example: { column: "Rating", row: 2 } },
    });
    // The fields are seeds, not table fields (no "Rating" metric).
    expect((await health(s)).fields).toContainEqual({ name: "Rating", kind: "seed", seed: "star" });

    // Someone changes a's stars; after a restart the table does not put its 4 back.
    const a = await item(s, "/a.jpg");
    const res = await fetch(`${s.url}/item?path=/a.jpg`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ base_version: a.version, set_star: 1 }),
    });
    expect(res.status).toBe(200);
    await s.stop();
    running.pop();
    s = await start(table, root);
    expect(await item(s, "/a.jpg")).toMatchObject({ star: 1, tags: ["sky", "keeper"] });
    expect(await item(s, "/b.jpg")).toMatchObject({ tags: ["a|b"], version: 2 });
    expect(await health(s)).toMatchObject({ seeds: { seeded: 0, kept: 2 } });
  });

  test("D24: with --no-write the table's labels still show (seeded in memory, at every start)", async () => {
    const root = await gallery(["a.jpg"]);
    const table = join(root, "t.csv");
    writeFileSync(table, "path,stars,notes\na.jpg,3,from the table\n");
    const s = await startLenslet({ port: 0, root, table, write: false }, { log: quietLog });
    running.push(s);
    expect(await item(s, "/a.jpg")).toMatchObject({ star: 3, notes: "from the table" });
    expect(await health(s)).toMatchObject({ seeds: { seeded: 1 } });
  });

  test("D4 D24: Parquet by DuckDB: a VARCHAR[] tags column seeds tags; other lists of text and structs are ignored; a time zone is a date", async () => {
    const root = await gallery(["p0.jpg", "p1.jpg", "p2.jpg"]);
    const table = join(root, "duck.parquet");
    await duck([
      `CREATE TABLE t AS SELECT 'p' || i || '.jpg' AS image, i * 0.5 AS score,
         CASE WHEN i = 0 THEN ['keeper', 'sky'] ELSE [] END AS tags,
         ['x', 'y'] AS keywords,
         {'k': i} AS meta,
         TIMESTAMPTZ '2024-05-01 10:00:00+02' + INTERVAL (i) MINUTE AS taken,
         (i + 2)::INTEGER AS stars
       FROM range(3) r(i)`,
      `COPY t TO '${table}' (FORMAT parquet)`,
    ]);
    const s = await start(table, root);
    const fields = (await health(s)).fields;
    expect(fields).toContainEqual({ name: "tags", kind: "seed", seed: "tags" });
    expect(fields).toContainEqual({ name: "keywords", kind: "ignored", reason: "list of text" });
    expect(fields).toContainEqual({ name: "meta", kind: "ignored", reason: "nested column" });
    expect(fields).toContainEqual({ name: "taken", kind: "date" });
    expect(await item(s, "/p0.jpg")).toMatchObject({ star: 2, tags: ["keeper", "sky"] });
    expect(await item(s, "/p2.jpg")).toMatchObject({ star: 4, tags: [] });
  });

  test("D4: JSONL by DuckDB (objects, lists of text, time zones) loads; a column mixing objects and numbers is still refused", async () => {
    const dir = tempDir("lenslet-seed-jsonl-");
    dirs.push(dir);
    const file = join(dir, "t.jsonl");
    await duck([
      `COPY (SELECT 'p' || i || '.jpg' AS path, i AS score, {'x': i} AS meta, ['a', 'b'] AS words,
         TIMESTAMPTZ '2024-05-01 10:00:00+02' AS at FROM range(2) r(i)) TO '${file}' (FORMAT json)`,
    ]);
    const t = await loadTable(file);
    expect(t.fields).toContainEqual({ name: "meta", kind: "ignored", reason: "nested column" });
    expect(t.fields).toContainEqual({ name: "words", kind: "ignored", reason: "list of text" });
    expect(t.table.get("at")?.kind).toBe("date");
    const mixed = join(dir, "m.jsonl");
    writeFileSync(mixed, '{"path":"a.jpg","m":1}\n{"path":"b.jpg","m":{"k":1}}\n');
    const err = await loadTable(mixed).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/line 2: column 'm' holds an object/);
  });

  test("D4: CSV timestamps as PostgreSQL and DuckDB write them (a space, +00 or +0200) are dates", async () => {
    const dir = tempDir("lenslet-seed-csv-");
    dirs.push(dir);
    const file = join(dir, "t.csv");
    writeFileSync(
      file,
      "path,at,at2\na.jpg,2024-05-01 08:00:00+00,2024-05-01 08:00:00.25+0200\nb.jpg,2024-05-01 09:30:00-05,\n",
    );
    const t = await loadTable(file);
    const at = t.table.get("at");
    const at2 = t.table.get("at2");
    expect(at?.kind).toBe("date");
    expect(at2?.kind).toBe("date");
    if (at?.kind !== "date" || at2?.kind !== "date") return;
    expect([...at.values].map((v) => new Date(v).toISOString())).toEqual([
      "2024-05-01T08:00:00.000Z",
      "2024-05-01T14:30:00.000Z",
    ]);
    expect(new Date(at2.values[0]!).toISOString()).toBe("2024-05-01T06:00:00.250Z");
  });
});
