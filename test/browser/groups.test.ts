/**
 * The Bursts / Duplicates region while hashing runs (M5), in real Chromium: the region says how
 * far hashing is and the status bar shows "Hashing N / M" until the job is done, then the groups.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

const N = 120;
let s: TestLenslet;
let browser: BrowserSession;

beforeAll(async () => {
  // In a subfolder, so the root page's grid makes no thumbnails (and no hashes) of its own.
  const files: Record<string, object> = {};
  for (let i = 1; i <= N; i++) files[`many/img-${i}.jpg`] = { w: 1200, h: 900 };
  s = await startTestLenslet(files as never, { watch: false });
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.dispose();
});

describe("groups while hashing", () => {
  test("M5: hashing progress in the region and the status bar, then the groups", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector("#hash-status", { state: "attached" });
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    if (await page.isVisible("#whoami")) {
      await page.fill("#whoami-name", "Ana");
      await page.press("#whoami-name", "Enter");
      await page.waitForSelector("#whoami[hidden]", { state: "attached" });
    }
    await page.click('[data-groups-open="duplicate"]');
    await page.waitForSelector("#groups .groups-progress");
    expect(await page.textContent("#groups .groups-progress")).toMatch(
      new RegExp(`Hashing… \\d+ of ${N} images hashed`),
    );
    await page.waitForFunction(
      (n) =>
        new RegExp(`^Hashing \\d+ / ${n}$`).test(
          document.getElementById("hash-status")?.textContent ?? "",
        ),
      N,
    );
    expect(await page.isVisible("#hash-status")).toBe(true);
    // Done: the region shows the one group (the test pictures are the same pixels), the status bar clears.
    await page.waitForSelector(`#groups[data-pending="0"] .group[data-count="${N}"]`, {
      timeout: 90_000,
    });
    await page.waitForSelector("#hash-status", { state: "hidden" });
    expect(await page.$$eval(".group img", (els) => els.length)).toBe(8);
    expect(await page.textContent(".group-more")).toBe(`+${N - 8}`);
    expect(errors).toEqual([]);
  }, 150_000);
});
