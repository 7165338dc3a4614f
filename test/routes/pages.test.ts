import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { Window } from "happy-dom";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;
const XSS = "<img src=x onerror=alert(1)>.jpg";

function dom(html: string) {
  const w = new Window({ url: "http://localhost/" });
  w.document.write(html);
  return w.document;
}

beforeAll(async () => {
  const files: Record<string, object> = {
    "a.jpg": {},
    "b.png": { format: "png" },
    [XSS]: {},
    "sub/c.jpg": {},
    "sub/deeper/d.jpg": {},
  };
  for (let i = 0; i < 300; i++) files[`many/img${String(i).padStart(3, "0")}.jpg`] = {};
  app = await startTestLenslet(files);
});
afterAll(() => app.dispose());

describe("GET / (page or fragment)", () => {
  test("G6: full page: doctype, tree, toolbar, grid, inspector, status — readable without JS", async () => {
    const res = await app.get("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    const d = dom(html);
    expect(d.querySelector("#tree")).not.toBeNull();
    expect(d.querySelector("#browse-form")).not.toBeNull();
    expect(d.querySelectorAll("#grid .card").length).toBe(3);
    expect(d.querySelector("#inspector-body")).not.toBeNull();
    expect(d.querySelector("#status .count")!.textContent).toContain("3 images");
    const folders = [...d.querySelectorAll(".folder-link")].map((a) =>
      a.getAttribute("data-folder"),
    );
    expect(folders).toEqual(["/", "/many", "/sub"]);
  });

  test("G6: htmx requests get only the #browse region", async () => {
    const html = await (
      await app.get("/?folder=/sub", { headers: { "HX-Request": "true" } })
    ).text();
    expect(html.startsWith("<main")).toBe(true);
    const d = dom(html);
    expect(d.querySelector("#browse")!.getAttribute("data-folder")).toBe("/sub");
    expect([...d.querySelectorAll(".card")].map((c) => c.getAttribute("data-path"))).toEqual([
      "/sub/c.jpg",
    ]);
  });

  test("G8: file names are HTML-escaped everywhere", async () => {
    const html = await (await app.get(`/?sel=${encodeURIComponent(`/${XSS}`)}`)).text();
    expect(html).not.toContain("<img src=x onerror");
    const d = dom(html);
    const card = [...d.querySelectorAll(".card")].find(
      (c) => c.getAttribute("data-path") === `/${XSS}`,
    )!;
    expect(card.querySelector(".name")!.textContent).toBe(XSS);
    expect(d.querySelector("#inspector-body .item-name")!.textContent).toBe(XSS);
  });

  test("G6: every state is in the URL: folder, filters, sort, query, selection, viewer", async () => {
    const d = dom(
      await (
        await app.get("/?folder=/many&sort=name&dir=desc&q=img29&sel=/many/img299.jpg&view=1")
      ).text(),
    );
    const cards = [...d.querySelectorAll(".card")].map((c) => c.getAttribute("data-path"));
    expect(cards.slice(0, 3)).toEqual(["/many/img299.jpg", "/many/img298.jpg", "/many/img297.jpg"]);
    expect(cards).toHaveLength(10);
    expect(d.querySelector("#inspector-body")!.getAttribute("data-path")).toBe("/many/img299.jpg");
    expect(d.querySelector("#viewer")!.getAttribute("data-path")).toBe("/many/img299.jpg");
    expect((d.querySelector("#search") as unknown as { value: string }).value).toBe("img29");
  });

  test("G4: sort by a metric that scripts pushed: the toolbar offers it, the URL keeps it", async () => {
    const res = await app.get("/items/patch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({
        patches: [
          { path: "/many/img001.jpg", set_metrics: { score: 0.2 } },
          { path: "/many/img002.jpg", set_metrics: { score: 0.9 } },
          { path: "/many/img003.jpg", set_metrics: { score: 0.5 } },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const d = dom(await (await app.get("/?folder=/many&sort=metric:score&dir=desc")).text());
    const order = [...d.querySelectorAll("#grid .card")]
      .slice(0, 4)
      .map((c) => c.getAttribute("data-path"));
    expect(order).toEqual([
      "/many/img002.jpg",
      "/many/img003.jpg",
      "/many/img001.jpg",
      "/many/img000.jpg",
    ]);
    const option = d.querySelector('select[name="sort"] option[value="metric:score"]');
    expect(option?.textContent).toBe("Metric: score");
    expect(option?.hasAttribute("selected")).toBe(true);
    // Page links keep the sort.
    expect(d.querySelector(".pager a")?.getAttribute("href") ?? "").toContain(
      "sort=metric%3Ascore",
    );
  });

  test("G5: recursive view lists the whole subtree", async () => {
    const d = dom(await (await app.get("/?folder=/sub&recursive=1")).text());
    expect([...d.querySelectorAll(".card")].map((c) => c.getAttribute("data-path"))).toEqual([
      "/sub/c.jpg",
      "/sub/deeper/d.jpg",
    ]);
  });

  test("G7: a big folder sends one page of cards plus the total, and pages link onward without JS", async () => {
    const d = dom(await (await app.get("/?folder=/many")).text());
    expect(d.querySelectorAll(".card").length).toBe(120);
    expect(d.querySelector("#grid")!.getAttribute("data-total")).toBe("300");
    expect(d.querySelector(".pager a")!.getAttribute("href")).toContain("offset=120");
  });

  test("G9 F1: bad input: 400 JSON naming the field; an unknown folder 404 with the nearest page", async () => {
    for (const [qs, field] of [
      ["folder=../etc", "folder"],
      ["sort=colour", "sort"],
      ["stars=7", "stars"],
      ["size=5", "size"],
    ]) {
      const res = await app.get(`/?${qs}`);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toBe("validation_error");
      expect(body.field).toBe(field);
    }
    const res = await app.get("/?folder=/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(
      dom(await res.text())
        .querySelector("#browse")!
        .getAttribute("data-folder"),
    ).toBe("/");
  });
});

describe("fragments", () => {
  test("G7: GET /grid/page returns the requested slice with its total", async () => {
    const res = await app.get("/grid/page?folder=/many&offset=240&limit=100");
    expect(res.headers.get("X-Total")).toBe("300");
    const d = dom(`<div>${await res.text()}</div>`);
    const cards = [...d.querySelectorAll(".card")];
    expect(cards).toHaveLength(60);
    expect(cards[0]!.getAttribute("data-index")).toBe("240");
    expect(cards[0]!.getAttribute("data-path")).toBe("/many/img240.jpg");
  });

  test("GET /tree pages children; GET /inspector and /viewer render one item", async () => {
    const tree = dom(`<ul>${await (await app.get("/tree?folder=/sub")).text()}</ul>`);
    expect(
      [...tree.querySelectorAll(".folder-link")].map((a) => a.getAttribute("data-folder")),
    ).toEqual(["/sub/deeper"]);
    const ins = dom(await (await app.get("/inspector?path=sub/c.jpg")).text());
    expect(ins.querySelector("#inspector-body")!.getAttribute("data-path")).toBe("/sub/c.jpg");
    const viewer = dom(await (await app.get("/viewer?folder=/many&sel=/many/img001.jpg")).text());
    expect(viewer.querySelector("#viewer")!.getAttribute("data-prev")).toBe("/many/img000.jpg");
    expect(viewer.querySelector("#viewer")!.getAttribute("data-next")).toBe("/many/img002.jpg");
    expect((await app.get("/inspector?path=/nope.jpg")).status).toBe(404);
    expect((await app.get("/inspector?path=/../x")).status).toBe(400);
  });

  test("G7: GET /select lists a whole result with versions (select all, bulk edits)", async () => {
    const sel = await (await app.get("/select?folder=/many")).json();
    expect(sel.total).toBe(300);
    expect(sel.items[0]).toEqual(["/many/img000.jpg", 1]);
  });

  test("the vendored client libraries and our assets are served", async () => {
    for (const p of [
      "/vendor/htmx.js",
      "/vendor/hx-sse.js",
      "/vendor/alpine.js",
      "/static/app.js",
      "/static/live.js",
      "/static/app.css",
      "/static/bundle.js",
      "/static/app.min.css",
    ]) {
      const res = await app.get(p);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await app.get("/static/../package.json")).status).toBe(404);
  });
});

describe("G7: a folder with 10,000 subfolders", () => {
  let wide: TestLenslet;
  beforeAll(async () => {
    wide = await startTestLenslet({ "top.jpg": {} }, {}, (root) => {
      for (let i = 0; i < 10_000; i++) mkdirSync(`${root}/wide/f${i}`, { recursive: true });
    });
  });
  afterAll(() => wide?.dispose());

  test("the tree shows 200 children at a time with 'Show N more', never all 10,000", async () => {
    const res = await fetch(`${wide.url}/tree?folder=/wide`);
    const d = dom(`<ul>${await res.text()}</ul>`);
    expect(d.querySelectorAll(".folder-link").length).toBe(200);
    expect(d.querySelector(".more button")!.textContent).toContain("Show 9,800 more");
    const next = dom(
      `<ul>${await (await fetch(`${wide.url}/tree?folder=/wide&offset=200`)).text()}</ul>`,
    );
    expect(next.querySelectorAll(".folder-link").length).toBe(200);
    expect(next.querySelector(".folder-link")!.getAttribute("data-folder")).toBe("/wide/f200");
  });
});
