/**
 * One engine for folders and tables, through the real app: URL field filters (`m.<field>=lo..hi`,
 * `c.<field>=a,b`, D14), the facets of the current view (GET /facets, crossfilter, D15), labels
 * and pushed metrics kept current in the engine's columns (D16), and find similar
 * (`sort=similar:<path>`) on vectors whose answer is known (D17).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { quietLog } from "../helpers/lenslet.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) removeDir(d);
});

async function start(files: Parameters<typeof writeTree>[1], table?: (root: string) => string) {
  const root = tempDir("lenslet-views-");
  dirs.push(root);
  await writeTree(root, files);
  const s = await startLenslet(
    { port: 0, root, ...(table ? { table: table(root) } : {}) },
    { log: quietLog },
  );
  servers.push(s);
  const get = (p: string, init?: RequestInit) => fetch(s.url + p, init);
  const patch = async (patches: unknown[]) => {
    const r = await get("/items/patch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ patches }),
    });
    expect(r.status).toBe(200);
    expect((await r.json()).applied).toBe(patches.length);
  };
  const cards = async (qs: string) =>
    [
      ...(await (await get(`/grid/page?${qs}`)).text()).matchAll(
        /class="card[^"]*"[^>]*data-path="([^"]+)"/g,
      ),
    ].map((m) => m[1]);
  return { get, patch, cards };
}

const six = { "a.jpg": {}, "b.jpg": {}, "c.jpg": {}, "d/e.jpg": {}, "d/f.jpg": {}, "g.jpg": {} };

describe("field filters and facets on a folder", () => {
  test("D14 D16: m.<metric>=lo..hi filters pushed metrics, follows new pushes, missing never matches", async () => {
    const s = await start(six);
    await s.patch([
      { path: "/a.jpg", set_metrics: { score: 0.1 } },
      { path: "/b.jpg", set_metrics: { score: 0.5 } },
      { path: "/d/e.jpg", set_metrics: { score: 0.9 } },
    ]);
    expect(await s.cards("recursive=1&m.score=0.4..1")).toEqual(["/b.jpg", "/d/e.jpg"]);
    expect(await s.cards("recursive=1&m.score=..0.5")).toEqual(["/a.jpg", "/b.jpg"]);
    // A push moves an image into the range; a tag filter and sort combine with it.
    await s.patch([{ path: "/c.jpg", set_metrics: { score: 0.7 }, add_tags: ["pick"] }]);
    expect(await s.cards("recursive=1&m.score=0.4..1&sort=metric:score&dir=desc")).toEqual([
      "/d/e.jpg",
      "/c.jpg",
      "/b.jpg",
    ]);
    expect(await s.cards("recursive=1&m.score=0.4..1&tag=pick")).toEqual(["/c.jpg"]);
    expect(await s.cards("recursive=1&q=PICK")).toEqual(["/c.jpg"]);
    // A field nobody has matches nothing; the folder's own images only without recursive.
    expect(await s.cards("recursive=1&m.nobody=0..1")).toEqual([]);
    expect(await s.cards("m.score=0..1")).toEqual(["/a.jpg", "/b.jpg", "/c.jpg"]);
  });

  test("D14: bad field filters are 400 naming the parameter", async () => {
    const s = await start({ "a.jpg": {} });
    for (const [qs, field] of [
      ["m.score=1..0", "m.score"],
      ["m.score=abc", "m.score"],
      ["m.score=x..y", "m.score"],
      ["m.=0..1", "m."],
    ]) {
      const r = await s.get(`/grid/page?${qs}`);
      expect(r.status).toBe(400);
      expect((await r.json()).field).toBe(field);
    }
    expect((await s.get("/grid/page?sort=similar:")).status).toBe(400);
    expect((await s.get("/facets?fields=nope")).status).toBe(400);
    expect((await s.get("/facets?bins=0")).status).toBe(400);
  });

  test("D15: /facets gives each metric's histogram over the view and the whole; its own range does not narrow it", async () => {
    const s = await start(six);
    await s.patch([
      { path: "/a.jpg", set_metrics: { score: 0, q: 1 } },
      { path: "/b.jpg", set_metrics: { score: 1, q: 1 } },
      { path: "/c.jpg", set_metrics: { score: 2, q: 5 } },
      { path: "/d/e.jpg", set_metrics: { score: 3, q: 5 } },
    ]);
    const f = await (await s.get("/facets?recursive=1&m.q=4..5&fields=score,q&bins=4")).json();
    expect(f.total).toBe(2);
    expect(f.base_total).toBe(6);
    const score = f.facets.find((x: { field: string }) => x.field === "score");
    expect(score).toMatchObject({ kind: "histogram", min: 0, max: 3, whole: [1, 1, 1, 1] });
    // The q filter narrows score's histogram (c and e) ...
    expect(score.counts).toEqual([0, 0, 1, 1]);
    expect(score.missing_whole).toBe(2);
    // ... but not q's own (crossfilter).
    const q = f.facets.find((x: { field: string }) => x.field === "q");
    expect(q.counts).toEqual(q.whole);
    // Default fields: every metric plus size and date.
    const all = await (await s.get("/facets?recursive=1")).json();
    expect(all.facets.map((x: { field: string }) => x.field).sort()).toEqual(
      ["@date", "@size", "q", "score"].sort(),
    );
  });
});

describe("width and height are fields once known (issue 11 item 2)", () => {
  test("D16: dimensions known for any reason (a thumbnail made, an export) filter as m.@width and join the panel; after a restart the cached ones do too, no file opened", async () => {
    const root = tempDir("lenslet-dims-");
    const ws = tempDir("lenslet-dims-ws-");
    dirs.push(root, ws);
    await writeTree(root, {
      "wide.jpg": { w: 64, h: 16 },
      "tall.png": { format: "png", w: 16, h: 48 },
      "small.jpg": { w: 20, h: 20 },
    });
    const open = async () => {
      const s = await startLenslet({ port: 0, root, workspace: ws }, { log: quietLog });
      servers.push(s);
      return s;
    };
    const cards = async (s: RunningServer, qs: string) =>
      [
        ...(await (await fetch(`${s.url}/grid/page?${qs}`)).text()).matchAll(
          /class="card[^"]*"[^>]*data-path="([^"]+)"/g,
        ),
      ].map((m) => m[1]);
    const facetNames = async (s: RunningServer) =>
      (
        (await (await fetch(`${s.url}/facets`)).json()) as { facets: { field: string }[] }
      ).facets.map((f) => f.field);

    let s = await open();
    // Nothing read yet: no width is known, so none matches, and the panel has no Width yet.
    expect(await cards(s, "m.@width=30..")).toEqual([]);
    expect(await facetNames(s)).not.toContain("@width");
    // A thumbnail decodes the image: its size is known from then on, without another read.
    expect((await fetch(`${s.url}/thumb?path=/wide.jpg`)).status).toBe(200);
    expect(await cards(s, "m.@width=30..")).toEqual(["/wide.jpg"]);
    expect(await cards(s, "m.@height=30..")).toEqual([]);
    // An export reads the rest.
    expect((await fetch(`${s.url}/export?format=json`)).status).toBe(200);
    expect(await cards(s, "m.@width=30..")).toEqual(["/wide.jpg"]);
    expect(await cards(s, "m.@height=30..")).toEqual(["/tall.png"]);
    expect(await facetNames(s)).toEqual(expect.arrayContaining(["@width", "@height"]));
    const width = (
      (await (await fetch(`${s.url}/facets?fields=@width&bins=4`)).json()) as {
        facets: { min: number; max: number; missing: number }[];
      }
    ).facets[0];
    expect(width).toMatchObject({ min: 16, max: 64, missing: 0 });
    await s.stop();
    servers.pop();

    // A new process: dims.json holds them; once sizes and dates are read they are fields again.
    s = await open();
    const deadline = Date.now() + 20_000;
    let got: (string | undefined)[] = [];
    while (Date.now() < deadline) {
      got = await cards(s, "m.@width=30..");
      if (got.length) break;
      await Bun.sleep(20); // polls the server; bounded by the deadline
    }
    expect(got).toEqual(["/wide.jpg"]);
  });
});

describe("a table's columns on the same engine", () => {
  const table = (root: string) => {
    const file = join(root, "t.jsonl");
    // Vectors with a known answer: similarity to a.jpg falls off a → b → c; g has none.
    const rows = [
      { path: "a.jpg", kind: "cat", v: [1, 0, 0], m: 1 },
      { path: "b.jpg", kind: "dog", v: [0.9, 0.1, 0], m: 2 },
      { path: "c.jpg", kind: "cat", v: [0.5, 0.5, 0], m: 3 },
      { path: "d/e.jpg", kind: "dog", v: [0, 1, 0], m: 4 },
      { path: "d/f.jpg", kind: "bird", v: [-1, 0, 0], m: 5 },
      { path: "g.jpg", kind: "cat", v: [0, 0, 0], m: 6 },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
    return file;
  };

  test("D14 D15: c.<category>=a,b filters a table category; /facets counts its values", async () => {
    const s = await start(six, table);
    expect(await s.cards("recursive=1&c.kind=dog,bird")).toEqual([
      "/b.jpg",
      "/d/e.jpg",
      "/d/f.jpg",
    ]);
    expect(await s.cards("recursive=1&c.kind=cat&m.m=2..6")).toEqual(["/c.jpg", "/g.jpg"]);
    const f = await (await s.get("/facets?recursive=1&c.kind=cat&fields=kind,m&bins=5")).json();
    const kind = f.facets.find((x: { field: string }) => x.field === "kind");
    const counts = Object.fromEntries(
      kind.values.map((v: { value: string | null; count: number }) => [v.value, v.count]),
    );
    // Its own filter does not narrow it.
    expect(counts).toEqual({ null: 0, cat: 3, dog: 2, bird: 1 });
    const m = f.facets.find((x: { field: string }) => x.field === "m");
    expect(m.counts).toEqual([1, 0, 1, 0, 1]);
  });

  test("D25: the inspector shows a row's category, caption and dates (escaped); a table's date histogram reads as dates", async () => {
    const s = await start({ "a.jpg": {}, "b.jpg": {} }, (root) => {
      const file = join(root, "t.csv");
      writeFileSync(
        file,
        [
          "path,kind,caption,taken,day",
          'a.jpg,cat,"a <b>cat</b> & a ""mat""",2024-05-01 08:00:00+00,2024-01-02',
          "b.jpg,dog,,2024-05-01 09:30:00+00,2024-01-05",
        ].join("\n"),
      );
      return file;
    });
    const html = await (await s.get("/inspector?path=/a.jpg")).text();
    const fact = (name: string) =>
      html.match(new RegExp(`<dt>${name}</dt><dd[^>]*>([^<]*)</dd>`))?.[1] ?? null;
    expect(fact("kind")).toBe("cat");
    expect(fact("caption")).toBe("a &lt;b&gt;cat&lt;/b&gt; &amp; a &quot;mat&quot;");
    expect(fact("taken")).toBe("2024-05-01 08:00");
    // A date without a time of day is a day.
    expect(fact("day")).toBe("2024-01-02");
    expect(html).not.toContain("<b>cat</b>");
    // b has no caption: no empty row for it.
    expect(await (await s.get("/inspector?path=/b.jpg")).text()).not.toContain("<dt>caption</dt>");

    const f = await (await s.get("/facets?recursive=1&fields=taken,day")).json();
    expect(f.facets.map((x: { field: string; date: boolean }) => [x.field, x.date])).toEqual([
      ["taken", true],
      ["day", true],
    ]);
    const panel = await (await s.get("/facets/panel?recursive=1")).text();
    // Within a day and a half: the times show; over days: the days. Never epoch milliseconds.
    expect(panel).toContain("2024-05-01 08:00 – 2024-05-01 09:30");
    expect(panel).toContain("2024-01-02 – 2024-01-05");
    expect(panel).not.toContain("1714550400000 –");
    expect(panel).toMatch(/data-field="taken"[^>]*data-date="1"/);
  });

  test("D17: sort=similar:<path> orders by cosine similarity, most similar first; no vector goes last", async () => {
    const s = await start(six, table);
    expect(await s.cards("recursive=1&sort=similar:/a.jpg")).toEqual([
      "/a.jpg",
      "/b.jpg",
      "/c.jpg",
      "/d/e.jpg",
      "/d/f.jpg",
      "/g.jpg",
    ]);
    expect(await s.cards("recursive=1&sort=similar:/d/e.jpg&c.kind=cat")).toEqual([
      "/c.jpg",
      "/a.jpg",
      "/g.jpg",
    ]);
    // An image without a vector (or not in the table) leaves name order.
    expect(await s.cards("recursive=1&sort=similar:/g.jpg")).toEqual(await s.cards("recursive=1"));
  });
});
