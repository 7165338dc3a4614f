/**
 * Compare in real Chromium against the real app (M4): select 3, C, zoom on one frame and the
 * others follow (1:1 and pan too), keys act on the frame in focus, another browser's flag shows
 * live, "Keep this one" records one pick and the rejects, Esc closes and gives focus back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, touch, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let s: TestLenslet;
let a: BrowserSession;
let b: BrowserSession;

beforeAll(async () => {
  const files: Record<string, object> = {};
  for (let i = 1; i <= 4; i++) files[`img-${i}.jpg`] = { w: 1600, h: 1200 };
  s = await startTestLenslet(files as never, { watch: false });
  a = await openBrowser();
  b = await openBrowser();
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await s?.dispose();
});

const card = (p: string) => `.card[data-path="${p}"]`;
const frame = (p: string) => `.compare-frame[data-path="${p}"]`;
const item = async (p: string) =>
  (await fetch(`${s.url}/item?path=${encodeURIComponent(p)}`).then((r) => r.json())) as {
    flag: string | null;
    color: string | null;
    star: number | null;
  };

/** Serious and critical accessibility violations (axe-core), named by rule and element. */
async function serious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Every frame's zoom and centre, and whether they are all the same. */
const zooms = () =>
  a.page.$$eval(".compare-frame", (fs) =>
    fs.map((f) => `${(f as HTMLElement).dataset.zoom}@${(f as HTMLElement).dataset.center}`),
  );

describe("compare in a real browser", () => {
  test("M4: select 3, C; zoom and pan locked; keys on the focused frame; live flag; keep this one; Esc", async () => {
    const { page } = a;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("/img-3.jpg"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    await page.click(card("/img-1.jpg"));
    await page.click(card("/img-3.jpg"), { modifiers: ["Shift"] });
    await page.waitForFunction(() => document.querySelectorAll(".card.selected").length === 3);
    await page.keyboard.press("c");
    await page.waitForSelector("#compare .compare-frame >> nth=2");
    expect(await page.$$eval(".compare-frame", (fs) => fs.length)).toBe(3);
    // Modal: focus is in the first frame, the page behind is inert.
    await page.waitForFunction(
      () => document.activeElement?.matches('.compare-frame[data-path="/img-1.jpg"]') === true,
    );
    expect(await page.$eval("#app", (el) => el.closest("[inert]") !== null)).toBe(true);
    expect(await serious(page)).toEqual([]);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>(".compare-frame")].every(
        (f) => f.dataset.zoom === "fit",
      ),
    );

    // Wheel on the second frame: all three zoom to the same scale and centre.
    const box = await page.locator(`${frame("/img-2.jpg")} .compare-stage`).boundingBox();
    if (!box) throw new Error("no stage");
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>(".compare-frame")].every(
        (f) => f.dataset.zoom !== "fit",
      ),
    );
    let z = await zooms();
    expect(new Set(z).size).toBe(1);
    const transforms = await page.$$eval(".compare-pic", (ps) =>
      ps.map((p) => (p as HTMLElement).style.transform),
    );
    expect(new Set(transforms).size).toBe(1);

    // 1:1 for all, then a drag in the first frame pans all of them.
    await page.click('#compare [data-compare="zoom"][data-value="1"]');
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>(".compare-frame")].every(
        (f) => f.dataset.zoom === "1",
      ),
    );
    const before = (await zooms())[0];
    const b1 = await page.locator(`${frame("/img-1.jpg")} .compare-stage`).boundingBox();
    if (!b1) throw new Error("no stage");
    await page.mouse.move(b1.x + b1.width / 2, b1.y + b1.height / 2);
    await page.mouse.down();
    await page.mouse.move(b1.x + b1.width / 2 - 80, b1.y + b1.height / 2 - 40, { steps: 4 });
    await page.mouse.up();
    z = await zooms();
    expect(new Set(z).size).toBe(1);
    expect(z[0]).not.toBe(before);

    // Keys act on the frame in focus: → moves to the second; 6 makes it red, 3 gives it 3 stars.
    await page.focus(frame("/img-1.jpg"));
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      () => document.activeElement?.matches('.compare-frame[data-path="/img-2.jpg"]') === true,
    );
    await page.keyboard.press("6");
    await page.keyboard.press("3");
    await page.waitForSelector(`${frame("/img-2.jpg")}[data-color="red"][data-star="3"]`);
    for (;;) {
      const r = await item("/img-2.jpg");
      if (r.color === "red" && r.star === 3) break;
      await Bun.sleep(50);
    }
    expect((await item("/img-1.jpg")).color).toBeNull();

    // Another person rejects the third in their own browser: it shows here at once.
    await b.page.goto(s.url);
    await b.page.waitForSelector(card("/img-3.jpg"));
    await b.page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    await b.page.click(card("/img-3.jpg"));
    await b.page.keyboard.press("x");
    await page.waitForSelector(`${frame("/img-3.jpg")}[data-flag="reject"]`, { timeout: 10_000 });

    // Keep this one on the second: it is picked, the others rejected, in one batch.
    const writes: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => {
      if (r.method() !== "GET") writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    };
    page.on("request", onRequest);
    await page.click(`${frame("/img-2.jpg")} [data-compare="keep"]`);
    for (;;) {
      const [r1, r2, r3] = await Promise.all(["/img-1.jpg", "/img-2.jpg", "/img-3.jpg"].map(item));
      if (r1?.flag === "reject" && r2?.flag === "pick" && r3?.flag === "reject") break;
      await Bun.sleep(50);
    }
    expect((await item("/img-4.jpg")).flag).toBeNull();
    page.off("request", onRequest);
    // One batch write, not one per image.
    expect(writes.filter((w) => w.includes("/item"))).toEqual(["POST /items/patch"]);
    // The grid behind shows it too.
    await page.waitForSelector(`${card("/img-2.jpg")}[data-flag="pick"]`, { state: "attached" });

    // Esc closes: the page is live again and focus is back where it was.
    await page.keyboard.press("Escape");
    await page.waitForSelector("#compare", { state: "detached" });
    expect(await page.$$eval("[inert]", (els) => els.length)).toBe(0);
    // The selection survived (Esc closed compare, it did not clear the selection).
    expect(await page.$$eval(".card.selected", (els) => els.length)).toBe(3);
    // The selection's inspector offers the same: "Compare 3".
    await page.focus("#bulk-inspector [data-compare-open]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#compare .compare-frame >> nth=2");
    await page.click('#compare [data-compare="close"]');
    await page.waitForSelector("#compare", { state: "detached" });
    expect(errors).toEqual([]);
  }, 120_000);

  test("M4: one click on Compare N opens compare, even when the selection's inspector is re-rendered between press and release", async () => {
    // A fresh browser whose name is known: the name popover would cover the inspector.
    const c = await openBrowser();
    await c.context.addInitScript(() => {
      localStorage.setItem("lenslet.name", "Ana");
      localStorage.setItem("lenslet.nameAsked", "1");
    });
    const { page } = c;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("/img-3.jpg"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    await page.click(card("/img-1.jpg"));
    await page.click(card("/img-2.jpg"), { modifiers: ["Shift"] });
    const button = "#bulk-inspector [data-compare-open]";
    await page.waitForSelector(`${button}:text("Compare 2")`);
    const box = await page.locator(button).boundingBox();
    if (!box) throw new Error("no Compare button");
    // Press, then someone else's edit of a selected image re-renders the selection's inspector
    // (its stars line changes), then release: that is still one click on the button.
    await page.evaluate(() => {
      (window as unknown as { bulkSwaps: number }).bulkSwaps = 0;
      document.addEventListener("lenslet:bulk", () => {
        (window as unknown as { bulkSwaps: number }).bulkSwaps++;
      });
    });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    const cur = await item("/img-1.jpg");
    const r = await fetch(`${s.url}/item?path=${encodeURIComponent("/img-1.jpg")}`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "X-Lenslet-Name": "Bo",
        "Idempotency-Key": crypto.randomUUID(),
      },
      body: JSON.stringify({
        base_version: (cur as unknown as { version: number }).version,
        set_star: (cur.star ?? 0) === 5 ? 4 : 5,
      }),
    });
    expect(r.status).toBe(200);
    await page.waitForFunction(
      () => (window as unknown as { bulkSwaps: number }).bulkSwaps > 0,
      undefined,
      { timeout: 10_000 },
    );
    await page.mouse.up();
    await page.waitForSelector("#compare .compare-frame >> nth=1", { timeout: 5_000 });
    await page.keyboard.press("Escape");
    await page.waitForSelector("#compare", { state: "detached" });
    expect(errors).toEqual([]);
    await c.close();
  }, 60_000);

  test("M5: the toolbar's Duplicates lists the group (after hashing) and opens it in compare", async () => {
    const { page } = a;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("/img-1.jpg"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    // The "your name" prompt of a first visit would cover the toolbar: answer it.
    if (await page.isVisible("#whoami")) {
      await page.fill("#whoami-name", "Ana");
      await page.press("#whoami-name", "Enter");
      await page.waitForSelector("#whoami[hidden]", { state: "attached" });
    }
    await page.click('[data-groups-open="duplicate"]');
    await page.waitForSelector("#groups");
    expect(await page.$eval("#app", (el) => el.closest("[inert]") !== null)).toBe(true);
    // The four test pictures are the same pixels: one group, shown once hashing is done.
    await page.waitForSelector('#groups[data-pending="0"] .group[data-count="4"]', {
      timeout: 30_000,
    });
    expect(await serious(page)).toEqual([]);
    await page.click('.group [data-groups="compare"]');
    await page.waitForSelector("#compare");
    expect(await page.$$eval(".compare-frame", (fs) => fs.length)).toBe(4);
    expect(await page.$("#groups")).toBeNull();
    await page.keyboard.press("Escape");
    await page.waitForSelector("#compare", { state: "detached" });
    expect(await page.$$eval("[inert]", (els) => els.length)).toBe(0);
    // Bursts: the same region, by capture time (the test pictures have none).
    await page.click('[data-groups-open="burst"]');
    await page.waitForSelector('#groups[data-kind="burst"] .groups-empty');
    await page.keyboard.press("Escape");
    await page.waitForSelector("#groups", { state: "detached" });
    expect(errors).toEqual([]);
  }, 120_000);
});

describe("compare on a touch screen", () => {
  test("M4: pinch zooms all frames alike, one finger pans them, double tap toggles fit and 1:1, a swipe at fit moves focus", async () => {
    const t = await openBrowser({ width: 900, height: 700, touch: true });
    await t.context.addInitScript(() => {
      localStorage.setItem("lenslet.name", "Ana");
      localStorage.setItem("lenslet.nameAsked", "1");
    });
    const { page } = t;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("/img-2.jpg"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    await page.click(card("/img-1.jpg"));
    await page.click(card("/img-2.jpg"), { modifiers: ["Shift"] });
    await page.waitForFunction(() => document.querySelectorAll(".card.selected").length === 2);
    await page.keyboard.press("c");
    await page.waitForSelector("#compare .compare-frame >> nth=1");
    const all = (zoom: string) =>
      page.waitForFunction(
        (z) =>
          [...document.querySelectorAll<HTMLElement>(".compare-frame")].every((f) =>
            z === "zoomed" ? f.dataset.zoom !== "fit" : f.dataset.zoom === z,
          ),
        zoom,
      );
    const state = () =>
      page.$$eval(".compare-frame", (fs) =>
        fs.map((f) => `${(f as HTMLElement).dataset.zoom}@${(f as HTMLElement).dataset.center}`),
      );
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.path ?? null);
    await all("fit");
    const stage = async (p: string) => {
      const b = await page.locator(`${frame(p)} .compare-stage`).boundingBox();
      if (!b) throw new Error("no stage");
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const cdp = await page.context().newCDPSession(page);

    // Pinch apart on the second frame: both frames zoom to the same scale and centre.
    const m2 = await stage("/img-2.jpg");
    await touch(cdp, "touchStart", [
      { x: m2.x - 30, y: m2.y },
      { x: m2.x + 30, y: m2.y },
    ]);
    for (let i = 1; i <= 6; i++)
      await touch(cdp, "touchMove", [
        { x: m2.x - 30 - i * 20, y: m2.y + i * 4 },
        { x: m2.x + 30 + i * 20, y: m2.y + i * 4 },
      ]);
    await touch(cdp, "touchEnd", []);
    await all("zoomed");
    let z = await state();
    expect(new Set(z).size).toBe(1);
    expect(await focused()).toBe("/img-2.jpg");

    // One finger pans: every frame's centre moves alike.
    const before = z[0];
    await touch(cdp, "touchStart", [m2]);
    for (let i = 1; i <= 5; i++)
      await touch(cdp, "touchMove", [{ x: m2.x + i * 15, y: m2.y + i * 10 }]);
    await touch(cdp, "touchEnd", []);
    z = await state();
    expect(new Set(z).size).toBe(1);
    expect(z[0]).not.toBe(before);

    // Double tap: back to fit; on the first frame at fit a swipe left moves focus to the second.
    const tap = async (p: { x: number; y: number }) => {
      await touch(cdp, "touchStart", [p]);
      await touch(cdp, "touchEnd", []);
    };
    await tap(m2);
    await tap(m2);
    await all("fit");
    const m1 = await stage("/img-1.jpg");
    await touch(cdp, "touchStart", [m1]);
    await page.waitForFunction(
      () => (document.activeElement as HTMLElement)?.dataset.path === "/img-1.jpg",
    );
    for (let i = 1; i <= 5; i++) await touch(cdp, "touchMove", [{ x: m1.x - i * 25, y: m1.y }]);
    await touch(cdp, "touchEnd", []);
    await page.waitForFunction(
      () => (document.activeElement as HTMLElement)?.dataset.path === "/img-2.jpg",
    );
    await all("fit");
    // Double tap at fit: 1:1 for all.
    await tap(m2);
    await tap(m2);
    await all("1");
    // The keys act on the frame the swipe focused.
    await page.keyboard.press("x");
    await page.waitForSelector(`${frame("/img-2.jpg")}[data-flag="reject"]`);
    expect(errors).toEqual([]);
    await t.close();
  }, 120_000);
});
