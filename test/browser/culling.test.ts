/**
 * Culling keys in real Chromium against the real app (U18, G14): P / X / U flag
 * the selection, 6–9 and V toggle colours, cards show both and keep them after a
 * reload, auto-advance moves on, the flag filter hides rejects; the same flags and
 * colours as buttons in the inspector and the viewer, by mouse and by finger.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let s: TestLenslet;
let browser: BrowserSession;

beforeAll(async () => {
  const files: Record<string, object> = {};
  for (let i = 1; i <= 6; i++) files[`img-${i}.jpg`] = {};
  s = await startTestLenslet(files as never, { watch: false });
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.dispose();
});

const card = (p: string) => `.card[data-path="${p}"]`;

describe("culling in a real browser", () => {
  test("U18 G14: flag and colour keys, auto-advance, filters, reload", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("/img-1.jpg"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);

    // Two selected: P picks both, 6 makes both red, 6 again clears red.
    await page.click(card("/img-1.jpg"));
    await page.click(card("/img-2.jpg"), { modifiers: ["Shift"] });
    await page.waitForFunction(() => document.querySelectorAll(".card.selected").length === 2);
    await page.keyboard.press("p");
    await page.keyboard.press("6");
    for (const p of ["/img-1.jpg", "/img-2.jpg"]) {
      await page.waitForSelector(`${card(p)}[data-flag="pick"][data-color="red"]`);
    }
    await page.waitForFunction(async () => {
      const r = await fetch("/item?path=/img-2.jpg").then((x) => x.json());
      return r.flag === "pick" && r.color === "red";
    });
    await page.keyboard.press("6");
    await page.waitForSelector(`${card("/img-1.jpg")}[data-color=""]`);

    // One selected: X rejects, V is purple; with auto-advance on, the cursor moves on.
    await page.click(card("/img-3.jpg"));
    await page.check("#auto-advance");
    await page.keyboard.press("x");
    await page.waitForSelector(`${card("/img-3.jpg")}[data-flag="reject"]`);
    await page.waitForSelector(`${card("/img-4.jpg")}.selected`);
    await page.keyboard.press("v");
    await page.waitForSelector(`${card("/img-4.jpg")}[data-color="purple"]`);
    await page.waitForSelector(`${card("/img-5.jpg")}.selected`);
    // A star moves on too while auto-advance is on.
    await page.keyboard.press("3");
    await page.waitForSelector(`${card("/img-5.jpg")}[data-star="3"]`);
    await page.waitForSelector(`${card("/img-6.jpg")}.selected`);
    await page.uncheck("#auto-advance");
    await page.keyboard.press("u");
    await page.waitForFunction(async () => {
      const r = await fetch("/item?path=/img-4.jpg").then((x) => x.json());
      return r.color === "purple";
    });

    // Saved: after a reload the cards still show them.
    await page.waitForSelector(".save-status.saved");
    await page.reload();
    await page.waitForSelector(`${card("/img-3.jpg")}[data-flag="reject"]`);
    await page.waitForSelector(`${card("/img-4.jpg")}[data-color="purple"]`);

    // Filters: "hide rejects" is Pick + Unflagged; a URL shared shows the same.
    await page.goto(`${s.url}/?flag=!reject`);
    await page.waitForSelector(card("/img-1.jpg"));
    expect(await page.$(card("/img-3.jpg"))).toBeNull();
    expect(await page.isChecked('.cull-filter input[value="pick"]')).toBe(true);
    expect(await page.isChecked('.cull-filter input[value="none"]')).toBe(true);
    expect(await page.isChecked('.cull-filter input[value="reject"]')).toBe(false);
    // Ticking Rejects too shows everything again (no filter, the filterless URL).
    await page.click("#filters-button");
    await page.click('.cull-filter label[data-flag="reject"]');
    await page.waitForSelector(card("/img-3.jpg"));
    await page.goto(`${s.url}/?color=purple`);
    await page.waitForSelector(card("/img-4.jpg"));
    expect(await page.$$eval(".grid-page .card", (els) => els.length)).toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);

  test("U18: flag and colour buttons in the inspector and the viewer; pressed again they clear; others' flags show live", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    const item = async (p: string) => (await fetch(`${s.url}/item?path=${p}`)).json();
    await page.goto(`${s.url}/?sel=/img-1.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/img-1.jpg"]');
    await page.waitForSelector(".conn-status.live");
    const insp = "#inspector-body .cull-buttons";
    // Whatever the test before left: unflag and clear first, by the API.
    const now = await item("/img-1.jpg");
    await s.get(`/item?path=/img-1.jpg`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ base_version: now.version, set_flag: null, set_color: null }),
    });
    await page.waitForSelector(`${insp}[data-flag=""][data-color=""]`);

    await page.click(`${insp} [data-cull="flag"][data-value="reject"]`);
    await page.waitForSelector(`${card("/img-1.jpg")}[data-flag="reject"]`);
    await page.waitForSelector(`${insp} [data-value="reject"][aria-pressed="true"]`);
    await page.click(`${insp} [data-cull="color"][data-value="green"]`);
    await page.waitForSelector(`${card("/img-1.jpg")}[data-color="green"]`);
    let r = await item("/img-1.jpg");
    expect([r.flag, r.color]).toEqual(["reject", "green"]);
    // The same button again clears it.
    await page.click(`${insp} [data-cull="flag"][data-value="reject"]`);
    await page.waitForSelector(`${card("/img-1.jpg")}[data-flag=""]`);
    await page.waitForSelector(`${insp} [data-value="reject"][aria-pressed="false"]`);
    r = await item("/img-1.jpg");
    expect([r.flag, r.color]).toEqual([null, "green"]);

    // The viewer: its buttons write, and another person's pick shows in them at once.
    await page.goto(`${s.url}/?sel=/img-2.jpg&view=1`);
    await page.waitForSelector('#viewer[data-path="/img-2.jpg"] .cull-buttons');
    await page.waitForSelector(".conn-status.live");
    const v2 = await item("/img-2.jpg");
    await s.get(`/item?path=/img-2.jpg`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "Bo",
      },
      body: JSON.stringify({ base_version: v2.version, set_flag: "pick", set_color: null }),
    });
    await page.waitForSelector('#viewer .cull-buttons[data-flag="pick"] [data-value="pick"].on');
    await page.click('#viewer [data-cull="color"][data-value="blue"]');
    await page.waitForSelector('#viewer [data-value="blue"][aria-pressed="true"]');
    await page.waitForFunction(async () => {
      const x = await fetch("/item?path=/img-2.jpg").then((y) => y.json());
      return x.color === "blue" && x.flag === "pick";
    });
    expect(errors).toEqual([]);
  }, 60_000);

  test("U18 U31: on a phone a finger picks in the viewer", async () => {
    const phone = await openBrowser({ width: 390, height: 844, touch: true });
    try {
      const { page } = phone;
      await page.addInitScript(() => {
        localStorage.setItem("lenslet.name", "Ana");
        localStorage.setItem("lenslet.nameAsked", "1");
      });
      await page.goto(`${s.url}/?sel=/img-5.jpg&view=1`);
      const pick = '#viewer [data-cull="flag"][data-value="pick"]';
      await page.waitForSelector(pick);
      await page.waitForSelector(".conn-status.live");
      const box = (await page.locator(pick).boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(40);
      const before = (await (await fetch(`${s.url}/item?path=/img-5.jpg`)).json()).flag;
      await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
      const want = before === "pick" ? null : "pick";
      await page.waitForFunction(
        async (w) => (await fetch("/item?path=/img-5.jpg").then((y) => y.json())).flag === w,
        want,
      );
    } finally {
      await phone.close();
    }
  }, 60_000);

  test("U18 U22: the multi-selection's flag and colour buttons write to all selected; mixed shows in words", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("/img-5.jpg"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
    await page.click(card("/img-5.jpg"));
    await page.click(card("/img-6.jpg"), { modifiers: ["Control"] });
    const bulk = "#bulk-inspector .cull-buttons";
    await page.waitForSelector(bulk);
    await page.click(`${bulk} [data-cull="flag"][data-value="reject"]`);
    for (const p of ["/img-5.jpg", "/img-6.jpg"])
      await page.waitForSelector(`${card(p)}[data-flag="reject"]`);
    // Re-rendered from the labels as they are now: both rejected, so Reject is pressed.
    await page.waitForSelector(
      `${bulk}[data-flag="reject"] [data-value="reject"][aria-pressed="true"]`,
    );
    expect(await page.textContent("#bulk-inspector .bulk-flags")).toContain("All rejected");
    await page.click(`${bulk} [data-cull="color"][data-value="yellow"]`);
    await page.waitForFunction(async () => {
      const all = await Promise.all(
        ["/img-5.jpg", "/img-6.jpg"].map((p) => fetch(`/item?path=${p}`).then((r) => r.json())),
      );
      return all.every((r) => r.flag === "reject" && r.color === "yellow");
    });
    expect(errors).toEqual([]);
  }, 60_000);

  test("U18 U2: a click on Reject counts even when someone's edit re-renders the inspector between press and release", async () => {
    const c = await openBrowser();
    try {
      await c.context.addInitScript(() => {
        localStorage.setItem("lenslet.name", "Ana");
        localStorage.setItem("lenslet.nameAsked", "1");
      });
      const { page } = c;
      await page.goto(`${s.url}/?sel=/img-4.jpg`);
      await page.waitForSelector('#inspector-body[data-path="/img-4.jpg"]');
      await page.waitForSelector(".conn-status.live");
      const before = await (await fetch(`${s.url}/item?path=/img-4.jpg`)).json();
      const reject = '#inspector-body [data-cull="flag"][data-value="reject"]';
      const box = (await page.locator(reject).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      // Bo rates it meanwhile: the inspector is fetched again and swapped while the button is held.
      const r = await s.get("/item?path=/img-4.jpg", {
        method: "PATCH",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": crypto.randomUUID(),
          "X-Lenslet-Name": "Bo",
        },
        body: JSON.stringify({ base_version: before.version, set_star: before.star === 2 ? 1 : 2 }),
      });
      expect(r.status).toBe(200);
      await page.waitForSelector(`#inspector-body[data-version="${before.version + 1}"]`);
      await page.mouse.up();
      const want = before.flag === "reject" ? null : "reject";
      await page.waitForFunction(
        async (w) => (await fetch("/item?path=/img-4.jpg").then((y) => y.json())).flag === w,
        want,
        { timeout: 10_000 },
      );
    } finally {
      await c.close();
    }
  }, 60_000);
});
