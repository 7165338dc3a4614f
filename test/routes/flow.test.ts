/**
 * Never a dead end, finding things, what others do, export what you see
 * (issue 10 items 5, 6, 9, 10): the server side, through the real app.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Window } from "happy-dom";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;

function dom(html: string) {
  const w = new Window({ url: "http://localhost/" });
  w.document.write(html);
  return w.document;
}
const HX = { headers: { "HX-Request": "true" } };

beforeAll(async () => {
  app = await startTestLenslet({
    "top.jpg": {},
    "sub/c1.jpg": {},
    "sub/c2.jpg": {},
    "sub/deeper/c3.jpg": {},
    "other/x.jpg": {},
  });
});
afterAll(() => app.dispose());

async function write(path: string, body: object, client: string, name: string) {
  const res = await app.get(`/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
      "X-Lenslet-Name": encodeURIComponent(name),
      "X-Lenslet-Client": client,
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

describe("never a dead end (F1, F2)", () => {
  test("F1: a link to a folder that is gone shows the nearest folder still there, says so, and names it for the address bar", async () => {
    const res = await app.get("/?folder=/sub/gone/below&q=");
    expect(res.status).toBe(404);
    const d = dom(await res.text());
    expect(d.querySelector("#browse")!.getAttribute("data-folder")).toBe("/sub");
    expect(d.querySelectorAll("#grid .card").length).toBe(2);
    const notice = d.querySelector("#browse .notices")!;
    expect(notice.textContent).toContain("“/sub/gone/below” is not in this gallery");
    expect(notice.textContent).toContain("Showing “/sub”");
    expect(notice.getAttribute("data-replace-url")).toBe("/?folder=%2Fsub");
    // The whole tree is gone: the root.
    const root = dom(await (await app.get("/?folder=/nowhere")).text());
    expect(root.querySelector("#browse")!.getAttribute("data-folder")).toBe("/");
    expect(root.querySelector(".notices")!.textContent).toContain("“All images”");
  });

  test("F1: htmx asking for a folder that is gone gets the nearest one and HX-Replace-Url", async () => {
    const res = await app.get("/?folder=/other/gone", HX);
    expect(res.status).toBe(404);
    expect(res.headers.get("HX-Replace-Url")).toBe("/?folder=%2Fother");
    const html = await res.text();
    expect(html.startsWith("<main")).toBe(true);
    expect(dom(html).querySelector("#browse")!.getAttribute("data-folder")).toBe("/other");
  });

  test("F2: a link to an image that is gone (selection or viewer) says so in the page; the folder shows", async () => {
    for (const extra of ["", "&view=1"]) {
      const res = await app.get(`/?folder=/sub&sel=${encodeURIComponent("/sub/gone.jpg")}${extra}`);
      expect(res.status).toBe(404);
      const d = dom(await res.text());
      expect(d.querySelector(".notices")!.textContent).toContain(
        "The image “gone.jpg” (/sub/gone.jpg) is not in this gallery",
      );
      expect(d.querySelector(".notices")!.getAttribute("data-replace-url")).toBe("/?folder=%2Fsub");
      expect(d.querySelectorAll("#grid .card").length).toBe(2);
      expect(d.querySelector("#viewer-slot")!.children.length).toBe(0);
    }
    const fine = await app.get(`/?folder=/sub&sel=${encodeURIComponent("/sub/c1.jpg")}`);
    expect(fine.status).toBe(200);
    expect(dom(await fine.text()).querySelector(".notices")).toBeNull();
  });
});

describe("finding things (F5-F7)", () => {
  test("F5: a search with no match here offers the matches in subfolders, one link to the recursive view", async () => {
    const d = dom(await (await app.get("/?q=c")).text());
    expect(d.querySelectorAll("#grid .card").length).toBe(0);
    const offer = d.querySelector(".deeper")!;
    expect(offer.textContent).toBe("3 matches in subfolders — show them");
    // It submits the toolbar form (which holds q=c) with recursive=1.
    const button = offer.querySelector("button")!;
    expect(["type", "form", "name", "value"].map((a) => button.getAttribute(a))).toEqual([
      "submit",
      "browse-form",
      "recursive",
      "1",
    ]);
    expect(d.querySelector("form#browse-form input[name=q]")!.getAttribute("value")).toBe("c");
    const href = button.getAttribute("data-href")!;
    expect(Object.fromEntries(new URL(href, "http://x").searchParams)).toEqual({
      recursive: "1",
      q: "c",
    });
    const deep = dom(await (await app.get(href)).text());
    expect(deep.querySelectorAll("#grid .card").length).toBe(3);
    // A filter that finds nothing below either offers nothing; a match here needs no offer.
    expect(dom(await (await app.get("/?q=zzz")).text()).querySelector(".deeper")).toBeNull();
    expect(dom(await (await app.get("/?q=top")).text()).querySelector(".deeper")).toBeNull();
    const one = dom(await (await app.get("/?folder=/sub&q=c3")).text());
    expect(one.querySelector(".deeper")!.textContent).toBe("1 match in subfolders — show them");
  });

  test("F6: recursive views show each card's folder as a link to it, on the first page and on fetched pages", async () => {
    const d = dom(await (await app.get("/?recursive=1")).text());
    const lines = [...d.querySelectorAll("#grid .card")].map((c) => [
      c.getAttribute("data-path"),
      c.querySelector(".card-folder")?.textContent ?? null,
      c.querySelector(".card-folder")?.getAttribute("data-href") ?? null,
    ]);
    expect(lines).toEqual([
      ["/top.jpg", null, null],
      ["/other/x.jpg", "/other", "/?folder=%2Fother"],
      ["/sub/c1.jpg", "/sub", "/?folder=%2Fsub"],
      ["/sub/c2.jpg", "/sub", "/?folder=%2Fsub"],
      ["/sub/deeper/c3.jpg", "/sub/deeper", "/?folder=%2Fsub%2Fdeeper"],
    ]);
    const page = dom(await (await app.get("/grid/page?recursive=1&offset=4&limit=1")).text());
    expect(page.querySelector(".card-folder")!.textContent).toBe("/sub/deeper");
    const flat = dom(await (await app.get("/?folder=/sub")).text());
    expect(flat.querySelector(".card-folder")).toBeNull();
  });

  test("F7: random order has a Reshuffle link to the same view with a new seed", async () => {
    const d = dom(await (await app.get("/?sort=random&seed=5&recursive=1")).text());
    const a = d.querySelector(".reshuffle")!;
    const p = new URL(a.getAttribute("href")!, "http://x").searchParams;
    expect(p.get("sort")).toBe("random");
    expect(p.get("recursive")).toBe("1");
    expect(Number(p.get("seed"))).not.toBe(5);
    expect(a.getAttribute("hx-get")).toBe(a.getAttribute("href"));
    expect(dom(await (await app.get("/")).text()).querySelector(".reshuffle")).toBeNull();
  });
});

describe("export what you see (F9)", () => {
  test("F9: the export links are this view's (filters, search, sort), and every #browse answer brings them again", async () => {
    const d = dom(
      await (
        await app.get("/?folder=/sub&recursive=1&q=c&stars=unrated&sort=date&dir=desc")
      ).text(),
    );
    const csv = d.querySelector('#export-links a[data-format="csv"]')!.getAttribute("href")!;
    const u = new URL(csv, "http://x");
    expect(u.pathname).toBe("/export");
    expect(Object.fromEntries(u.searchParams)).toEqual({
      folder: "/sub",
      recursive: "1",
      q: "c",
      sort: "date",
      dir: "desc",
      stars: "unrated",
      format: "csv",
    });
    const rows = (await (await app.get(csv.replace("format=csv", "format=json"))).json()) as {
      path: string;
    }[];
    expect(rows.map((r) => r.path).sort()).toEqual([
      "/sub/c1.jpg",
      "/sub/c2.jpg",
      "/sub/deeper/c3.jpg",
    ]);
    const fragment = dom(await (await app.get("/?folder=/other&q=x", HX)).text());
    const oob = fragment.querySelector("#export-links")!;
    expect(oob.getAttribute("hx-swap-oob")).toBe("innerHTML");
    expect(oob.querySelector('a[data-format="json"]')!.getAttribute("href")).toBe(
      "/export?folder=%2Fother&q=x&format=json",
    );
    expect(
      d.querySelector('#export-links [data-action="export-selection"][data-format="json"]'),
    ).not.toBeNull();
  });
});

describe("what others do (F8)", () => {
  test("F8: /activity lists recent edits by others across the gallery, newest first, each a link to the image; the asker's own are left out", async () => {
    await write("/sub/c1.jpg", { base_version: 1, set_star: 4 }, "tabAna", "Ana");
    await write("/other/x.jpg", { add_tags: ["keeper"] }, "tabBo", "Bo");
    await write("/sub/deeper/c3.jpg", { base_version: 1, set_notes: "soft" }, "tabAna", "Ana");
    const res = await app.get("/activity?client=tabBo");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const d = dom(await res.text());
    const entries = [...d.querySelectorAll(".activity-entry")].map((li) => ({
      text: li.querySelector(".activity-link")!.textContent!.replace(/\s+/g, " ").trim(),
      href: li.querySelector("a")!.getAttribute("href"),
      meta: li.querySelector(".activity-meta")!.textContent,
    }));
    expect(entries).toEqual([
      {
        text: "Ana edited the note c3.jpg",
        href: "/?folder=%2Fsub%2Fdeeper&sel=%2Fsub%2Fdeeper%2Fc3.jpg",
        meta: "/sub/deeper · just now",
      },
      {
        text: "Ana rated ★★★★☆ c1.jpg",
        href: "/?folder=%2Fsub&sel=%2Fsub%2Fc1.jpg",
        meta: "/sub · just now",
      },
    ]);
    const forAna = dom(await (await app.get("/activity?client=tabAna")).text());
    expect(
      [...forAna.querySelectorAll(".activity-link")].map((a) =>
        a.textContent!.replace(/\s+/g, " ").trim(),
      ),
    ).toEqual(["Bo tagged keeper x.jpg"]);
    expect((await app.get("/activity?limit=0")).status).toBe(400);
    const one = dom(await (await app.get("/activity?limit=1")).text());
    expect(one.querySelectorAll(".activity-entry").length).toBe(1);
  });

  test("F8: a script's metric push is one entry (what, first image, how many more)", async () => {
    // Metrics are coalesced for a moment before they are published: wait for that event.
    const published = new Promise<void>((resolve) => {
      const off = app.deps.bus.onEvent((env) => {
        if (env.event.type === "metrics-updated") {
          off();
          resolve();
        }
      });
    });
    const res = await app.get("/items/patch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({
        patches: [
          { path: "/top.jpg", set_metrics: { score: 0.5 } },
          { path: "/sub/c2.jpg", set_metrics: { score: 0.7 } },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await published;
    const text = await (await app.get("/activity")).text();
    const first = dom(text).querySelector(".activity-entry .activity-link")!;
    expect(first.textContent!.replace(/\s+/g, " ").trim()).toBe(
      "anonymous set score top.jpg and 1 more",
    );
  });
});
