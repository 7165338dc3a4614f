/**
 * Who is here, in real Chromium against the real server process: names and folders outside Latin-1 save and
 * show, and presence counts people (browser profiles), not tabs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let workspace: string;
let server: ServerProcess;
let browser: BrowserSession;

const enc = encodeURIComponent;

beforeAll(async () => {
  root = tempDir("lenslet-people-");
  workspace = tempDir("lenslet-people-ws-");
  await writeTree(root, { "東京/one.jpg": {}, "東京/two.jpg": {}, "team/a.jpg": {} });
  server = await startServerProcess([root, "--port", "0", "--workspace", workspace]);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  removeDir(root);
  removeDir(workspace);
});

async function as(page: Page, name: string) {
  await page.addInitScript((n) => {
    localStorage.setItem("lenslet.name", n);
    localStorage.setItem("lenslet.nameAsked", "1");
  }, name);
}

async function openFolder(page: Page, folder: string) {
  await page.goto(`${server.url}/?folder=${enc(folder)}`);
  await page.waitForSelector(".grid-page .card");
}

async function presenceNames(page: Page): Promise<string[]> {
  return page.$$eval("#presence .presence-name", (els) => els.map((e) => e.textContent ?? ""));
}

describe("names and folders outside Latin-1", () => {
  test("P17 U14: in folder 東京, Łukasz 李 presses 4: saved on the server under his name, and presence names him", async () => {
    const page = browser.page;
    const errors = watchErrors(page);
    await as(page, "Łukasz 李");
    await openFolder(page, "/東京");
    await page.click('.card[data-path="/東京/one.jpg"]');
    await page.keyboard.press("4");
    // Whichever comes first: the old page ended in "Not saved — Retry" here.
    await page.waitForSelector(".status .save-status.saved, .status .save-status.failed");
    expect(await page.textContent(".status .save-status")).toBe("All changes saved");
    const item = await (await fetch(`${server.url}/item?path=${enc("/東京/one.jpg")}`)).json();
    expect(item.star).toBe(4);
    expect(item.updated_by).toContain("Łukasz 李");
    // Presence: joined under that name, in that folder, and counted as editing there.
    await page.waitForFunction(
      () => document.querySelector("#presence .presence-count")?.textContent === "1 here",
    );
    expect(await presenceNames(page)).toEqual(["Łukasz 李"]);
    const counts = await (await fetch(`${server.url}/presence?gallery_id=${enc("/東京")}`)).json();
    expect(counts).toMatchObject({ viewing: 1, editing: 1, names: ["Łukasz 李"] });
    expect(errors).toEqual([]);
  });
});

describe("people, not tabs", () => {
  test("P18 U13: three tabs of one browser and one other browser are 2 here; a rename in one tab reaches its other tabs and the other person at once", async () => {
    const [dee, eve] = await Promise.all([openBrowser(), openBrowser()]);
    try {
      const errors: string[] = [];
      const tabs = [dee.page, await dee.context.newPage(), await dee.context.newPage()];
      for (const t of tabs) {
        errors.push(...watchErrors(t));
        await as(t, "Dee");
      }
      await as(eve.page, "Eve");
      for (const t of [...tabs, eve.page]) await openFolder(t, "/team");
      const pill = (p: Page, text: string) =>
        p.waitForFunction(
          (t) => document.querySelector("#presence .presence-count")?.textContent === t,
          text,
        );
      const detail = (p: Page, text: string) =>
        p.waitForFunction(
          (t) => document.querySelector("#presence .presence-numbers")?.textContent === t,
          text,
        );
      for (const t of [...tabs, eve.page]) {
        await pill(t, "2 here");
        await detail(t, "0 editing · 2 viewing · 4 tabs");
      }
      expect(await presenceNames(eve.page)).toEqual(["Dee", "Eve"]);
      const ids = await Promise.all(
        tabs.map((t) => t.evaluate(() => localStorage.getItem("lenslet.person"))),
      );
      expect(new Set(ids).size).toBe(1);

      // Rename in the second tab.
      await tabs[1]!.click('[data-action="rename"]');
      await tabs[1]!.fill("#whoami-name", "Dee Dee");
      await tabs[1]!.press("#whoami-name", "Enter");
      for (const t of tabs) {
        await t.waitForFunction(
          () => document.querySelector('[data-action="rename"]')?.textContent === "Dee Dee",
        );
      }
      expect(await tabs[2]!.inputValue("#whoami-name")).toBe("Dee Dee");
      for (const t of [...tabs, eve.page]) {
        await t.waitForFunction(() => {
          const names = [...document.querySelectorAll("#presence .presence-name")].map(
            (e) => e.textContent,
          );
          return names.join("|") === "Dee Dee|Eve";
        });
        await pill(t, "2 here");
      }
      const counts = await (await fetch(`${server.url}/presence?gallery_id=/team`)).json();
      expect(counts).toEqual({
        gallery_id: "/team",
        viewing: 2,
        editing: 0,
        names: ["Dee Dee", "Eve"],
        sessions: 4,
      });

      // One tab closing leaves the person (and the other two tabs) counted.
      await tabs[2]!.close({ runBeforeUnload: true });
      await detail(eve.page, "0 editing · 2 viewing · 3 tabs");
      await pill(eve.page, "2 here");
      expect(errors).toEqual([]);
    } finally {
      await Promise.all([dee.close(), eve.close()]);
    }
  });
});
