/**
 * The Metrics panel's fragment through the real app (D18): SVG histograms with the data brushing reads,
 * counted checkboxes per category, a clear link per active filter, and the toolbar keeping field filters.
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

async function start(withTable = false) {
  const root = tempDir("lenslet-metrics-");
  dirs.push(root);
  await writeTree(root, { "a.jpg": {}, "b.jpg": {}, "c.jpg": {}, "d/e.jpg": {} });
  let table: string | undefined;
  if (withTable) {
    table = join(root, "t.jsonl");
    const rows = [
      { path: "a.jpg", kind: "cat", m: 1, v: [1, 0] },
      { path: "b.jpg", kind: "dog", m: 2, v: [0.6, 0.8] },
      { path: "c.jpg", kind: "cat", m: 3, v: [0, 1] },
      { path: "d/e.jpg", kind: "bird", m: 4.25, v: [-1, 0] },
    ];
    writeFileSync(table, rows.map((r) => JSON.stringify(r)).join("\n"));
  }
  const s = await startLenslet({ port: 0, root, ...(table ? { table } : {}) }, { log: quietLog });
  servers.push(s);
  return (p: string, init?: RequestInit) => fetch(s.url + p, init);
}

/** The attributes of each element matching `tag.class` in `html`. */
function elements(html: string, tag: string, cls: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${tag}\\b[^>]*class="${cls}"[^>]*>`, "g"))) {
    const attrs: Record<string, string> = {};
    for (const a of m[0].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    out.push(attrs);
  }
  return out;
}

describe("the Metrics panel fragment", () => {
  test("D18: a histogram per metric carries its range and bins; shown bars follow another field's filter", async () => {
    const get = await start(true);
    const r = await get("/facets/panel?recursive=1&c.kind=cat&bins=4");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/html");
    const html = await r.text();
    const svgs = elements(html, "svg", "histogram-plot");
    const m = svgs.find((s) => s["data-field"] === "m");
    expect(m).toMatchObject({
      "data-min": "1",
      "data-max": "4.25",
      "data-bins": "4",
      "data-param": "m.m",
    });
    expect(svgs.map((s) => s["data-field"])).toContain("@size");
    // Whole: one image per bin; shown: the cats (m = 1 and 3) only.
    const section = html.slice(
      html.indexOf('data-field="m"'),
      html.indexOf("</section>", html.indexOf('data-field="m"')),
    );
    expect(elements(section, "rect", "bar-whole")).toHaveLength(4);
    expect(elements(section, "rect", "bar-shown").map((b) => b["data-bin"])).toEqual(["0", "2"]);
  });

  test("D18: categories are counted checkboxes, ticked as the URL says, with a clear link keeping the rest", async () => {
    const get = await start(true);
    const html = await (
      await get("/facets/panel?recursive=1&c.kind=cat,dog&m.m=2..5&sort=metric:m")
    ).text();
    const kind = html.slice(html.indexOf('data-param="c.kind"'));
    const boxes = [
      ...kind.matchAll(/<input type="checkbox" data-facet-value="([^"]+)"( checked="")?/g),
    ].map((b) => [b[1], !!b[2]]);
    expect(Object.fromEntries(boxes)).toEqual({ cat: true, dog: true, bird: false });
    // Crossfilter: kind's counts are narrowed by m=2..4 (b, c, e), not by its own filter.
    const counts = [
      ...kind.matchAll(/data-facet-value="([^"]+)"[\s\S]*?facet-count[^>]*>(\d+)</g),
    ].map((x) => [x[1], Number(x[2])]);
    expect(Object.fromEntries(counts)).toEqual({ cat: 1, dog: 1, bird: 1 });
    const clears = [
      ...html.matchAll(/class="facet-clear" href="([^"]+)" data-facet-clear="([^"]+)"/g),
    ].map((c) => [c[2], c[1].replace(/&amp;/g, "&")]);
    const byField = Object.fromEntries(clears);
    expect(byField.kind).toBe("/?recursive=1&sort=metric%3Am&m.m=2..5");
    expect(byField.m).toBe("/?recursive=1&sort=metric%3Am&c.kind=cat%2Cdog");
    // The active range is drawn as a brush.
    expect(elements(html, "rect", "brush")).toHaveLength(1);
  });

  test("D18: bad parameters are 400 JSON naming the parameter, like /facets", async () => {
    const get = await start();
    const r = await get("/facets/panel?m.score=abc");
    expect(r.status).toBe(400);
    expect((await r.json()).field).toBe("m.score");
    expect((await get("/facets/panel?fields=nope")).status).toBe(400);
  });

  test("D18: the toolbar form carries the field filters, so a sort change keeps them", async () => {
    const get = await start(true);
    const html = await (
      await get("/?recursive=1&m.m=2..3&c.kind=cat", { headers: { "HX-Request": "true" } })
    ).text();
    const form = html.slice(html.indexOf('id="browse-form"'), html.indexOf("</form>"));
    expect(form).toContain('<input type="hidden" name="m.m" value="2..3"/>');
    expect(form).toContain('<input type="hidden" name="c.kind" value="cat"/>');
  });

  test("D18: cards show the sorted-by metric's value (pushed or from the table) and the similarity score", async () => {
    const get = await start(true);
    const r = await get("/items/patch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ patches: [{ path: "/a.jpg", set_metrics: { pushed: 0.123456 } }] }),
    });
    expect(r.status).toBe(200);
    const values = async (qs: string) =>
      [
        ...(await (await get(`/grid/page?recursive=1&${qs}`)).text()).matchAll(
          /data-path="([^"]+)"[\s\S]*?(?:class="card-value" title="([^"]+)">([^<]*)<|class="chips")/g,
        ),
      ].map((m): (string | null)[] => [m[1] ?? null, m[2] ?? null, m[3] ?? null]);
    expect(await values("sort=metric:m&dir=desc")).toEqual([
      ["/d/e.jpg", "m", "4.25"],
      ["/c.jpg", "m", "3"],
      ["/b.jpg", "m", "2"],
      ["/a.jpg", "m", "1"],
    ]);
    expect((await values("sort=metric:pushed"))[0]).toEqual(["/a.jpg", "pushed", "0.123"]);
    expect(await values("sort=similar:/a.jpg")).toEqual([
      ["/a.jpg", "similarity", "1.000"],
      ["/b.jpg", "similarity", "0.600"],
      ["/c.jpg", "similarity", "0.000"],
      ["/d/e.jpg", "similarity", "-1.000"],
    ]);
    // Other sorts: no value on the card.
    expect((await values("sort=name"))[0]).toEqual(["/a.jpg", null, null]);
  });
});
