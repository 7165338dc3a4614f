/**
 * GET|POST /export through the real app on real image files: what the page
 * shows (browse query), the selection, file names, dimensions for every row.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { parseCsv } from "../labels/helpers.ts";

let app: TestLenslet;

beforeAll(async () => {
  app = await startTestLenslet({
    "a.jpg": { w: 30, h: 20 },
    "animals/cat.jpg": { w: 64, h: 48 },
    "animals/dog.png": { format: "png", w: 40, h: 50 },
    "animals/deep/owl.jpg": { w: 12, h: 34 },
    "東京/tower.jpg": { w: 10, h: 10 },
    "broken.jpg": { bytes: "not an image" },
  });
});
afterAll(() => app.dispose());

const json = (h: Headers = new Headers()) => ({
  ...Object.fromEntries(h),
  "Content-Type": "application/json",
  "Idempotency-Key": crypto.randomUUID(),
});

async function label(path: string, body: object): Promise<void> {
  const res = await app.get(`/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: json(),
    body: JSON.stringify({ base_version: 1, ...body }),
  });
  expect(res.status).toBe(200);
}

async function rows(url: string) {
  const res = await app.get(url);
  expect(res.status).toBe(200);
  return { res, rows: (await res.json()) as Record<string, unknown>[] };
}

beforeAll(async () => {
  await label("/animals/cat.jpg", {
    set_star: 5,
    set_tags: ["cute", "cat"],
    set_notes: 'golden, "hour"\nline 2',
    set_metrics: { score: 0.25 },
    set_flag: "pick",
    set_color: "green",
  });
  await label("/animals/dog.png", { set_star: 2, set_metrics: { blur: 3 } });
});

describe("export (L13, F9-F11)", () => {
  test("L13: JSON export of a folder carries every field, recursive on request, one image by path", async () => {
    const flat = await rows("/export?path=/animals");
    expect(flat.rows.map((r) => r.path)).toEqual(["/animals/cat.jpg", "/animals/dog.png"]);
    const deep = await rows("/export?path=animals&recursive=1&format=json");
    expect(deep.rows.map((r) => r.path)).toEqual([
      "/animals/cat.jpg",
      "/animals/dog.png",
      "/animals/deep/owl.jpg",
    ]);
    expect(deep.rows[0]).toEqual({
      path: "/animals/cat.jpg",
      folder: "/animals",
      name: "cat.jpg",
      size: expect.any(Number),
      width: 64,
      height: 48,
      star: 5,
      tags: ["cute", "cat"],
      notes: 'golden, "hour"\nline 2',
      metrics: { score: 0.25 },
      flag: "pick",
      color: "green",
      version: 2,
      updated_at: expect.any(String),
      updated_by: "anonymous (api)",
    });
    const one = await rows("/export?path=/a.jpg");
    expect(one.rows.map((r) => r.path)).toEqual(["/a.jpg"]);
    expect(one.res.headers.get("content-disposition")).toMatch(/^attachment; filename="lenslet-a-/);
  });

  test("L13: CSV export (a real CSV writer) has tags, notes and one column per metric", async () => {
    const res = await app.get("/export?path=/animals&format=csv");
    expect(res.headers.get("content-type")).toContain("text/csv");
    const csv = parseCsv(await res.text());
    expect(Object.keys(csv[0]!)).toEqual([
      "path",
      "folder",
      "name",
      "size",
      "width",
      "height",
      "star",
      "tags",
      "notes",
      "flag",
      "color",
      "version",
      "updated_at",
      "updated_by",
      "metrics.blur",
      "metrics.score",
    ]);
    expect(csv.find((x) => x.path === "/animals/cat.jpg")).toMatchObject({
      tags: "cute|cat",
      notes: 'golden, "hour"\nline 2',
      "metrics.score": "0.25",
      "metrics.blur": "",
      star: "5",
    });
    const bad = await app.get("/export?format=xml");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "validation_error", field: "format" });
  });

  test("F3: export of an unknown folder or image is 404 not_found (not an empty file)", async () => {
    for (const url of ["/export?path=/nope", "/export?path=/animals/nope.jpg&format=csv"]) {
      const res = await app.get(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found", field: "path" });
    }
    const bad = await app.get("/export?path=/a/../b");
    expect(bad.status).toBe(400);
  });

  test("F9: GET /export takes the page's browse query: filters, search and sort apply, validated by the same schema", async () => {
    const starred = await rows("/export?folder=/animals&recursive=1&stars=5");
    expect(starred.rows.map((r) => r.path)).toEqual(["/animals/cat.jpg"]);
    const searched = await rows("/export?folder=/&recursive=1&q=golden");
    expect(searched.rows.map((r) => r.path)).toEqual(["/animals/cat.jpg"]);
    const sorted = await rows("/export?folder=/animals&recursive=1&sort=stars&dir=asc");
    expect(sorted.rows.map((r) => r.path)).toEqual([
      "/animals/deep/owl.jpg",
      "/animals/dog.png",
      "/animals/cat.jpg",
    ]);
    // `path` still names the folder, the filters apply within it.
    const both = await rows("/export?path=/animals&stars=2");
    expect(both.rows.map((r) => r.path)).toEqual(["/animals/dog.png"]);
    const bad = await app.get("/export?folder=/animals&stars=7");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "validation_error", field: "stars" });
  });

  test("F10: the file name carries the folder (ASCII and exact UTF-8), the selection's too; selection in CSV and JSON", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const cd = (await app.get("/export?folder=/animals&format=csv")).headers.get(
      "content-disposition",
    );
    expect(cd).toBe(
      `attachment; filename="lenslet-animals-${day}.csv"; filename*=UTF-8''lenslet-animals-${day}.csv`,
    );
    const root = (await app.get("/export")).headers.get("content-disposition");
    expect(root).toContain(`filename="lenslet-all-${day}.json"`);
    const tokyo = (await app.get(`/export?folder=${encodeURIComponent("/東京")}`)).headers.get(
      "content-disposition",
    )!;
    expect(tokyo).toContain(`filename="lenslet-__-${day}.json"`);
    expect(tokyo).toContain(`filename*=UTF-8''lenslet-${encodeURIComponent("東京")}-${day}.json`);

    for (const format of ["csv", "json"] as const) {
      const res = await app.get("/export", {
        method: "POST",
        headers: json(),
        body: JSON.stringify({
          paths: ["animals/dog.png", "/nope.jpg", "/animals/deep/owl.jpg"],
          format,
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toContain(
        `filename="lenslet-selection-animals-${day}.${format}"`,
      );
      const text = await res.text();
      const paths =
        format === "csv"
          ? parseCsv(text).map((r) => r.path)
          : (JSON.parse(text) as { path: string }[]).map((r) => r.path);
      expect(paths).toEqual(["/animals/dog.png", "/animals/deep/owl.jpg"]);
    }
  });

  test("F11: width and height are filled for every decodable row without anyone opening the image; undecodable ones are empty", async () => {
    const { rows: all } = await rows("/export?recursive=1");
    const dims = Object.fromEntries(all.map((r) => [r.path, [r.width, r.height]]));
    expect(dims).toEqual({
      "/a.jpg": [30, 20],
      "/broken.jpg": [null, null],
      "/animals/cat.jpg": [64, 48],
      "/animals/dog.png": [40, 50],
      "/animals/deep/owl.jpg": [12, 34],
      "/東京/tower.jpg": [10, 10],
    });
    const csv = parseCsv(await (await app.get("/export?recursive=1&format=csv")).text());
    expect(csv.find((r) => r.path === "/animals/deep/owl.jpg")).toMatchObject({
      width: "12",
      height: "34",
    });
  });
});
