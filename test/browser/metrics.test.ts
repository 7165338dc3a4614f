/**
 * The Metrics panel as a person meets it (D18), in real Chromium against the real app: drag on a
 * histogram and the grid, the count and the URL follow; a reload keeps the range; × clears it;
 * a score pushed by someone else shows in the histograms without a reload.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;
let browser: BrowserSession;
const names = ["a", "b", "c", "d", "e", "f", "g", "h"];

async function push(patches: unknown[]) {
  const r = await app.get("/items/patch", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({ patches }),
  });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  app = await startTestLenslet(Object.fromEntries(names.map((n) => [`${n}.jpg`, {}])));
  // score 0..7: a → 0, …, h → 7
  await push(names.map((n, i) => ({ path: `/${n}.jpg`, set_metrics: { score: i } })));
  browser = await openBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

const cards = () =>
  browser.page.$$eval("#grid .card", (els) => els.map((e) => (e as HTMLElement).dataset.path));

describe("the Metrics panel (D18)", () => {
  test("D18: dragging over a histogram's upper half filters the grid, the count and the URL; reload keeps it; × clears", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(app.url);
    const svg = await page.waitForSelector('#metrics-panel svg.histogram-plot[data-field="score"]');
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 8);
    const box = await svg.boundingBox();
    if (!box) throw new Error("histogram not laid out");
    // From the middle to the right edge: bins 20..39 of 40 over 0..7, i.e. score ≥ 3.5.
    await page.mouse.move(box.x + box.width * 0.5 + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 2 });
    await page.mouse.up();
    await page.waitForFunction(() => new URLSearchParams(location.search).has("m.score"));
    expect(new URLSearchParams(new URL(page.url()).search).get("m.score")).toBe("3.5..");
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 4);
    expect(await cards()).toEqual(["/e.jpg", "/f.jpg", "/g.jpg", "/h.jpg"]);
    expect(await page.textContent("#status .count")).toContain("4 images");
    // The panel follows: the range is drawn and has a clear link.
    await page.waitForSelector('#metrics-panel .facet.active[data-field="score"] rect.brush');

    await page.reload();
    await page.waitForSelector('#metrics-panel .facet.active[data-field="score"] rect.brush');
    expect(await cards()).toEqual(["/e.jpg", "/f.jpg", "/g.jpg", "/h.jpg"]);

    // A sort change (the toolbar's form) keeps the range.
    await page.selectOption('select[name="sort"]', "metric:score");
    await page.waitForFunction(
      () => new URLSearchParams(location.search).get("sort") === "metric:score",
    );
    expect(new URLSearchParams(new URL(page.url()).search).get("m.score")).toBe("3.5..");

    await page.click('#metrics-panel a.facet-clear[data-facet-clear="score"]');
    await page.waitForFunction(() => !new URLSearchParams(location.search).has("m.score"));
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 8);
    await page.waitForFunction(() => !document.querySelector("#metrics-panel .facet.active"));
    expect(errors).toEqual([]);
  });

  test("D18: a metric someone else pushes appears in the panel without a reload", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(app.url);
    await page.waitForSelector('#metrics-panel svg[data-field="score"]');
    expect(await page.$('#metrics-panel svg[data-field="aesthetic"]')).toBeNull();
    await push([{ path: "/a.jpg", set_metrics: { aesthetic: 0.4 } }]);
    await page.waitForSelector('#metrics-panel svg[data-field="aesthetic"]', { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});

describe("saved views (D20)", () => {
  test("D20: a view saved in one browser appears live in a second, and opens there with its filter", async () => {
    const second = await openBrowser();
    try {
      const a = browser.page;
      const b = second.page;
      const errors = [...watchErrors(a), ...watchErrors(b)];
      await b.goto(app.url);
      await b.waitForSelector("#saved-views-list .saved-views-empty");
      await b.waitForFunction(() => document.querySelectorAll("#grid .card").length === 8);
      await a.goto(`${app.url}/?m.score=6..`);
      await a.waitForFunction(() => document.querySelectorAll("#grid .card").length === 2);
      await a.fill("#saved-views form.save-view input[name=name]", "Top scores");
      await a.click("#saved-views form.save-view button[type=submit]");
      await a.waitForSelector('#saved-views-list a.saved-view[data-view-name="Top scores"]');
      // The other browser hears views-changed and lists it without a reload.
      const link = await b.waitForSelector(
        '#saved-views-list a.saved-view[data-view-name="Top scores"]',
        {
          timeout: 10_000,
        },
      );
      await link.click();
      await b.waitForFunction(() => new URLSearchParams(location.search).get("m.score") === "6..");
      await b.waitForFunction(() => document.querySelectorAll("#grid .card").length === 2);
      expect(errors).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
