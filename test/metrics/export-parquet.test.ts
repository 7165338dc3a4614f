/**
 * GET /export?format=parquet (D21) through the real app, read back with hyparquet: the filtered view's rows
 * with the export's columns, labels, pushed metrics and every source column of the table.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { quietLog } from "../helpers/lenslet.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) removeDir(d);
});

async function start(withTable: boolean) {
  const root = tempDir("lenslet-pq-");
  dirs.push(root);
  await writeTree(root, { "a.jpg": { w: 30, h: 20 }, "b.jpg": {}, "sub/c.jpg": {} });
  let table: string | undefined;
  if (withTable) {
    table = join(root, "t.jsonl");
    const rows = [
      { path: "a.jpg", kind: "cat", m: 1, v: [1, 0], taken: "2024-01-02T00:00:00Z", size: 7 },
      { path: "b.jpg", kind: "dog", m: 2, v: [0, 1], taken: "2024-03-04T00:00:00Z", size: 8 },
      {
        path: "sub/c.jpg",
        kind: "cat",
        m: 3,
        v: [0.6, 0.8],
        taken: "2024-05-06T00:00:00Z",
        size: 9,
        caption: "=HYPERLINK(1)",
      },
    ];
    writeFileSync(table, rows.map((r) => JSON.stringify(r)).join("\n"));
  }
  const s = await startLenslet({ port: 0, root, ...(table ? { table } : {}) }, { log: quietLog });
  servers.push(s);
  const get = (p: string, init?: RequestInit) => fetch(s.url + p, init);
  const r = await get("/items/patch", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({
      patches: [
        {
          path: "/b.jpg",
          set_metrics: { pushed: 0.5 },
          set_star: 4,
          base_version: 1,
          add_tags: ["x|y", "z"],
        },
        { path: "/sub/c.jpg", set_notes: "=SUM(1)", base_version: 1 },
      ],
    }),
  });
  expect(r.status).toBe(200);
  expect((await r.json()).applied).toBe(2);
  return get;
}

async function read(r: Response) {
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("application/vnd.apache.parquet");
  expect(r.headers.get("content-disposition")).toMatch(/\.parquet"/);
  return (await parquetReadObjects({ file: await r.arrayBuffer() })) as Record<string, unknown>[];
}

describe("a table's own columns in CSV and JSON too (issue 11 item 7)", () => {
  test("D21: CSV and JSON of a table's view carry every source column after the labels; a name the export uses is source.<name>", async () => {
    const get = await start(true);
    const json = (await (
      await get("/export?format=json&recursive=1&m.m=2..&sort=metric:m&dir=desc")
    ).json()) as Record<string, unknown>[];
    expect(json.map((r) => r.path)).toEqual(["/sub/c.jpg", "/b.jpg"]);
    expect(json[1]).toMatchObject({
      star: 4,
      metrics: { pushed: 0.5 },
      kind: "dog",
      m: 2,
      v: [0, 1],
      taken: "2024-03-04T00:00:00.000Z",
      // The table's "size" does not overwrite the file's: it is source.size.
      "source.size": 8,
      caption: null,
    });
    expect(typeof json[1]!.size).toBe("number");
    expect(json[1]!.size).not.toBe(8);

    const csv = await (await get("/export?format=csv&recursive=1&sort=name")).text();
    const [header, ...lines] = csv.trim().split("\n");
    expect(header).toBe(
      "path,folder,name,size,width,height,star,tags,notes,flag,color,version,updated_at,updated_by,metrics.pushed,kind,m,v,taken,source.size,caption",
    );
    const c = lines.find((l) => l.startsWith("/sub/c.jpg"))!;
    // A table's text is user text: a formula is neutralised like notes are.
    expect(c).toEndWith(',cat,3,"[0.6,0.8]",2024-05-06T00:00:00.000Z,9,"\'=HYPERLINK(1)"');
    // A selection (POST /export) carries them too.
    const sel = await get("/export", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ paths: ["/a.jpg"], format: "json" }),
    });
    expect(((await sel.json()) as Record<string, unknown>[])[0]).toMatchObject({
      kind: "cat",
      m: 1,
      "source.size": 7,
    });
  });
});

describe("export as Parquet (D21)", () => {
  test("D21: a table's filtered view: labels, pushed metrics and every source column, in the view's order", async () => {
    const get = await start(true);
    const rows = await read(
      await get("/export?format=parquet&recursive=1&m.m=2..&sort=metric:m&dir=desc"),
    );
    expect(rows.map((r) => r.path)).toEqual(["/sub/c.jpg", "/b.jpg"]);
    const [c, b] = rows as [Record<string, unknown>, Record<string, unknown>];
    expect(b).toMatchObject({
      folder: "/",
      name: "b.jpg",
      star: 4,
      "metrics.pushed": 0.5,
      kind: "dog",
      m: 2,
    });
    // Lists are JSON text (Parquet's JSON type): tags keep a "|" inside a tag intact.
    expect(JSON.parse(String(b.tags))).toEqual(["x|y", "z"]);
    expect(JSON.parse(String(b.v))).toEqual([0, 1]);
    expect((b.taken as Date).toISOString()).toBe("2024-03-04T00:00:00.000Z");
    // Text is stored as it is: Parquet has no formula cells to neutralise.
    expect(c).toMatchObject({ notes: "=SUM(1)", star: null, "metrics.pushed": null, kind: "cat" });
  });

  test("D21: a folder gallery: the export's columns with dimensions read", async () => {
    const get = await start(false);
    const rows = await read(await get("/export?format=parquet&recursive=1"));
    expect(rows.map((r) => r.path)).toEqual(["/a.jpg", "/b.jpg", "/sub/c.jpg"]);
    expect(rows[0]).toMatchObject({ width: 30, height: 20, star: null, tags: "[]" });
    expect(Object.keys(rows[0] ?? {})).toContain("metrics.pushed");
    expect((await get("/export?format=xlsx")).status).toBe(400);
    // The export menu links it, for the view shown.
    const page = await (await get("/?recursive=1&m.m=2..")).text();
    expect(page).toContain(
      'data-format="parquet" href="/export?recursive=1&amp;m.m=2..&amp;format=parquet"',
    );
  });
});
