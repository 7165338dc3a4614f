/**
 * `lenslet TABLE` end to end through the real app: a Parquet and a CSV table over real images in a
 * temp folder (D10 workspace, D11 tree from paths, D12 table metrics sort and join pushed ones,
 * D13 /health), and a bad table refused at start (D5).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { quietLog } from "../helpers/lenslet.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) removeDir(d);
});

async function gallery(): Promise<string> {
  const root = tempDir("lenslet-table-");
  dirs.push(root);
  await writeTree(root, { "a/x.jpg": {}, "a/b/y.jpg": { format: "png" }, "z.jpg": {} });
  return root;
}

async function start(table: string, root: string, extra: Record<string, unknown> = {}) {
  const s = await startLenslet({ port: 0, root, table, ...extra }, { log: quietLog });
  servers.push(s);
  return { ...s, get: (p: string, init?: RequestInit) => fetch(s.url + p, init) };
}

const cardPaths = (html: string) =>
  [...html.matchAll(/class="card[^"]*"[^>]*data-path="([^"]+)"/g)].map((m) => m[1]);

describe("lenslet TABLE over HTTP", () => {
  test("D10 D11 D12 D13: a Parquet table is a gallery; sort by a table metric; /health reports it", async () => {
    const root = await gallery();
    const table = join(root, "items.parquet");
    parquetWriteFile({
      filename: table,
      columnData: [
        { name: "path", data: ["a/x.jpg", "a/b/y.jpg", "z.jpg", "gone.jpg", "../evil.jpg"] },
        { name: "score", data: [0.2, 0.9, 0.5, 0.1, 1], type: "DOUBLE" },
        { name: "label", data: ["cat", "dog", "cat", "dog", "cat"], type: "STRING" },
      ],
    });
    const s = await start(table, root);
    expect(existsSync(`${table}.lenslet`)).toBe(true);

    const health = await (await s.get("/health")).json();
    expect(health.mode).toBe("table");
    expect(health.dataset).toMatchObject({
      rows: 5,
      images: 4,
      missing_files: 1,
      skipped: { invalid_path: 1 },
      path_column: "path",
    });
    expect(health.gallery.images).toBe(4);

    // The folder tree comes from the paths: /a holds x.jpg and the folder b.
    const page = await (await s.get("/?folder=/a")).text();
    expect(cardPaths(page)).toEqual(["/a/x.jpg"]);
    expect(page).toContain("/a/b");
    const all = await (await s.get("/grid/page?recursive=1")).text();
    expect(cardPaths(all).sort()).toEqual(["/a/b/y.jpg", "/a/x.jpg", "/gone.jpg", "/z.jpg"]);

    const bySore = await s.get("/grid/page?recursive=1&sort=metric:score&dir=desc");
    expect(cardPaths(await bySore.text())).toEqual([
      "/a/b/y.jpg",
      "/z.jpg",
      "/a/x.jpg",
      "/gone.jpg",
    ]);
    // The toolbar offers the table's metrics.
    expect(await (await s.get("/?recursive=1")).text()).toContain("metric:score");

    // Originals and thumbnails work as for folders; a missing file is a placeholder, not an error.
    const file = await s.get("/file?path=/a/b/y.jpg");
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toContain("image/");
    const thumb = await s.get("/thumb?path=/gone.jpg");
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toContain("image/svg+xml");
    expect((await s.get("/file?path=/evil.jpg")).status).toBe(404);

    // A pushed metric of the same name wins over the table's value, live.
    const push = await s.get("/items/patch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ patches: [{ path: "/a/x.jpg", set_metrics: { score: 5 } }] }),
    });
    expect(push.status).toBe(200);
    const after = await s.get("/grid/page?recursive=1&sort=metric:score&dir=desc");
    expect(cardPaths(await after.text())).toEqual([
      "/a/x.jpg",
      "/a/b/y.jpg",
      "/z.jpg",
      "/gone.jpg",
    ]);
    const item = await (await s.get("/inspector?path=/z.jpg")).text();
    expect(item).toContain("score");
  });

  test("D1 D2: a CSV table with --path-column and absolute paths inside the base", async () => {
    const root = await gallery();
    const table = join(root, "t.csv");
    writeFileSync(
      table,
      [
        "img,quality",
        `${join(root, "z.jpg")},3`,
        "a/x.jpg,1",
        "/etc/passwd,9",
        "https://x/y.jpg,2",
      ].join("\n"),
    );
    const s = await start(table, root, { pathColumn: "img" });
    const health = await (await s.get("/health")).json();
    expect(health.dataset).toMatchObject({
      rows: 4,
      images: 2,
      missing_files: 0,
      skipped: { outside_base: 1, url: 1 },
    });
    const sorted = await s.get("/grid/page?recursive=1&sort=metric:quality");
    expect(cardPaths(await sorted.text())).toEqual(["/a/x.jpg", "/z.jpg"]);
  });

  test("D5: a bad table stops the start with one line naming the file and line", async () => {
    const root = await gallery();
    const table = join(root, "bad.csv");
    writeFileSync(table, "path,score\na.jpg,1\nb.jpg,2,3\n");
    const err = await startLenslet({ port: 0, root, table }, { log: quietLog }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe("StartupError");
    expect(err?.message).toBe(`${table}: line 3: 3 fields, the header has 2`);
  });
});
