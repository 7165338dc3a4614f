/**
 * What a person sees, in real Chromium against the real server process on the
 * built-in demo gallery: browse folders, select, rate from the keyboard,
 * reload and find the stars still there.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

let server: ServerProcess;
let browser: BrowserSession;
let workspace: string;

beforeAll(async () => {
  workspace = tempDir("lenslet-ws-");
  server = await startServerProcess(["--port", "0", "--workspace", workspace], {
    timeoutMs: 120_000,
  });
  browser = await openBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  removeDir(workspace);
});

const cards = ".grid-page .card";

describe("gallery in a real browser", () => {
  test("G6 G10: open the demo, navigate folders, multi-select, rate from the keyboard, reload", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.waitForSelector(`${cards}`);
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);

    // Into a folder through the tree: the browse region swaps, the URL follows, the tree unfolds.
    await page.click('.tree .folder-link[data-folder="/animals"]');
    await page.waitForSelector('#browse[data-folder="/animals"]');
    await page.click('.tree .folder-link[data-folder="/animals/cats"]');
    await page.waitForSelector('#browse[data-folder="/animals/cats"]');
    expect(new URL(page.url()).searchParams.get("folder")).toBe("/animals/cats");
    await page.waitForSelector(cards);

    // Select three cards: click, then shift-click the third.
    const paths = await page.$$eval(cards, (els) =>
      els.slice(0, 3).map((e) => (e as HTMLElement).dataset.path!),
    );
    expect(paths).toHaveLength(3);
    await page.click(`.card[data-path="${paths[0]}"]`);
    await page.click(`.card[data-path="${paths[2]}"]`, { modifiers: ["Shift"] });
    await page.waitForFunction(() => document.querySelectorAll(".card.selected").length === 3);
    expect(await page.textContent(".selection-count")).toContain("3 selected");

    // Rate the selection with the keyboard.
    await page.keyboard.press("4");
    for (const p of paths) await page.waitForSelector(`.card[data-path="${p}"][data-star="4"]`);
    await page.waitForSelector(".save-status.saved");

    // Reload: the stars come from the server.
    await page.reload();
    await page.waitForSelector(cards);
    for (const p of paths)
      expect(await page.getAttribute(`.card[data-path="${p}"]`, "data-star")).toBe("4");
    expect(errors).toEqual([]);
  });

  test("G10: keyboard: arrows move, Enter opens the viewer, ←/→ step, Esc closes, / focuses search, 0 clears", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/animals/cats`);
    await page.waitForSelector(cards);
    await page.click("#grid");
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector(".card.selected");
    const first = await page.getAttribute(".card.selected", "data-path");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      (p) => document.querySelector(".card.selected")?.getAttribute("data-path") !== p,
      first,
    );
    const second = await page.getAttribute(".card.selected", "data-path");
    expect(new URL(page.url()).searchParams.get("sel")).toBe(second);
    await page.waitForSelector(`#inspector-body[data-path="${second}"]`);

    await page.keyboard.press("Enter");
    await page.waitForSelector(`#viewer[data-path="${second}"]`);
    expect(new URL(page.url()).searchParams.get("view")).toBe("1");
    await page.keyboard.press("ArrowLeft");
    await page.waitForSelector(`#viewer[data-path="${first}"]`);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("#viewer"));

    await page.keyboard.press("Shift+Digit5");
    await page.waitForSelector(`.card[data-path="${first}"][data-star="5"]`);
    await page.waitForFunction(
      (p) => document.querySelector(".card.selected")?.getAttribute("data-path") !== p,
      first,
    );
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("search");
    // A digit typed in a field searches; it rates nothing.
    await page.keyboard.type("1");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "1");
    const item = await (
      await fetch(`${server.url}/item?path=${encodeURIComponent(first!)}`)
    ).json();
    expect(item.star).toBe(5);
    await page.keyboard.press("Escape");
    await page.fill("#search", "");
    await page.waitForSelector(`.card[data-path="${first}"]`);
    await page.click(`.card[data-path="${first}"]`);
    await page.keyboard.press("0");
    await page.waitForSelector(`.card[data-path="${first}"][data-star="0"]`);
  });

  test("G5: one search edit makes one request; leaving the field sends no second one", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/animals/cats`);
    await page.waitForSelector(cards);
    /** The browse views htmx asked the server for (the page's own swaps, not the navigation). */
    const asked: string[] = [];
    const onRequest = (r: import("playwright-core").Request) => {
      const u = new URL(r.url());
      if (u.pathname === "/" && r.headers()["hx-request"])
        asked.push(u.searchParams.get("q") ?? "");
    };
    page.on("request", onRequest);
    try {
      await page.fill("#search", "cat-00");
      await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "cat-00");
      await page.waitForSelector(cards);
      const path = await page.getAttribute(cards, "data-path");
      // The click takes focus from the field: its change event must not search the same text again.
      await page.click(`.card[data-path="${path}"]`);
      await page.waitForSelector(`#inspector-body[data-path="${path}"]`);
      // A filter changed next still goes out (the form's own change trigger is kept for every other control).
      await page.selectOption('select[name="dir"]', "desc");
      await page.waitForFunction(() => new URL(location.href).searchParams.get("dir") === "desc");
      expect(asked).toEqual(["cat-00", "cat-00"]);
      expect(await page.inputValue("#search")).toBe("cat-00");
    } finally {
      page.off("request", onRequest);
    }
  });

  test("G5 G10: search, star filter, Backspace and Delete to the parent", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/animals/cats`);
    await page.waitForSelector(cards);
    await page.fill("#search", "zzz-no-such-image");
    await page.waitForSelector(".empty");
    expect(await page.textContent("#status .count")).toContain("0 images");
    await page.fill("#search", "");
    await page.waitForSelector(cards);
    await page.click("#grid");
    await page.keyboard.press("Backspace");
    await page.waitForSelector('#browse[data-folder="/animals"]');
    expect(new URL(page.url()).searchParams.get("folder")).toBe("/animals");
    await page.click("#grid");
    await page.keyboard.press("Delete");
    await page.waitForSelector('#browse[data-folder="/"]');
  });

  test("G10: Ctrl+B hides the folder tree, the grid takes the room, and the choice survives a reload", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/animals/cats`);
    await page.waitForSelector(cards);
    const gridWidth = () => page.evaluate(() => document.querySelector("#grid")!.clientWidth);
    const before = await gridWidth();
    try {
      await page.click("#grid");
      await page.keyboard.press("Control+b");
      await page.waitForSelector(".sidebar", { state: "hidden" });
      await page.waitForFunction((w) => document.querySelector("#grid")!.clientWidth > w, before);
      await page.reload();
      await page.waitForSelector(cards);
      expect(await page.isVisible(".sidebar")).toBe(false);
      await page.click("#grid");
      await page.keyboard.press("Control+b");
      await page.waitForSelector(".sidebar", { state: "visible" });
      await page.waitForFunction((w) => document.querySelector("#grid")!.clientWidth === w, before);
    } finally {
      await page.evaluate(() => localStorage.removeItem("lenslet.tree"));
    }
  });

  test("G7: on a narrow screen the panels fold away and the grid fills the width", async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 800, height: 700 });
    try {
      await page.goto(`${server.url}/?folder=/animals/cats`);
      await page.waitForSelector(cards);
      expect(await page.isVisible(".sidebar")).toBe(false);
      const box = await page.locator("#browse").boundingBox();
      expect(box?.width).toBe(800);
      expect((await page.locator(cards).first().boundingBox())?.width).toBeGreaterThan(50);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test("L13: Export downloads the folder shown now, with stars and tags", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    await page.waitForSelector(cards);
    await page.click('.tree .folder-link[data-folder="/animals"]');
    await page.waitForSelector('#browse[data-folder="/animals"]');
    await page.click('.tree .folder-link[data-folder="/animals/cats"]');
    await page.waitForSelector('#browse[data-folder="/animals/cats"]');
    await page.click("#export-menu summary");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-action="export"][data-format="csv"]'),
    ]);
    const csv = await Bun.file((await download.path())!).text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toStartWith("path,folder,name,size,width,height,star,tags,notes");
    expect(lines.length - 1).toBe(await page.locator(cards).count());
    expect(lines.slice(1).every((l) => l.startsWith("/animals/cats/"))).toBe(true);
    expect(lines.some((l) => /,4,/.test(l))).toBe(true);
  });

  test("L17: the name asked once (and only once) is who the edits are by", async () => {
    const fresh = await openBrowser();
    try {
      const page = fresh.page;
      await page.goto(`${server.url}/?folder=/animals/cats&sel=/animals/cats/cat-003.jpg`);
      await page.waitForSelector("#whoami:not([hidden])");
      await page.fill("#whoami-name", "Zoë <Q>");
      await page.press("#whoami-name", "Enter");
      await page.waitForSelector("#whoami[hidden]", { state: "attached" });
      await page.click('#inspector-body .star[data-value="2"]');
      await page.waitForSelector('.card[data-path="/animals/cats/cat-003.jpg"][data-star="2"]');
      const item = await (await fetch(`${server.url}/item?path=/animals/cats/cat-003.jpg`)).json();
      expect(item.updated_by).toStartWith("Zoë <Q> (");
      await page.waitForSelector("#inspector-body .last-edited strong");
      expect(await page.textContent("#inspector-body .last-edited strong")).toStartWith("Zoë <Q>");
      await page.reload();
      await page.waitForSelector(cards);
      expect(await page.isHidden("#whoami")).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
