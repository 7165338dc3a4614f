/**
 * Every screen, every device, in real Chromium against the real app on a temp gallery:
 * a phone (390×844, touch) rates, tags and writes a note through drawers and taps; a long press
 * starts multi-select; the viewer zooms, pans, swipes, shows its placeholder and progress, keeps
 * its stars live, lists shortcuts and closes on Back; at 1200 px the bars stay on one line.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { CDPSession, Page } from "playwright-core";
import { type BrowserSession, openBrowser, touch, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { writeImage } from "../media/helpers.ts";

let app: TestLenslet;
const FOLDER = "/shoot";
const names = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg"];

beforeAll(async () => {
  app = await startTestLenslet({ "nested/only/deep.jpg": {} }, {}, async (root) => {
    for (const [i, n] of names.entries())
      await writeImage(join(root, "shoot", n), 800, 600, "jpeg", { seed: i + 1 });
    // Big enough to load with progress (over 1.5 MB of noise).
    await writeImage(join(root, "shoot", "z-big.jpg"), 2600, 2000, "jpeg", { seed: 9 });
    await writeImage(join(root, "shoot", "zz-alpha.png"), 200, 200, "png", { alpha: true });
    await writeImage(join(root, "shoot", "zzz-scan.tiff"), 1200, 800, "tiff");
  });
}, 60_000);

afterAll(async () => {
  await app?.dispose();
});

const item = async (path: string) =>
  (await (await app.get(`/item?path=${encodeURIComponent(path)}`)).json()) as {
    star: number | null;
    tags: string[];
    notes: string;
  };

/** Polls a condition of the server's state until it holds (or the test times out). */
async function until(check: () => Promise<boolean>) {
  while (!(await check())) await Bun.sleep(25);
}

async function ready(page: Page, url: string) {
  await page.goto(app.url + url);
  await page.waitForSelector("#browse");
  // The page's script has started once Alpine has (the bundle runs first, deferred alike).
  await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
}

async function swipe(
  cdp: CDPSession,
  from: { x: number; y: number },
  to: { x: number; y: number },
) {
  await touch(cdp, "touchStart", [from]);
  for (let i = 1; i <= 6; i++)
    await touch(cdp, "touchMove", [
      { x: from.x + ((to.x - from.x) * i) / 6, y: from.y + ((to.y - from.y) * i) / 6 },
    ]);
  await touch(cdp, "touchEnd", []);
}
/** Where a finger goes for `sel`: brought into view first, as a person scrolls to what they tap. */
async function centre(page: Page, sel: string) {
  await page.locator(sel).first().scrollIntoViewIfNeeded();
  const b = (await page.locator(sel).first().boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

describe("a phone, 390×844 with touch (U31 U32)", () => {
  let b: BrowserSession;
  beforeAll(async () => {
    b = await openBrowser({ width: 390, height: 844, touch: true });
  });
  afterAll(async () => {
    await b?.close();
  });

  test("U31 U32: drawers with visible toggles, Ctrl+B at this width, tap to select, tap stars, tag and note end to end", async () => {
    const { page } = b;
    const errors = watchErrors(page);
    await ready(page, "/");
    // The tree is a closed drawer with a visible toggle; a tap opens it, a folder tap closes it.
    const toggle = page.locator('[data-drawer-toggle="tree"]');
    expect(await toggle.isVisible()).toBe(true);
    expect(await page.locator("#sidebar").isVisible()).toBe(false);
    await page.touchscreen.tap(...xy(await centre(page, '[data-drawer-toggle="tree"]')));
    await page.waitForSelector('#columns[data-drawer="tree"]');
    await page.waitForFunction(
      () => getComputedStyle(document.getElementById("sidebar")!).opacity === "1",
    );
    await page.touchscreen.tap(
      ...xy(await centre(page, `.sidebar .folder-link[data-folder="${FOLDER}"]`)),
    );
    await page.waitForSelector(`#browse[data-folder="${FOLDER}"] .grid-page .card`);
    await page.waitForSelector('#columns[data-drawer=""]');
    // Ctrl+B opens and closes the tree drawer here too.
    await page.keyboard.press("Control+b");
    await page.waitForSelector('#columns[data-drawer="tree"]');
    await page.keyboard.press("Escape");
    await page.waitForSelector('#columns[data-drawer=""]');
    // The layout viewport is the phone's: nothing widens the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );

    // Tap selects a card.
    const a = `${FOLDER}/a.jpg`;
    await page.touchscreen.tap(...xy(await centre(page, `.card[data-path="${a}"] .thumb`)));
    await page.waitForSelector(`.card.selected[data-path="${a}"]`);
    // Tap the fourth star of card b: rated 4, saved.
    const bPath = `${FOLDER}/b.jpg`;
    const stars = (await page.locator(`.card[data-path="${bPath}"] .stars`).boundingBox())!;
    await page.touchscreen.tap(stars.x + stars.width * 0.7, stars.y + stars.height / 2);
    await page.waitForSelector(`.card[data-path="${bPath}"][data-star="4"]`);
    await page.waitForSelector(".save-status.saved");
    expect((await item(bPath)).star).toBe(4);

    // The inspector drawer: stars, a tag and a note for the selected card, by finger and on-screen keys.
    await page.touchscreen.tap(...xy(await centre(page, '[data-drawer-toggle="inspector"]')));
    await page.waitForSelector('#columns[data-drawer="inspector"]');
    await page.waitForSelector(`#inspector-body[data-path="${a}"]`);
    await page.touchscreen.tap(...xy(await centre(page, '#inspector-body .star[data-value="2"]')));
    await page.waitForSelector('#inspector-body .star.on[data-value="2"]');
    await page.touchscreen.tap(...xy(await centre(page, "#inspector-body .tag-input")));
    await page.keyboard.type("keeper");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#inspector-body .chip:has-text("keeper")');
    await page.touchscreen.tap(...xy(await centre(page, "#inspector-body .notes")));
    await page.keyboard.type("sharp enough");
    await until(async () => (await item(a)).notes === "sharp enough");
    expect(await item(a)).toMatchObject({ star: 2, tags: ["keeper"], notes: "sharp enough" });
    // A tap beside the drawer closes it.
    await page.touchscreen.tap(30, 500);
    await page.waitForSelector('#columns[data-drawer=""]');
    expect(errors).toEqual([]);
  });

  test("U36: on a phone the Filters popover opens with a tap, fits the screen, and a tapped filter is counted on its button", async () => {
    const { page } = b;
    const errors = watchErrors(page);
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}`);
    await page.waitForSelector(".grid-page .card");
    expect(await page.textContent("#filters-button")).toBe("Filters");
    // The row scrolls sideways on a phone: the button is brought into view as a finger would.
    await page.locator("#filters-button").scrollIntoViewIfNeeded();
    await page.touchscreen.tap(...xy(await centre(page, "#filters-button")));
    await page.waitForSelector("#filters-panel:popover-open");
    const fits = () =>
      page.evaluate(() => {
        const r = document.getElementById("filters-panel")!.getBoundingClientRect();
        return r.left >= 0 && r.right <= innerWidth && r.width > 100;
      });
    expect(await fits()).toBe(true);
    await page.touchscreen.tap(...xy(await centre(page, '.stars-filter label[title="5 stars"]')));
    await page.waitForFunction(() => new URL(location.href).searchParams.get("stars") === "5");
    // The swapped toolbar opens it again where the finger was, and counts the filter.
    await page.waitForSelector("#filters-panel:popover-open");
    expect(await fits()).toBe(true);
    expect(await page.textContent("#filters-button")).toBe("Filters · 1");
    expect(await page.isChecked('.stars-filter input[value="5"]')).toBe(true);
    await page.touchscreen.tap(...xy(await centre(page, ".filters-clear")));
    await page.waitForFunction(() => !new URL(location.href).searchParams.get("stars"));
    await page.waitForSelector(".grid-page .card");
    expect(await page.textContent("#filters-button")).toBe("Filters");
    expect(errors).toEqual([]);
  });

  test("U36: on a phone every toolbar control is on the screen (the row wraps, nothing hides past the edge)", async () => {
    const { page } = b;
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}`);
    const seen = await page.evaluate(() => {
      const row = document.querySelector(".toolbar-row")!;
      const hidden = [...row.querySelectorAll("input#search, select, button")]
        .filter((el) => !el.closest("[popover]"))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.left < 0 || r.right > innerWidth);
        })
        .map((el) => el.getAttribute("name") ?? el.textContent?.trim());
      return { hidden, overflow: row.scrollWidth - row.clientWidth };
    });
    expect(seen).toEqual({ hidden: [], overflow: 0 });
    // The stacks select says what it does without its (hidden) label.
    expect(await page.textContent('select[name="stack"] option:checked')).toBe("No stacks");
  });

  test("U32: a long press starts multi-select; taps then add and remove cards", async () => {
    const { page } = b;
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}`);
    await page.waitForSelector(".grid-page .card");
    const cdp = await page.context().newCDPSession(page);
    const c = await centre(page, `.card[data-path="${FOLDER}/c.jpg"] .thumb`);
    await touch(cdp, "touchStart", [c]);
    // Held until the page says multi-select started (no fixed wait).
    await page.waitForSelector("body.select-mode");
    await touch(cdp, "touchEnd", []);
    await page.waitForSelector(`.card.selected[data-path="${FOLDER}/c.jpg"]`);
    await page.touchscreen.tap(
      ...xy(await centre(page, `.card[data-path="${FOLDER}/d.jpg"] .thumb`)),
    );
    await page.touchscreen.tap(
      ...xy(await centre(page, `.card[data-path="${FOLDER}/e.jpg"] .thumb`)),
    );
    await page.waitForFunction(() => document.querySelectorAll(".card.selected").length === 3);
    expect(await page.textContent(".selection-count")).toContain("3 selected");
    await page.touchscreen.tap(
      ...xy(await centre(page, `.card[data-path="${FOLDER}/d.jpg"] .thumb`)),
    );
    await page.waitForFunction(() => document.querySelectorAll(".card.selected").length === 2);
  });

  test("U33 U34: the viewer on a phone: swipe steps, tap a star, the header follows at once", async () => {
    // Its own phone, so nothing from the tests before (a long press, drawers) is in play.
    const phone = await openBrowser({ width: 390, height: 844, touch: true });
    const { page } = phone;
    const a = `${FOLDER}/e.jpg`;
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}&sel=${encodeURIComponent(a)}&view=1`);
    await page.waitForSelector(`#viewer[data-path="${a}"] .viewer-frame.loaded`);
    // Connected first, as a person would be by the time they reach for a star.
    await page.waitForSelector(".conn-status.live");
    await page.touchscreen.tap(...xy(await centre(page, '#viewer .star[data-value="5"]')));
    await page.waitForSelector('#viewer .star.on[data-value="5"]');
    await until(async () => (await item(a)).star === 5);
    const cdp = await page.context().newCDPSession(page);
    await swipe(cdp, { x: 320, y: 450 }, { x: 60, y: 460 });
    await page.waitForSelector(`#viewer[data-path="${FOLDER}/f.jpg"]`);
    await swipe(cdp, { x: 60, y: 450 }, { x: 330, y: 440 });
    await page.waitForSelector(`#viewer[data-path="${a}"]`);
    await phone.close();
  });
});

describe("the viewer (U33 U34 U35)", () => {
  let b: BrowserSession;
  beforeAll(async () => {
    b = await openBrowser({ width: 1280, height: 800 });
  });
  afterAll(async () => {
    await b?.close();
  });

  test("U33: zoom: Fit, 1:1, wheel, double-click, pinch, and pan when zoomed", async () => {
    const { page } = b;
    const big = `${FOLDER}/z-big.jpg`;
    await ready(
      page,
      `/?folder=${encodeURIComponent(FOLDER)}&sel=${encodeURIComponent(big)}&view=1`,
    );
    await page.waitForSelector("#viewer .viewer-frame.loaded", { timeout: 30_000 });
    const zoom = () => page.getAttribute("#viewer", "data-zoom");
    expect(await zoom()).toBe("fit");
    await page.click('#viewer [data-zoom="1"]');
    expect(await zoom()).toBe("1");
    await page.click('#viewer [data-zoom="fit"]');
    expect(await zoom()).toBe("fit");
    const mid = await centre(page, "#viewer .viewer-stage");
    await page.mouse.move(mid.x, mid.y);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(() => document.getElementById("viewer")!.dataset.zoom !== "fit");
    // Pan: dragging moves the picture.
    const before = await page.$eval(
      "#viewer .viewer-frame",
      (f) => (f as HTMLElement).style.transform,
    );
    await page.mouse.down();
    await page.mouse.move(mid.x + 120, mid.y + 60, { steps: 4 });
    await page.mouse.up();
    expect(
      await page.$eval("#viewer .viewer-frame", (f) => (f as HTMLElement).style.transform),
    ).not.toBe(before);
    await page.mouse.dblclick(mid.x, mid.y);
    await page.waitForFunction(() => document.getElementById("viewer")!.dataset.zoom === "fit");
    await page.mouse.dblclick(mid.x, mid.y);
    await page.waitForFunction(() => document.getElementById("viewer")!.dataset.zoom === "1");
    await page.click('#viewer [data-zoom="fit"]');
    // Pinch: two fingers apart zoom in.
    const cdp = await page.context().newCDPSession(page);
    await touch(cdp, "touchStart", [
      { x: mid.x - 40, y: mid.y },
      { x: mid.x + 40, y: mid.y },
    ]);
    for (let i = 1; i <= 5; i++)
      await touch(cdp, "touchMove", [
        { x: mid.x - 40 - i * 30, y: mid.y },
        { x: mid.x + 40 + i * 30, y: mid.y },
      ]);
    await touch(cdp, "touchEnd", []);
    const pinched = Number(await zoom());
    expect(pinched).toBeGreaterThan(0.5);
  });

  test("U33: the stretched thumbnail stands in while a big original loads, with progress", async () => {
    const { page } = b;
    const big = `${FOLDER}/z-big.jpg`;
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    // The original must not come from the cache for this, and arrive slowly (≈1 MB/s).
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: 1_000_000,
      uploadThroughput: 1_000_000,
    });
    await page.click(`.card[data-path="${big}"] .thumb`);
    await page.waitForSelector(`.card.selected[data-path="${big}"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#viewer .viewer-progress:not([hidden])");
    await page.waitForFunction(() =>
      /Loading original… [1-9]\d? %/.test(
        document.querySelector("#viewer .viewer-progress .pct")?.textContent ?? "",
      ),
    );
    // Meanwhile the thumbnail fills the image's box, not black.
    const holder = await page.$eval("#viewer .viewer-placeholder", (i) => {
      const r = i.getBoundingClientRect();
      return {
        w: r.width,
        h: r.height,
        ok: (i as HTMLImageElement).naturalWidth > 0,
        vis: getComputedStyle(i).visibility,
      };
    });
    expect(holder.ok).toBe(true);
    expect(holder.vis).toBe("visible");
    expect(holder.w / holder.h).toBeCloseTo(2600 / 2000, 1);
    expect(await page.$eval("#viewer .viewer-frame", (f) => f.classList.contains("loaded"))).toBe(
      false,
    );
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.waitForSelector("#viewer .viewer-frame.loaded", { timeout: 30_000 });
    expect(await page.$eval("#viewer .viewer-progress", (e) => (e as HTMLElement).hidden)).toBe(
      true,
    );
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  });

  test("U34 G20: a TIFF shows the server's display image; stars are live; ? lists the shortcuts over the viewer", async () => {
    const { page } = b;
    const tiff = `${FOLDER}/zzz-scan.tiff`;
    await ready(
      page,
      `/?folder=${encodeURIComponent(FOLDER)}&sel=${encodeURIComponent(tiff)}&view=1`,
    );
    await page.waitForSelector("#viewer .viewer-frame.loaded");
    const img = await page.$eval("#viewer .viewer-img", (i) => ({
      src: (i as HTMLImageElement).currentSrc,
      w: (i as HTMLImageElement).naturalWidth,
    }));
    expect(img.src).toContain("/display?");
    expect(img.w).toBe(1200);
    // Rating from the keyboard shows in the viewer's header at once.
    await page.keyboard.press("3");
    await page.waitForSelector('#viewer .star.on[data-value="3"]');
    expect(await page.$$eval("#viewer .star.on", (s) => s.length)).toBe(3);
    // Someone else's rating shows too (the event stream).
    await page.waitForSelector(".conn-status.live");
    const rec = await (await app.get(`/item?path=${encodeURIComponent(tiff)}`)).json();
    await app.get(`/item?path=${encodeURIComponent(tiff)}`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "Ana",
      },
      body: JSON.stringify({ base_version: rec.version, set_star: 1 }),
    });
    await page.waitForFunction(() => document.querySelectorAll("#viewer .star.on").length === 1);
    await page.keyboard.press("?");
    await page.waitForSelector("#shortcuts[open]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#shortcuts:not([open])", { state: "attached" });
    expect(await page.$("#viewer")).not.toBeNull();
  });

  test("U35: Back closes the viewer and stays in Lenslet; Forward opens it again", async () => {
    const { page } = b;
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}`);
    const start = page.url();
    await page.dblclick(`.card[data-path="${FOLDER}/c.jpg"]`);
    await page.waitForSelector(`#viewer[data-path="${FOLDER}/c.jpg"]`);
    expect(new URL(page.url()).searchParams.get("view")).toBe("1");
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector(`#viewer[data-path="${FOLDER}/d.jpg"]`);
    await page.goBack();
    await page.waitForFunction(() => !document.getElementById("viewer"));
    expect(page.url()).toStartWith(app.url);
    expect(new URL(page.url()).searchParams.get("view")).toBeNull();
    expect(await page.$(".grid-page .card")).not.toBeNull();
    await page.goForward();
    await page.waitForSelector("#viewer");
    // Esc closes it through history too: one more Back leaves the folder view where it started.
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.getElementById("viewer"));
    expect(new URL(page.url()).searchParams.get("folder")).toBe(
      new URL(start).searchParams.get("folder"),
    );
  });
});

describe("a 1200 px window and the look (U36 U37)", () => {
  let b: BrowserSession;
  beforeAll(async () => {
    b = await openBrowser({ width: 1200, height: 800 });
  });
  afterAll(async () => {
    await b?.close();
  });

  test("U36: at 1200 and 1440 px the toolbar, the status bar and the top bar each hold one line, nothing scrolls or is cut off", async () => {
    const { page } = b;
    try {
      for (const width of [1200, 1440]) {
        await page.setViewportSize({ width, height: 800 });
        // Every filter on (so the Filters button is at its widest) and a selection (the inspector shown).
        await ready(
          page,
          `/?folder=${encodeURIComponent(FOLDER)}&stars=unrated,5&flag=pick&color=red&tag=x&sel=${encodeURIComponent(`${FOLDER}/a.jpg`)}`,
        );
        await page.waitForSelector(".conn-status.live");
        const rows = await page.evaluate(() => {
          const line = (sel: string) => {
            const box = document.querySelector(sel)!;
            const kids = [...box.children].filter((k) => (k as HTMLElement).offsetWidth > 0);
            const tops = kids.map((k) => {
              const r = k.getBoundingClientRect();
              return Math.round(r.top + r.height / 2);
            });
            return {
              spread: Math.max(...tops) - Math.min(...tops),
              overflow: box.scrollWidth - box.clientWidth,
              height: box.getBoundingClientRect().height,
            };
          };
          const pill = document.getElementById("presence")!.getBoundingClientRect().height;
          return {
            toolbar: line(".toolbar-row"),
            status: line("#status"),
            topbar: line(".topbar"),
            pill,
          };
        });
        for (const [name, r] of Object.entries({
          toolbar: rows.toolbar,
          status: rows.status,
          topbar: rows.topbar,
        })) {
          expect(`${width} ${name} ${r.spread}`).toBe(
            `${width} ${name} ${r.spread <= 2 ? r.spread : "wrapped"}`,
          );
          expect(`${width} ${name} overflow ${r.overflow}`).toBe(`${width} ${name} overflow 0`);
        }
        expect(rows.status.height).toBeLessThan(40);
        expect(rows.pill).toBeLessThan(32);
        // The filters on are counted on the button, and named in its tooltip.
        expect(await page.textContent("#filters-button")).toBe("Filters · 4");
        expect(await page.getAttribute("#filters-button", "title")).toBe(
          "Filters on: Stars: unrated, 5★ · Flag: Picks · Colour: red · Tag: x",
        );
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 800 });
    }
  });

  test("U37: a clear selected outline, readable card stars, chips ending in an ellipsis, a checkerboard, the name popover, no Reconnecting… flash", async () => {
    const { page } = b;
    await page.addInitScript(() => {
      localStorage.removeItem("lenslet.nameAsked");
      const seen: string[] = [];
      (window as unknown as { connSeen: string[] }).connSeen = seen;
      new MutationObserver(() => {
        const t = document.getElementById("conn-status")?.textContent;
        if (t && seen.at(-1) !== t) seen.push(t);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const a = `${FOLDER}/a.jpg`;
    const rec = await (await app.get(`/item?path=${encodeURIComponent(a)}`)).json();
    await app.get(`/item?path=${encodeURIComponent(a)}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({
        base_version: rec.version,
        add_tags: ["an-extraordinarily-long-tag-name"],
      }),
    });
    await ready(page, `/?folder=${encodeURIComponent(FOLDER)}&sel=${encodeURIComponent(a)}`);
    await page.waitForSelector(".conn-status.live");
    expect(
      (await page.evaluate(() => (window as unknown as { connSeen: string[] }).connSeen)).filter(
        (t) => /Reconnect/.test(t),
      ),
    ).toEqual([]);
    const look = await page.evaluate((p) => {
      const card = document.querySelector(`.card[data-path="${p}"]`)!;
      const chip = [...card.querySelectorAll(".chip")].find((c) =>
        c.textContent!.startsWith("an-extra"),
      )! as HTMLElement;
      const alpha = document.querySelector('.card[data-path$="zz-alpha.png"] img')!;
      const stars = document.querySelector(`.card:not(.selected) .stars:not(.rated)`)!;
      const whoami = document.getElementById("whoami")!;
      return {
        ring: getComputedStyle(card).boxShadow,
        chipEllipsis: getComputedStyle(chip).textOverflow,
        chipCut: chip.scrollWidth > chip.clientWidth,
        chipDisplay: getComputedStyle(chip).display,
        checker: getComputedStyle(alpha).backgroundImage,
        starColor: getComputedStyle(stars).color,
        starBg: getComputedStyle(stars.closest(".card")!).backgroundColor,
        starSize: Number.parseFloat(getComputedStyle(stars).fontSize),
        whoami: {
          hidden: whoami.hidden,
          pos: getComputedStyle(whoami).position,
          w: whoami.getBoundingClientRect().width,
        },
      };
    }, a);
    expect(look.ring).toContain("3px");
    expect(look.chipEllipsis).toBe("ellipsis");
    expect(look.chipCut).toBe(true);
    // A text box, not a flex container (where text-overflow does nothing).
    expect(look.chipDisplay).not.toContain("flex");
    expect(look.checker).toContain("conic-gradient");
    expect(contrast(look.starColor, look.starBg)).toBeGreaterThanOrEqual(3);
    expect(look.starSize).toBeGreaterThanOrEqual(14);
    expect(look.whoami).toEqual({ hidden: false, pos: "fixed", w: expect.any(Number) });
    expect(look.whoami.w).toBeLessThanOrEqual(340);
  });
});

const xy = (p: { x: number; y: number }): [number, number] => [p.x, p.y];

function contrast(fg: string, bg: string): number {
  const lum = (c: string) => {
    const [r, g, b] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return (hi! + 0.05) / (lo! + 0.05);
}
