/**
 * Brushing a histogram by keyboard alone (D23), in real Chromium against the real app: Tab reaches a
 * histogram's sliders, arrows move an edge by a bin (Shift by ten), the URL gets `m.<field>`, the grid and its
 * count follow, the focus stays on the slider, a status line says what is shown, a reload keeps the range,
 * Esc and Backspace clear it; axe finds nothing serious in the panel with a range set.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;
let browser: BrowserSession;
const names = ["a", "b", "c", "d", "e", "f", "g", "h"];

beforeAll(async () => {
  app = await startTestLenslet(Object.fromEntries(names.map((n) => [`${n}.jpg`, {}])));
  // score 0..7: a → 0, …, h → 7; 40 bins of 0.175.
  const r = await app.get("/items/patch", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({
      patches: names.map((n, i) => ({ path: `/${n}.jpg`, set_metrics: { score: i } })),
    }),
  });
  expect(r.status).toBe(200);
  browser = await openBrowser({ width: 1440, height: 900 });
  await browser.context.addInitScript(() => {
    localStorage.setItem("lenslet.name", "Kim");
    localStorage.setItem("lenslet.nameAsked", "1");
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

const cards = (page: Page) =>
  page.$$eval("#grid .card", (els) => els.map((e) => (e as HTMLElement).dataset.path));
const mScore = (page: Page) => new URLSearchParams(new URL(page.url()).search).get("m.score");
/** What has the focus: `score:lo` for a histogram's slider, else the tag. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLInputElement | null;
    const facet = a?.closest<HTMLElement>(".facet");
    return a?.dataset.end ? `${facet?.dataset.field}:${a.dataset.end}` : (a?.tagName ?? "");
  });

/** Presses Tab until the focus is on `want` (keyboard only, as a person would), at most 100 times. */
async function tabTo(page: Page, want: string) {
  for (let i = 0; i < 100; i++) {
    await page.keyboard.press("Tab");
    if ((await focused(page)) === want) return;
  }
  throw new Error(`Tab never reached ${want}`);
}

async function press(page: Page, key: string, times = 1) {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

describe("the Metrics panel by keyboard (D23)", () => {
  test("D23: Tab to a histogram's sliders, arrows set m.score; the grid, count and URL follow; focus stays; reload keeps it; Esc and Backspace clear", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(app.url);
    await page.waitForSelector('#metrics-panel .facet[data-field="score"] input[data-end="lo"]');
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 8);

    await tabTo(page, "score:lo");
    const lo = page.locator('#metrics-panel .facet[data-field="score"] input[data-end="lo"]');
    expect(await lo.getAttribute("aria-valuetext")).toBe("lowest (0)");
    // Two tens and no single steps: bin 20 of 40, score ≥ 3.5.
    await press(page, "Shift+ArrowRight", 2);
    expect(await lo.getAttribute("aria-valuetext")).toBe("3.5");
    await page.waitForFunction(
      () => new URLSearchParams(location.search).get("m.score") === "3.5..",
    );
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 4);
    expect(await cards(page)).toEqual(["/e.jpg", "/f.jpg", "/g.jpg", "/h.jpg"]);
    expect(await page.textContent("#status .count")).toContain("4 images");
    // The panel was fetched again for the new view, and the focus is still on the slider.
    await page.waitForSelector('#metrics-panel .facet.active[data-field="score"] rect.brush');
    expect(await focused(page)).toBe("score:lo");
    await page.waitForFunction(() =>
      document.querySelector("#metrics-status")?.textContent?.includes("4 images"),
    );

    // On to the high end: one Shift+ArrowLeft is ten bins down, to 5.25: e (4) and f (5).
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("score:hi");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.waitForFunction(
      () => new URLSearchParams(location.search).get("m.score") === "3.5..5.25",
    );
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 2);
    expect(await cards(page)).toEqual(["/e.jpg", "/f.jpg"]);
    // Single steps: one bin each; several keys in a row make one navigation.
    const before = await page.evaluate(() => history.length);
    await press(page, "ArrowRight", 5);
    await page.waitForFunction(
      () => new URLSearchParams(location.search).get("m.score") === "3.5..6.125",
    );
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 3);
    expect(await page.evaluate(() => history.length)).toBe(before + 1);
    await page.waitForFunction(
      () =>
        (
          document.querySelector(
            '#metrics-panel .facet[data-field="score"] input[data-end="hi"]',
          ) as HTMLInputElement | undefined
        )?.value === "35",
    );
    expect(await focused(page)).toBe("score:hi");

    await page.reload();
    await page.waitForSelector('#metrics-panel .facet.active[data-field="score"] rect.brush');
    expect(mScore(page)).toBe("3.5..6.125");
    expect(await cards(page)).toEqual(["/e.jpg", "/f.jpg", "/g.jpg"]);
    const values = await page.$$eval(
      '#metrics-panel .facet[data-field="score"] input[data-end]',
      (els) => els.map((e) => (e as HTMLInputElement).value),
    );
    expect(values).toEqual(["20", "35"]);

    // Esc clears the range from either slider.
    await tabTo(page, "score:hi");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !new URLSearchParams(location.search).has("m.score"));
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 8);
    await page.waitForFunction(() => !document.querySelector("#metrics-panel .facet.active"));
    expect(await focused(page)).toBe("score:hi");

    // So does Backspace; End and Home jump to the ends.
    await page.keyboard.press("Home");
    await page.waitForFunction(
      () => new URLSearchParams(location.search).get("m.score") === "..0.175",
    );
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 1);
    await page.keyboard.press("Backspace");
    await page.waitForFunction(() => !new URLSearchParams(location.search).has("m.score"));
    await page.waitForFunction(() => document.querySelectorAll("#grid .card").length === 8);
    expect(errors).toEqual([]);
  });

  test("D23: axe finds no serious or critical violation in the Metrics panel, with and without a range", async () => {
    const { page } = browser;
    const found: Record<string, string[]> = {};
    for (const [name, url] of [
      ["no range", app.url],
      ["a range", `${app.url}/?m.score=2..5`],
    ] as const) {
      await page.goto(url);
      await page.waitForSelector('#metrics-panel .facet[data-field="score"] input[data-end="hi"]');
      const r = await new AxeBuilder({ page }).include("#metrics").analyze();
      found[name] = r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
    expect(found).toEqual({ "no range": [], "a range": [] });
  });
});
