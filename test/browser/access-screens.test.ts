/**
 * U20: keyboard and screen readers, in real Chromium with axe-core over every main screen (grid, inspector
 * with a selection, multi-select, viewer, shortcuts dialog, tree expanded) at 1440×900 and 390×844: no serious
 * or critical violation. And by hand: the grid is a multi-select listbox whose current card is its active
 * descendant (ringed), the viewer and dialogs hold focus and give it back, skip links land.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let server: ServerProcess;
const browsers: BrowserSession[] = [];

beforeAll(async () => {
  root = tempDir("lenslet-a11y-");
  await writeTree(root, {
    "a/one.jpg": {},
    "a/two.jpg": {},
    "a/three.jpg": {},
    "a/deep/four.jpg": {},
    "b/five.jpg": {},
  });
  server = await startServerProcess([
    root,
    "--port",
    "0",
    "--workspace",
    tempDir("lenslet-a11y-ws-"),
  ]);
}, 60_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
  removeDir(root);
});

async function open(width: number, height: number): Promise<Page> {
  const b = await openBrowser({ width, height });
  browsers.push(b);
  return b.page;
}

/** Serious and critical violations, named by rule and element. */
async function serious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const ready = (p: Page) => p.waitForFunction(() => !!window.Alpine?.store("sel"));

for (const [width, height] of [
  [1440, 900],
  [390, 844],
] as const) {
  describe(`at ${width}×${height}`, () => {
    test(`U20: axe finds no serious or critical violation on grid, selection, multi-select, viewer, shortcuts, tree, filters (${width} px)`, async () => {
      const page = await open(width, height);
      const errors = watchErrors(page);
      await page.goto(`${server.url}/?folder=/a`);
      await page.waitForSelector("#grid-list .card", { state: "attached" });
      await ready(page);
      // The Metrics panel is fetched after the page: scanned with the grid, its sliders (D23) included.
      await page.waitForSelector("#metrics-panel .histogram-range input[data-end]", {
        state: "attached",
      });
      const found: Record<string, string[]> = {};
      found.grid = await serious(page);

      await page.evaluate(() =>
        (document.querySelector('.card[data-path="/a/one.jpg"]') as HTMLElement).click(),
      );
      await page.waitForSelector('#inspector-body[data-path="/a/one.jpg"]', { state: "attached" });
      found.selection = await serious(page);

      await page.keyboard.down("Shift");
      await page.keyboard.press("ArrowRight");
      await page.keyboard.up("Shift");
      await page.waitForSelector("#bulk-inspector:not([hidden]) h2", { state: "attached" });
      found["multi-select"] = await serious(page);

      await page.keyboard.press("Escape");
      await page.evaluate(() =>
        (document.querySelector('.card[data-path="/a/one.jpg"]') as HTMLElement).click(),
      );
      await page.keyboard.press("Enter");
      await page.waitForSelector("#viewer", { state: "attached" });
      found.viewer = await serious(page);
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => !document.querySelector("#viewer"));

      await page.keyboard.press("?");
      await page.waitForSelector("#shortcuts[open]", { state: "attached" });
      found.shortcuts = await serious(page);
      await page.keyboard.press("Escape");

      await page.goto(`${server.url}/?folder=/a/deep`);
      await page.waitForSelector('.tree .branch[data-folder="/a"] > details[open]', {
        state: "attached",
      });
      found.tree = await serious(page);

      await page.click("#filters-button");
      await page.waitForSelector("#filters-panel:popover-open");
      found.filters = await serious(page);

      expect(found).toEqual({
        grid: [],
        selection: [],
        "multi-select": [],
        viewer: [],
        shortcuts: [],
        tree: [],
        filters: [],
      });
      expect(errors).toEqual([]);
    });
  });
}

describe("keyboard and screen readers by hand", () => {
  test("U20: the grid is a multi-select listbox; the current card is its active descendant, ringed while it has focus", async () => {
    const page = await open(1440, 900);
    await page.goto(`${server.url}/?folder=/a`);
    await page.waitForSelector("#grid-list .card");
    await ready(page);
    const list = page.locator("#grid-list");
    expect(await list.getAttribute("role")).toBe("listbox");
    expect(await list.getAttribute("aria-multiselectable")).toBe("true");
    await list.focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      () => !!document.querySelector("#grid-list")?.getAttribute("aria-activedescendant"),
    );
    const state = await page.evaluate(() => {
      const l = document.querySelector("#grid-list")!;
      const active = document.getElementById(l.getAttribute("aria-activedescendant")!)!;
      return {
        role: active.getAttribute("role"),
        selected: active.getAttribute("aria-selected"),
        cursor: active.classList.contains("cursor"),
        ring: getComputedStyle(active).outlineStyle,
        ringWidth: getComputedStyle(active).outlineWidth,
        focus: document.activeElement === l,
        // No aria-selected on anything without a role that takes it.
        stray: [...document.querySelectorAll("[aria-selected]")].filter(
          (e) => !["option", "gridcell", "row", "tab"].includes(e.getAttribute("role") ?? ""),
        ).length,
      };
    });
    expect(state).toEqual({
      role: "option",
      selected: "true",
      cursor: true,
      ring: "solid",
      ringWidth: "3px",
      focus: true,
      stray: 0,
    });
    // Named in words.
    expect(await page.getAttribute('#inspector-body .star[data-value="1"]', "aria-label")).toBe(
      "1 star",
    );
    expect(await page.getAttribute("#inspector-body .star-clear", "aria-label")).toBe(
      "Clear rating",
    );
    expect(await page.getAttribute('.stars-filter input[value="unrated"]', "aria-label")).toBe(
      "Unrated",
    );
    expect(await page.getAttribute('.status [data-action="shortcuts"]', "aria-label")).toBe(
      "Keyboard shortcuts",
    );
    expect(await page.locator("h1").count()).toBe(1);
  });

  test("U20: the viewer holds focus (the page behind is inert) and gives it back to the grid on close", async () => {
    const page = await open(1440, 900);
    await page.goto(`${server.url}/?folder=/a`);
    await page.waitForSelector("#grid-list .card");
    await ready(page);
    await page.locator("#grid-list").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#viewer");
    await page.waitForFunction(() => !!document.activeElement?.closest("#viewer"));
    // Tab never leaves it: ten presses stay inside.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => !!document.activeElement?.closest("#viewer"))).toBe(true);
    }
    expect(
      await page.evaluate(() => (document.querySelector("#columns") as HTMLElement).inert),
    ).toBe(true);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("#viewer"));
    await page.waitForFunction(() => document.activeElement?.id === "grid-list");
    expect(
      await page.evaluate(() => (document.querySelector("#columns") as HTMLElement).inert),
    ).toBe(false);
  });

  test("U20: the shortcuts dialog opens with focus inside and gives it back to the button that opened it", async () => {
    const page = await open(1440, 900);
    await page.goto(`${server.url}/?folder=/a`);
    await ready(page);
    await page.click('.status [data-action="shortcuts"]');
    await page.waitForSelector("#shortcuts[open]");
    expect(await page.evaluate(() => !!document.activeElement?.closest("#shortcuts"))).toBe(true);
    await page.keyboard.press("Escape");
    await page.waitForFunction(
      () => document.activeElement?.getAttribute("data-action") === "shortcuts",
    );
  });

  test("U20: skip links: one key past the top to the images, and to the notes", async () => {
    const page = await open(1440, 900);
    await page.goto(`${server.url}/?folder=/a&sel=/a/two.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/a/two.jpg"]');
    await ready(page);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      "Skip to the images",
    );
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "grid-list");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    await page.goto(`${server.url}/?folder=/a&sel=/a/two.jpg`);
    await ready(page);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      "Skip to notes",
    );
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "notes-input");
  });
});
