/**
 * Presence in real Chromium tabs against the real server process: counts
 * stay exact through reloads, closed tabs, duplicated tabs and rapid folder
 * changes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let workspace: string;
let server: ServerProcess;
let browser: BrowserSession;

beforeAll(async () => {
  root = tempDir("lenslet-presence-");
  workspace = tempDir("lenslet-presence-ws-");
  const files: Record<string, object> = {};
  for (const f of ["a", "b", "c", "d", "e"]) files[`${f}/one.jpg`] = {};
  await writeTree(root, files);
  server = await startServerProcess([root, "--port", "0", "--workspace", workspace]);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  removeDir(root);
  removeDir(workspace);
});

async function counts(scope: string) {
  return (await (
    await fetch(`${server.url}/presence?gallery_id=${encodeURIComponent(scope)}`)
  ).json()) as {
    viewing: number;
    editing: number;
    sessions: number;
  };
}

async function pillSays(page: Page, text: string) {
  await page.waitForFunction(
    (t) => document.querySelector("#presence .presence-count")?.textContent === t,
    text,
  );
}

/** Tabs of one browser are one person (P18): the pill says "1 here", its detail counts the tabs. */
async function tabsSay(page: Page, tabs: number) {
  await pillSays(page, "1 here");
  await page.waitForFunction(
    (t) => document.querySelector("#presence .presence-numbers")?.textContent?.endsWith(t),
    ` · ${tabs} tab${tabs === 1 ? "" : "s"}`,
  );
}

async function open(page: Page, folder: string) {
  await page.goto(`${server.url}/?folder=${folder}`);
  await page.waitForSelector(".grid-page .card");
}

async function serverSays(scope: string, tabs: number) {
  for (;;) {
    if ((await counts(scope)).sessions === tabs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("presence in real tabs", () => {
  test("U8 U9: two tabs → 2 tabs; reload one → still 2; close one → 1 by its leave beacon, not by going stale", async () => {
    const one = browser.page;
    const two = await browser.context.newPage();
    await open(one, "/a");
    await open(two, "/a");
    await tabsSay(one, 2);
    await tabsSay(two, 2);
    const ids = await Promise.all(
      [one, two].map((p) => p.evaluate(() => sessionStorage.getItem("lenslet.client"))),
    );
    expect(ids[0]).not.toBe(ids[1]);

    await two.reload();
    await two.waitForSelector(".grid-page .card");
    await tabsSay(two, 2);
    expect(await two.evaluate(() => sessionStorage.getItem("lenslet.client"))).toBe(ids[1]);
    expect((await counts("/a")).sessions).toBe(2);

    // The closed tab leaves by its pagehide beacon, not by going stale (view TTL 75 s): nothing is pruned.
    const pruned = async () =>
      (await (await fetch(`${server.url}/presence/diagnostics`)).json()).stale_pruned_total;
    const prunedBefore = await pruned();
    await two.close({ runBeforeUnload: true });
    await tabsSay(one, 1);
    expect(await pruned()).toBe(prunedBefore);
  });

  test("U8: a duplicated tab (copied sessionStorage) takes its own id: 3 tabs", async () => {
    const one = browser.page;
    const two = await browser.context.newPage();
    await open(one, "/b");
    await open(two, "/b");
    await tabsSay(one, 2);
    // Chromium's "Duplicate tab" copies sessionStorage: do the same.
    const copied = await two.evaluate(() => ({ ...sessionStorage }));
    const dup = await browser.context.newPage();
    await dup.addInitScript((s: Record<string, string>) => {
      if (!sessionStorage.getItem("lenslet.client"))
        for (const [k, v] of Object.entries(s)) sessionStorage.setItem(k, v);
    }, copied);
    await open(dup, "/b");
    await tabsSay(dup, 3);
    await tabsSay(one, 3);
    const ids = await Promise.all(
      [one, two, dup].map((p) => p.evaluate(() => sessionStorage.getItem("lenslet.client"))),
    );
    expect(new Set(ids).size).toBe(3);
    await Promise.all([two.close({ runBeforeUnload: true }), dup.close({ runBeforeUnload: true })]);
    await tabsSay(one, 1);
  });

  test("U9: rapid folder changes end in one final scope, with few requests", async () => {
    const page = browser.page;
    await open(page, "/a");
    await pillSays(page, "1 here");
    let presenceCalls = 0;
    page.on("request", (r) => {
      if (r.url().includes("/presence/")) presenceCalls++;
    });
    const t0 = Date.now();
    for (const f of ["b", "c", "d", "e", "a", "c", "e"]) {
      await page.click(`.tree .folder-link[data-folder="/${f}"]`);
      await page.waitForSelector(`#browse[data-folder="/${f}"]`);
    }
    await serverSays("/e", 1);
    const elapsed = (Date.now() - t0) / 1000;
    for (const f of ["a", "b", "c", "d"]) expect((await counts(`/${f}`)).sessions).toBe(0);
    await pillSays(page, "1 here");
    // Coalesced: about three a second at most, plus the final one.
    expect(presenceCalls).toBeLessThanOrEqual(Math.ceil(elapsed * 3) + 2);
  });

  test("P8 U10: editing: a write counts the tab as editing in its scope, typing alone does not", async () => {
    const page = browser.page;
    await page.goto(`${server.url}/?folder=/c&sel=/c/one.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/c/one.jpg"]');
    await pillSays(page, "1 here");
    await page.type("#inspector-body .notes", "hmm");
    await page.waitForSelector(".typing-cue:not([style*='display: none'])");
    expect((await counts("/c")).editing).toBe(0);
    await page.keyboard.press("Tab");
    await page.waitForFunction(
      async () => (await (await fetch("/presence?gallery_id=/c")).json()).editing === 1,
    );
    await page.hover("#presence");
    await page.waitForFunction(
      () =>
        document.querySelector("#presence .presence-numbers")?.textContent ===
        "1 editing · 0 viewing · 1 tab",
    );
  });
});
