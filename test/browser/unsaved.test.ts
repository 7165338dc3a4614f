/**
 * What is not saved yet, as a person sees it in real Chromium against the real server process: a note typed
 * and then the tab reloaded within the autosave delay reaches the server (and leaving asked); a conflict box
 * counts as unsaved in the status and when leaving.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let workspace: string;
let server: ServerProcess;
let ana: BrowserSession;
let ben: BrowserSession;

beforeAll(async () => {
  root = tempDir("lenslet-unsaved-");
  workspace = tempDir("lenslet-unsaved-ws-");
  await writeTree(root, { "a/one.jpg": {}, "a/two.jpg": {}, "a/three.jpg": {} });
  server = await startServerProcess([root, "--port", "0", "--workspace", workspace]);
  [ana, ben] = await Promise.all([openBrowser(), openBrowser()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([ana?.close(), ben?.close()]);
  await server?.stop();
  removeDir(root);
  removeDir(workspace);
});

type Item = { notes: string; star: number | null; version: number };
async function item(path: string): Promise<Item> {
  return (await fetch(`${server.url}/item?path=${encodeURIComponent(path)}`)).json();
}

/** Polls the server's record until `ok` holds (at most `ms`), and returns the last one read. */
async function serverRecord(path: string, ok: (r: Item) => boolean, ms = 10_000): Promise<Item> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await item(path);
    if (ok(r) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function inspect(page: Page, name: string, path: string) {
  await page.addInitScript((n) => {
    localStorage.setItem("lenslet.name", n);
    localStorage.setItem("lenslet.nameAsked", "1");
  }, name);
  await page.goto(`${server.url}/?folder=/a&sel=${encodeURIComponent(path)}`);
  await page.waitForSelector(`#inspector-body[data-path="${path}"]`);
  await page.waitForFunction(
    () =>
      (window as unknown as { Alpine?: { store(n: string): { connState: string } } }).Alpine?.store(
        "sync",
      )?.connState === "live",
  );
}

const status = (page: Page) => page.textContent(".status .save-status");
/** What the page's own beforeunload handler decides (true = the browser would ask). */
const wouldAsk = (page: Page) =>
  page.evaluate(() => {
    const e = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });

describe("unsaved work is never reported saved, nor lost on leaving", () => {
  test("U11: a note typed and the tab reloaded at once: leaving asks, and the note is on the server, once", async () => {
    const page = ana.page;
    const errors = watchErrors(page);
    await inspect(page, "Ana", "/a/one.jpg");
    const asked: string[] = [];
    page.on("dialog", (d) => {
      asked.push(d.type());
      void d.accept();
    });
    await page.type("#inspector-body .notes", "typed, then gone");
    expect(await status(page)).toBe("Saving…"); // typed and not sent is not "saved"
    await page.reload(); // well within the 0.8 s autosave
    const r = await serverRecord("/a/one.jpg", (x) => x.notes === "typed, then gone");
    expect(r.notes).toBe("typed, then gone");
    expect(asked).toEqual(["beforeunload"]);
    // The next page re-sent it with the same key: applied once, nothing left over, nothing to choose.
    await page.waitForSelector('#inspector-body[data-path="/a/one.jpg"]');
    await page.waitForFunction(() => !localStorage.getItem("lenslet.leftovers"));
    expect((await item("/a/one.jpg")).version).toBe(2);
    expect(await page.inputValue("#inspector-body .notes")).toBe("typed, then gone");
    expect(await page.locator(".conflict").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test("U11 U4: a note sent while leaving that meets a newer version comes back as a conflict on the next load", async () => {
    const page = ana.page;
    page.removeAllListeners("dialog");
    await inspect(page, "Ana", "/a/two.jpg");
    // While the page waits on its beforeunload question, Ben's note lands: the page never hears of it.
    page.on("dialog", async (d) => {
      const cur = await item("/a/two.jpg");
      const res = await fetch(`${server.url}/item?path=/a/two.jpg`, {
        method: "PATCH",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": crypto.randomUUID(),
          "X-Lenslet-Name": "Ben",
        },
        body: JSON.stringify({ base_version: cur.version, set_notes: "Ben's" }),
      });
      expect(res.status).toBe(200);
      await d.accept();
    });
    await page.type("#inspector-body .notes", "Ana's unsent");
    await page.reload();
    await page.waitForSelector('.conflict-slot[data-conflict="notes"] .conflict');
    expect(await page.textContent(".conflict")).toContain("Ben");
    expect(await page.inputValue("#inspector-body .notes")).toBe("Ana's unsent");
    expect(await status(page)).toBe("1 change waiting for your choice");
    expect((await item("/a/two.jpg")).notes).toBe("Ben's");
    await page.click("text=Apply mine again");
    const r = await serverRecord("/a/two.jpg", (x) => x.notes === "Ana's unsent");
    expect(r.notes).toBe("Ana's unsent");
    page.removeAllListeners("dialog");
  });

  test("U12: open conflicts are changes waiting for a choice, never 'All changes saved'; leaving asks until chosen", async () => {
    const target = "/a/three.jpg";
    await Promise.all([inspect(ana.page, "Ana", target), inspect(ben.page, "Ben", target)]);
    // Ben's writes reach the server only after Ana has saved hers: each of his meets her newer version.
    let anaActs: () => Promise<void> = async () => {};
    await ben.page.route("**/item?path=*", async (route) => {
      if (route.request().method() !== "PATCH") return route.continue();
      await anaActs();
      await route.continue();
    });
    const anaSaves = async (act: () => Promise<void>) => {
      const before = (await item(target)).version;
      await act();
      await serverRecord(target, (x) => x.version > before);
    };
    // Star first, then notes: the notes conflict then holds the newest version, so "Apply mine again" lands.
    anaActs = () => anaSaves(() => ana.page.click('#inspector-body .star[data-value="2"]'));
    await ben.page.click('#inspector-body .star[data-value="4"]');
    await ben.page.waitForSelector('.conflict-slot[data-conflict="star"] .conflict');
    expect(await status(ben.page)).toBe("1 change waiting for your choice");
    expect(await ben.page.textContent("#inspector-body .save-status")).toBe(
      "1 change waiting for your choice",
    );
    expect(await ben.page.getAttribute(".status .save-status", "class")).toContain("waiting");
    expect(await wouldAsk(ben.page)).toBe(true);

    anaActs = () =>
      anaSaves(async () => {
        await ana.page.fill("#inspector-body .notes", "Ana's note");
        await ana.page.locator("#inspector-body .notes").blur();
      });
    await ben.page.fill("#inspector-body .notes", "Ben's note");
    await ben.page.locator("#inspector-body .notes").blur();
    await ben.page.waitForSelector('.conflict-slot[data-conflict="notes"] .conflict');
    await ben.page.waitForFunction(
      () =>
        document.querySelector(".status .save-status")?.textContent ===
        "2 changes waiting for your choice",
    );

    anaActs = async () => {};
    await ben.page.click('.conflict-slot[data-conflict="star"] >> text=Keep theirs');
    await ben.page.waitForFunction(
      () =>
        document.querySelector(".status .save-status")?.textContent ===
        "1 change waiting for your choice",
    );
    expect(await wouldAsk(ben.page)).toBe(true);
    await ben.page.click('.conflict-slot[data-conflict="notes"] >> text=Apply mine again');
    await ben.page.waitForFunction(
      () => document.querySelector(".status .save-status")?.textContent === "All changes saved",
    );
    expect(await wouldAsk(ben.page)).toBe(false);
    const r = await item(target);
    expect(r).toMatchObject({ notes: "Ben's note", star: 2 });
    await ben.page.unroute("**/item?path=*");
  });

  test("U11 U12: a conflict still open when the tab reloads is offered again, with the person's text", async () => {
    const page = ana.page;
    const target = "/a/two.jpg";
    await inspect(page, "Ana", target);
    // Ana's text was typed over what she saw; Ben's note lands meanwhile, through the API, and she sees it.
    await page.route("**/item?path=*", async (route) => {
      if (route.request().method() !== "PATCH") return route.continue();
      const cur = await item(target);
      await fetch(`${server.url}/item?path=${target}`, {
        method: "PATCH",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": crypto.randomUUID(),
          "X-Lenslet-Name": "Ben",
        },
        body: JSON.stringify({ base_version: cur.version, set_notes: "Ben again" }),
      });
      await route.continue();
    });
    await page.fill("#inspector-body .notes", "Ana keeps this");
    await page.locator("#inspector-body .notes").blur();
    await page.waitForSelector('.conflict-slot[data-conflict="notes"] .conflict');
    await page.unroute("**/item?path=*");
    const asked: string[] = [];
    page.on("dialog", (d) => {
      asked.push(d.type());
      void d.accept();
    });
    await page.reload();
    await page.waitForSelector('.conflict-slot[data-conflict="notes"] .conflict');
    expect(asked).toEqual(["beforeunload"]);
    expect(await page.textContent(".conflict")).toContain("Ben again");
    expect(await page.inputValue("#inspector-body .notes")).toBe("Ana keeps this");
    expect(await status(page)).toBe("1 change waiting for your choice");
    expect((await item(target)).notes).toBe("Ben again");
    await page.click("text=Apply mine again");
    const r = await serverRecord(target, (x) => x.notes === "Ana keeps this");
    expect(r.notes).toBe("Ana keeps this");
    page.removeAllListeners("dialog");
  });
});
