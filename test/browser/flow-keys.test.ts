/**
 * Real Chromium: the keyboard flow (U21), many at once (U22) and conflicts you can decide (U23), against the
 * real server process on a small tree.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let server: ServerProcess;
const browsers: BrowserSession[] = [];
const names = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, "0")}.jpg`);

beforeAll(async () => {
  root = tempDir("lenslet-keys-");
  await writeTree(root, {
    ...Object.fromEntries(names.map((n) => [`a/${n}`, {}])),
    "m/one.jpg": {},
    "m/two.jpg": {},
    "m/three.jpg": {},
    "c/x.jpg": {},
  });
  server = await startServerProcess([
    root,
    "--port",
    "0",
    "--workspace",
    tempDir("lenslet-keys-ws-"),
  ]);
}, 60_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
  removeDir(root);
});

async function open(): Promise<Page> {
  const b = await openBrowser({ width: 1440, height: 900 });
  browsers.push(b);
  // Someone who has named themselves already: the first-visit name prompt would cover the inspector.
  await b.context.addInitScript(() => {
    localStorage.setItem("lenslet.name", "Kim");
    localStorage.setItem("lenslet.nameAsked", "1");
  });
  return b.page;
}
const ready = (p: Page) => p.waitForFunction(() => !!window.Alpine?.store("sel"));
const focused = (p: Page) =>
  p.evaluate(() => {
    const a = document.activeElement as HTMLInputElement | null;
    return a
      ? `${a.tagName.toLowerCase()}[name=${a.name ?? ""}]${a.value ? `=${a.value}` : ""}`
      : "";
  });

async function patch(path: string, body: object, name: string) {
  const cur = await (await fetch(`${server.url}/item?path=${encodeURIComponent(path)}`)).json();
  const res = await fetch(`${server.url}/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
      "X-Lenslet-Name": name,
    },
    body: JSON.stringify({ base_version: cur.version, ...body }),
  });
  expect(res.status).toBe(200);
}

describe("keyboard flow", () => {
  test("U21 U36: sort, direction, and in the Filters popover tag and a star chip keep the focus on themselves after the view swaps; Esc closes the popover onto its button", async () => {
    const page = await open();
    await patch("/a/k00.jpg", { add_tags: ["sky"] }, "Ana");
    await page.goto(`${server.url}/?folder=/a`);
    await ready(page);
    // Each step waits for the view it asked for (the new #browse carries its query): "some swap happened" is not
    // enough, a status-bar or presence swap from the live stream can come first.
    const view = (part: string) => page.waitForSelector(`#browse[data-query*="${part}"]`);
    // A user changing a control has the focus on it (Playwright's selectOption alone does not move it there).
    await page.focus('select[name="sort"]');
    await page.selectOption('select[name="sort"]', "size");
    await view("sort=size");
    await page.waitForFunction(
      () => (document.activeElement as HTMLSelectElement)?.name === "sort",
    );
    await page.focus('select[name="dir"]');
    await page.selectOption('select[name="dir"]', "desc");
    await view("dir=desc");
    await page.waitForFunction(() => (document.activeElement as HTMLSelectElement)?.name === "dir");
    // The filters are in the Filters popover (U36), opened from the keyboard; a change there swaps the toolbar,
    // and the popover opens again with the focus on the same control.
    await page.focus("#filters-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#filters-panel:popover-open");
    await page.focus('select[name="tag"]');
    await page.selectOption('select[name="tag"]', "sky");
    await view("tag=sky");
    await page.waitForFunction(() => (document.activeElement as HTMLSelectElement)?.name === "tag");
    expect(await page.isVisible("#filters-panel")).toBe(true);
    expect(await page.textContent("#filters-button")).toBe("Filters · 1");
    await page.selectOption('select[name="tag"]', "");
    await page.waitForSelector('#browse:not([data-query*="tag="])');
    // A star chip, toggled with the keyboard (Space), keeps the focus too.
    await page.waitForSelector("#filters-panel:popover-open");
    await page.focus('.stars-filter input[value="unrated"]');
    await page.keyboard.press("Space");
    await view("stars=unrated");
    await page.waitForFunction(
      () => (document.activeElement as HTMLInputElement)?.value === "unrated",
    );
    expect(await focused(page)).toBe("input[name=stars]=unrated");
    // …so the next ↓ does not move the grid selection.
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => document.querySelectorAll(".card.selected").length)).toBe(0);
    // Esc closes the popover and gives the focus back to its button at once (the browser's own restore: the
    // focus is never left on <body> in between), and the button still counts the filter on.
    // The listener is in place before the key (an evaluate left running could miss it).
    await page.evaluate(() => {
      document.addEventListener(
        "keydown",
        (e) => {
          if (e.key !== "Escape") return;
          setTimeout(() => {
            document.body.dataset.afterEsc = document.activeElement?.id ?? "";
          }, 0);
        },
        { once: true },
      );
    });
    await page.keyboard.press("Escape");
    await page.waitForSelector("body[data-after-esc]", { state: "attached" });
    expect(await page.evaluate(() => document.body.dataset.afterEsc)).toBe("filters-button");
    await page.waitForSelector("#filters-panel:not(:popover-open)", { state: "attached" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("filters-button");
    expect(await page.textContent("#filters-button")).toBe("Filters · 1");
  });

  test("U21: a view swapped by someone else's edit (an empty view filling) keeps the focus on the toolbar control that had it", async () => {
    const page = await open();
    // /c holds one image, unrated: the 5-star view of it is empty until Bo rates it.
    await page.goto(`${server.url}/?folder=/c&stars=5`);
    await ready(page);
    await page.waitForSelector(".conn-status.live");
    expect(await page.locator(".grid-page .card").count()).toBe(0);
    await page.focus('select[name="sort"]');
    await patch("/c/x.jpg", { set_star: 5 }, "Bo");
    // The live refresh swaps #browse (toolbar included): the card comes, the focus stays on Sort.
    await page.waitForSelector('.card[data-path="/c/x.jpg"]');
    await page.waitForFunction(
      () => (document.activeElement as HTMLSelectElement)?.name === "sort",
    );
  });

  test("U21: another swap that starts while the view's swap is still finishing does not cost the toolbar control its focus", async () => {
    const page = await open();
    // As above, the live refresh fills an empty view (/m at 5 stars) while Sort has the focus…
    await page.goto(`${server.url}/?folder=/m&stars=5`);
    await ready(page);
    await page.waitForSelector(".conn-status.live");
    await page.focus('select[name="sort"]');
    // …and htmx awaits between inserting #browse and its htmx:after:swap. Another swap (a small one of our own,
    // begun from a MutationObserver, i.e. in exactly that gap) runs its htmx:before:swap with the focus already
    // gone to <body>: that must not wipe what the view's swap held.
    await page.evaluate(() => {
      const spot = document.createElement("div");
      spot.id = "elsewhere";
      document.body.append(spot);
      const browse = document.getElementById("browse")?.parentElement;
      if (!browse) throw new Error("no #browse parent");
      const watch = new MutationObserver(() => {
        watch.disconnect();
        const h = (window as unknown as { htmx: { swap(ctx: object): Promise<void> } }).htmx;
        void h.swap({
          sourceElement: spot,
          target: spot,
          swap: "innerHTML",
          text: "<span>live</span>",
        });
      });
      watch.observe(browse, { childList: true });
    });
    await patch("/m/one.jpg", { set_star: 5 }, "Bo");
    await page.waitForSelector('.card[data-path="/m/one.jpg"]');
    await page.waitForSelector("#elsewhere span");
    await page.waitForFunction(
      () => (document.activeElement as HTMLSelectElement)?.name === "sort",
      undefined,
      { timeout: 3000 },
    );
  });

  test("U21 U36: Esc before the filtered view comes back leaves the popover closed and the focus on its button; a swap that came between does not take the focus either", async () => {
    const page = await open();
    await page.goto(`${server.url}/?folder=/a`);
    await ready(page);
    // The view's response is held until the user has pressed Esc.
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let arrive = () => {};
    const arrived = new Promise<void>((r) => {
      arrive = r;
    });
    await page.route(
      (u) => u.searchParams.get("stars") === "unrated",
      async (route) => {
        arrive();
        await gate;
        await route.continue();
      },
    );
    await page.focus("#filters-button");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#filters-panel:popover-open");
    await page.focus('.stars-filter input[value="unrated"]');
    await page.keyboard.press("Space");
    await page.waitForFunction(() => document.activeElement?.closest("#filters-panel") !== null);
    await arrived;
    await page.keyboard.press("Escape");
    await page.waitForSelector("#filters-panel:not(:popover-open)", { state: "attached" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("filters-button");
    // An unrelated swap completes while the view is on its way (a live-stream update would): the change the
    // user has left behind does not pull the focus back into the popover.
    await page.evaluate(() => {
      const spot = document.createElement("div");
      spot.id = "elsewhere";
      document.body.append(spot);
      const h = (window as unknown as { htmx: { swap(ctx: object): Promise<void> } }).htmx;
      return h.swap({
        sourceElement: spot,
        target: spot,
        swap: "innerHTML",
        text: "<span>live</span>",
      });
    });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("filters-button");
    expect(await page.evaluate(() => document.querySelector("#filters-panel:popover-open"))).toBe(
      null,
    );
    release();
    await page.waitForSelector('#browse[data-query*="stars=unrated"]');
    // The new toolbar's button has the focus (the swap took the old one), and the popover stays closed.
    await page.waitForFunction(() => document.activeElement?.id === "filters-button");
    expect(await page.evaluate(() => document.querySelector("#filters-panel:popover-open"))).toBe(
      null,
    );
    expect(await page.textContent("#filters-button")).toBe("Filters · 1");
  });

  test("U21: T goes to tags, N to notes, Esc back to the grid; Home, End, PageDown and PageUp move through it", async () => {
    const page = await open();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/?folder=/a`);
    await ready(page);
    await page.locator("#grid-list").focus();
    const current = () =>
      page.evaluate(() => (document.querySelector(".card.cursor") as HTMLElement)?.dataset.path);
    await page.keyboard.press("End");
    await page.waitForFunction(
      () => (document.querySelector(".card.cursor") as HTMLElement)?.dataset.path === "/a/k29.jpg",
    );
    await page.keyboard.press("Home");
    await page.waitForFunction(
      () => (document.querySelector(".card.cursor") as HTMLElement)?.dataset.path === "/a/k00.jpg",
    );
    await page.keyboard.press("PageDown");
    await page.waitForFunction(
      () => Number((document.querySelector(".card.cursor") as HTMLElement)?.dataset.index) > 0,
    );
    const down = Number(
      await page.evaluate(
        () => (document.querySelector(".card.cursor") as HTMLElement).dataset.index,
      ),
    );
    // A screenful: whole rows, more than one card.
    const cols = await page.evaluate(() =>
      getComputedStyle(document.querySelector("#grid")!).getPropertyValue("--cols"),
    );
    expect(down % Number(cols)).toBe(0);
    expect(down).toBeGreaterThan(1);
    await page.keyboard.press("PageUp");
    await page.waitForFunction(
      () => (document.querySelector(".card.cursor") as HTMLElement)?.dataset.path === "/a/k00.jpg",
    );
    expect(await current()).toBe("/a/k00.jpg");
    await page.waitForSelector('#inspector-body[data-path="/a/k00.jpg"]');
    await page.keyboard.press("t");
    await page.waitForFunction(() => document.activeElement?.classList.contains("tag-input"));
    await page.keyboard.type("dusk");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#inspector-body .tag-list [data-tag="dusk"]');
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.activeElement?.id === "grid-list");
    await page.keyboard.press("n");
    await page.waitForFunction(() => document.activeElement?.id === "notes-input");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.activeElement?.id === "grid-list");
    // Back on the grid, the arrows work again.
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector('#inspector-body[data-path="/a/k01.jpg"]');
    // Every shortcut is listed in "?".
    await page.keyboard.press("?");
    const listed = await page.$$eval("#shortcuts kbd", (els) =>
      els.map((e) => e.textContent ?? ""),
    );
    for (const k of ["Home / End", "Page Up / Page Down", "T", "N", "Esc  (in a field)"])
      expect(listed).toContain(k);
    expect(errors).toEqual([]);
  });
});

describe("many at once", () => {
  test("U22: the multi-selection inspector shows what the images hold, removes a tag from all and sets notes for all", async () => {
    await patch("/m/one.jpg", { set_star: 3, add_tags: ["sky", "dusk"] }, "Ana");
    await patch("/m/two.jpg", { set_star: 5, add_tags: ["sky"], set_notes: "old" }, "Ana");
    const page = await open();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/?folder=/m`);
    await ready(page);
    await page.click('.card[data-path="/m/one.jpg"]');
    await page.keyboard.press("Control+a");
    await page.waitForSelector('#bulk-inspector[data-count="3"]');
    expect(await page.isVisible("#inspector-body")).toBe(false);
    expect(await page.textContent("#bulk-inspector .bulk-stars")).toBe(
      "Mixed: 1 × ★★★★★ · 1 × ★★★☆☆ · 1 × unrated",
    );
    expect(
      await page.$$eval("#bulk-inspector .bulk-tags li", (els) =>
        els.map(
          (e) => `${e.getAttribute("data-tag")} ${e.querySelector(".tag-count")!.textContent}`,
        ),
      ),
    ).toEqual(["sky 2/3", "dusk 1/3"]);
    // Remove "sky" from all: the box follows the server.
    await page.click('#bulk-inspector [data-action="bulk-remove-tag"][data-tag="sky"]');
    await page.waitForFunction(
      () => !document.querySelector('#bulk-inspector .bulk-tags li[data-tag="sky"]'),
    );
    // Notes for all.
    await page.fill("#bulk-notes", "picked for the book");
    await page.click('#bulk-inspector [data-action="bulk-notes-save"]');
    await page.waitForFunction(
      () =>
        (document.querySelector("#bulk-notes") as HTMLTextAreaElement | null)?.value ===
          "picked for the book" &&
        document.querySelector("#bulk-notes")?.getAttribute("placeholder") === "No notes",
    );
    for (const p of ["/m/one.jpg", "/m/two.jpg", "/m/three.jpg"]) {
      const item = await (await fetch(`${server.url}/item?path=${encodeURIComponent(p)}`)).json();
      expect(item.notes).toBe("picked for the book");
      expect(item.tags).not.toContain("sky");
    }
    // A rating for all turns "mixed" into one value.
    await page.click('#bulk-inspector .star[data-value="2"]');
    await page.waitForFunction(
      () => document.querySelector("#bulk-inspector .bulk-stars")?.textContent === "All 2 stars",
    );
    expect(errors).toEqual([]);
  });
});

describe("conflicts you can decide", () => {
  test("U23: the conflict box shows yours and theirs (notes as a word diff), the same box POST /conflict renders", async () => {
    const page = await open();
    await page.goto(`${server.url}/?folder=/c&sel=/c/x.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/c/x.jpg"]');
    await ready(page);
    // Ben writes while this page's person is typing over version 1.
    await page.fill("#inspector-body .notes", "the slow brown fox jumps");
    await patch("/c/x.jpg", { set_notes: "the quick brown fox" }, "Ben");
    const box = '.conflict-slot[data-conflict="notes"] .conflict';
    await page.waitForSelector(`${box} .diff-text`);
    expect(await page.textContent(`${box} .conflict-head strong`)).toBe("Ben");
    expect(
      await page.$$eval(`${box} .diff-text del`, (els) => els.map((e) => e.textContent)),
    ).toEqual(["quick "]);
    expect(
      await page.$$eval(`${box} .diff-text ins`, (els) => els.map((e) => e.textContent)),
    ).toEqual(["slow ", "jumps"]);
    // The region in the page is the server's fragment, as it renders alone.
    const inPage = await page.$eval(box, (e) => e.outerHTML);
    const alone = await page.evaluate(async () => {
      const res = await fetch("/conflict", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          path: "/c/x.jpg",
          field: "notes",
          mine: { notes: "the slow brown fox jumps" },
        }),
      });
      const t = document.createElement("template");
      t.innerHTML = await res.text();
      return (t.content.firstElementChild as HTMLElement).outerHTML;
    });
    expect(inPage).toBe(alone);
    await page.click(`${box} >> text=Keep theirs`);
    await page.waitForFunction(() => !document.querySelector(".conflict"));
    // Stars: Ben's rating lands just before this one (its request held until then): both versions, in words.
    await page.route("**/item?path=*", async (route) => {
      if (route.request().method() === "PATCH") await patch("/c/x.jpg", { set_star: 2 }, "Ben");
      await route.continue();
    });
    await page.click('#inspector-body .star[data-value="4"]');
    const stars = '.conflict-slot[data-conflict="star"] .conflict';
    await page.waitForSelector(`${stars} .yours`);
    expect(await page.textContent(`${stars} .yours`)).toBe("★★★★☆ (4 stars)");
    expect(await page.textContent(`${stars} .theirs`)).toBe("★★☆☆☆ (2 stars)");
    await page.unroute("**/item?path=*");
    await page.click(`${stars} >> text=Apply mine again`);
    await page.waitForFunction(async () => {
      const r = await (await fetch("/item?path=/c/x.jpg")).json();
      return r.star === 4;
    });
  });
});
