/**
 * Live collaboration in real Chromium: two people (two browser profiles) on
 * one real server process. Edits show up in the other's page with no reload,
 * conflicts are offered both ways, a server restart is caught up, and ten
 * tabs of one browser all stay live.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { imageBytes, removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let workspace: string;
let server: ServerProcess;
let ana: BrowserSession;
let ben: BrowserSession;
let port: number;

const FILES: Record<string, object> = {};
for (let i = 0; i < 12; i++) FILES[`shots/img${String(i).padStart(2, "0")}.jpg`] = {};
for (let i = 0; i < 3; i++) FILES[`other/o${i}.jpg`] = {};

async function start(extra: string[] = []) {
  server = await startServerProcess([
    root,
    "--port",
    String(port),
    "--workspace",
    workspace,
    ...extra,
  ]);
}

type AlpineWindow = { Alpine: { store(n: string): { connState: string; connLabel: string } } };

/** Someone else (not a browser) changes an item through the API. */
function patchAs(name: string, path: string, body: object) {
  return fetch(`${server.url}/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
      "X-Lenslet-Name": name,
    },
    body: JSON.stringify(body),
  });
}

async function ready(page: Page, url: string, name: string) {
  await page.addInitScript((n) => localStorage.setItem("lenslet.name", n), name);
  await page.goto(url);
  await page.waitForSelector(".grid-page .card");
  await page.waitForFunction(
    () =>
      (window as unknown as { Alpine?: { store(n: string): { connState: string } } }).Alpine?.store(
        "sync",
      )?.connState === "live",
  );
}

beforeAll(async () => {
  root = tempDir("lenslet-live-");
  workspace = tempDir("lenslet-live-ws-");
  await writeTree(root, FILES);
  server = await startServerProcess([root, "--port", "0", "--workspace", workspace]);
  port = Number(new URL(server.url).port);
  [ana, ben] = await Promise.all([openBrowser(), openBrowser()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([ana?.close(), ben?.close()]);
  await server?.stop();
  removeDir(root);
  removeDir(workspace);
});

const url = () => `${server.url}/?folder=/shots`;

describe("live sync in real browsers", () => {
  test("U2 U3: a rating in one browser updates the other's card and inspector with no reload, pulsing once", async () => {
    const errors = watchErrors(ben.page);
    await Promise.all([
      ready(ana.page, url(), "Ana"),
      ready(ben.page, `${url()}&sel=/shots/img01.jpg`, "Ben"),
    ]);
    await ben.page.waitForSelector('#inspector-body[data-path="/shots/img01.jpg"]');
    await ana.page.click('.card[data-path="/shots/img01.jpg"]');
    await ana.page.keyboard.press("3");
    await ben.page.waitForSelector('.card[data-path="/shots/img01.jpg"][data-star="3"]');
    await ben.page.waitForSelector(".card.pulse");
    await ben.page.waitForSelector("#inspector-body .star.on >> nth=2");
    expect(await ben.page.locator("#inspector-body .star.on").count()).toBe(3);
    expect(await ben.page.textContent("#inspector-body .last-edited")).toContain("Ana");
    expect(await ben.page.locator(".card.pulse").count()).toBe(1);
    expect(errors).toEqual([]);
  });

  test("U5 U2: a change outside the view lands in the off-view summary; an item entering the filter arrives without a reload", async () => {
    await ben.page.goto(`${server.url}/?folder=/shots&stars=5`);
    await ben.page.waitForSelector(".empty");
    await ben.page.waitForFunction(
      () =>
        (window as unknown as { Alpine: { store(n: string): { connState: string } } }).Alpine.store(
          "sync",
        ).connState === "live",
    );
    await ana.page.click('.card[data-path="/shots/img02.jpg"]');
    await ana.page.keyboard.press("4");
    await ben.page.waitForSelector(".offview:not([style*='display: none'])");
    expect(await ben.page.textContent(".offview")).toContain("img02.jpg");
    // A rating that makes an item enter the filter brings it in without a reload.
    await ana.page.keyboard.press("5");
    await ben.page.waitForSelector('.card[data-path="/shots/img02.jpg"]');
    await ben.page.waitForFunction(
      () =>
        !document.querySelector(".offview") ||
        getComputedStyle(document.querySelector(".offview")!).display === "none",
    );
  });

  test("G4 U2: a view sorted by a metric re-orders itself when a script pushes new scores", async () => {
    const page = ben.page;
    await ready(page, `${url()}&sort=metric:score&dir=desc`, "Ben");
    const first = () => page.getAttribute(".grid-page .card", "data-path");
    expect(await first()).toBe("/shots/img00.jpg"); // nobody has a score yet: name order
    // img08 is no other test's: every test here shares one gallery and its versions.
    const res = await patchAs("script", "/shots/img08.jpg", { set_metrics: { score: 0.93 } });
    expect(res.status).toBe(200);
    await page.waitForFunction(
      () =>
        document.querySelector(".grid-page .card")?.getAttribute("data-path") ===
        "/shots/img08.jpg",
    );
    expect(new URL(page.url()).searchParams.get("sort")).toBe("metric:score");
  });

  test("U4: conflict on notes: the second writer chooses; nothing is dropped silently", async () => {
    const target = "/shots/img05.jpg";
    await Promise.all([
      ready(ana.page, `${url()}&sel=${target}`, "Ana"),
      ready(ben.page, `${url()}&sel=${target}`, "Ben"),
    ]);
    // Ben starts typing; Ana saves first.
    await ben.page.fill("#inspector-body .notes", "Ben's note");
    await ana.page.fill("#inspector-body .notes", "Ana's note");
    await ana.page.locator("#inspector-body .notes").blur();
    await ana.page.waitForSelector(".save-status.saved");
    // Ben sees the conflict on the field instead of losing his text.
    await ben.page.waitForSelector('.conflict-slot[data-conflict="notes"] .conflict');
    expect(await ben.page.textContent(".conflict")).toContain("Ana");
    expect(await ben.page.inputValue("#inspector-body .notes")).toBe("Ben's note");
    await ben.page.click("text=Apply mine again");
    await ana.page.waitForFunction(
      () =>
        (document.querySelector("#inspector-body .notes") as HTMLTextAreaElement)?.value ===
        "Ben's note",
    );
    const item = await (await fetch(`${server.url}/item?path=${target}`)).json();
    expect(item.notes).toBe("Ben's note");

    // The other way round: Ana is mid-sentence when Ben's save lands; she keeps his.
    await ana.page.fill("#inspector-body .notes", "Ana again");
    const current = await (await fetch(`${server.url}/item?path=${target}`)).json();
    const res = await patchAs("Ben", target, {
      base_version: current.version,
      set_notes: "Ben final",
    });
    expect(res.status).toBe(200);
    await ana.page.waitForSelector('.conflict-slot[data-conflict="notes"] .conflict');
    expect(await ana.page.inputValue("#inspector-body .notes")).toBe("Ana again");
    await ana.page.click("text=Keep theirs");
    await ana.page.waitForFunction(
      () =>
        (document.querySelector("#inspector-body .notes") as HTMLTextAreaElement)?.value ===
        "Ben final",
    );
    expect((await (await fetch(`${server.url}/item?path=${target}`)).json()).notes).toBe(
      "Ben final",
    );
    expect(await ana.page.locator(".conflict").count()).toBe(0);
  });

  test("U6: the server stops for 5 s and restarts: the page shows it, then catches up with no reload", async () => {
    await ready(ben.page, url(), "Ben");
    await ben.page.evaluate(() => {
      (window as unknown as { __marker: number }).__marker = 1;
    });
    await server.stop();
    await ben.page.waitForFunction(
      () =>
        (window as unknown as { Alpine: { store(n: string): { connState: string } } }).Alpine.store(
          "sync",
        ).connState !== "live",
    );
    await Bun.sleep(5000); // the outage itself, not a wait for an event
    await start();
    // An edit made by someone else right after the restart reaches the page.
    const res = await patchAs("Cy", "/shots/img07.jpg", { base_version: 1, set_star: 2 });
    expect(res.status).toBe(200);
    await ben.page.waitForFunction(
      () =>
        (window as unknown as { Alpine: { store(n: string): { connState: string } } }).Alpine.store(
          "sync",
        ).connState === "live",
      undefined,
      { timeout: 30_000 },
    );
    await ben.page.waitForSelector('.card[data-path="/shots/img07.jpg"][data-star="2"]', {
      timeout: 30_000,
    });
    expect(
      await ben.page.evaluate(() => (window as unknown as { __marker: number }).__marker),
    ).toBe(1);
  });

  test("U1: ten tabs of one browser all receive an edit", async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 10; i++) {
      const p = i === 0 ? ben.page : await ben.context.newPage();
      pages.push(p);
    }
    await Promise.all(pages.map((p) => ready(p, url(), "Ben")));
    const res = await patchAs("Cy", "/shots/img09.jpg", { base_version: 1, set_star: 4 });
    expect(res.status).toBe(200);
    await Promise.all(
      pages.map((p) => p.waitForSelector('.card[data-path="/shots/img09.jpg"][data-star="4"]')),
    );
    // One stream serves the whole browser.
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health.events.connected).toBeLessThanOrEqual(2);
    for (const p of pages.slice(1)) await p.close();
  });

  test("U6: with the stream unreachable the page says Offline, polls what it shows, and goes Live again", async () => {
    const page = ben.page;
    await ready(page, url(), "Ben");
    // The event stream fails (as behind a proxy that drops it); plain requests still work.
    await page.route("**/events*", (route) => route.abort());
    // A restart drops the open stream; every reconnect then hits the blocked route.
    await server.stop();
    await start();
    await page.waitForFunction(
      () =>
        (window as unknown as AlpineWindow).Alpine.store("sync").connLabel ===
        "Offline — checking every 15 s",
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.textContent("#presence .presence-count")).toBe("…");
    const res = await patchAs("Cy", "/shots/img11.jpg", { base_version: 1, set_star: 1 });
    expect(res.status).toBe(200);
    // No stream: the poll (every 15 s) brings the change.
    await page.waitForSelector('.card[data-path="/shots/img11.jpg"][data-star="1"]', {
      timeout: 30_000,
    });
    await page.unroute("**/events*");
    await page.waitForFunction(
      () => (window as unknown as AlpineWindow).Alpine.store("sync").connState === "live",
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(
      await page.evaluate(
        () =>
          (window as unknown as { lensletLive: { live: { polling: boolean } } }).lensletLive.live
            .polling,
      ),
    ).toBe(false);
  }, 120_000);

  test("G11: images copied in (and a new folder) appear in the open page; a deleted one leaves", async () => {
    const page = ana.page;
    const errors = watchErrors(page);
    await ready(page, url(), "Ana");
    const shotsCount = '.tree .folder-link[data-folder="/shots"] .count';
    expect(await page.textContent(shotsCount)).toBe("12");
    writeFileSync(join(root, "shots", "img12.jpg"), await imageBytes());
    await page.waitForSelector('.card[data-path="/shots/img12.jpg"] img');
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === "13",
      shotsCount,
    );
    await writeTree(root, { "later/one.jpg": {}, "later/two.jpg": {} });
    await page.waitForSelector('.tree .folder-link[data-folder="/later"]');
    expect(await page.textContent('.tree .folder-link[data-folder="/later"] .count')).toBe("2");
    rmSync(join(root, "shots", "img12.jpg"));
    await page.waitForSelector('.card[data-path="/shots/img12.jpg"]', { state: "detached" });
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === "12",
      shotsCount,
    );
    // Someone deletes the folder this page shows: the page goes up to the nearest folder still there.
    await page.click('.tree .folder-link[data-folder="/later"]');
    await page.waitForSelector('#browse[data-folder="/later"] .card');
    rmSync(join(root, "later"), { recursive: true });
    await page.waitForSelector('#browse[data-folder="/"]');
    await page.waitForSelector('.tree .folder-link[data-folder="/later"]', { state: "detached" });
    expect(errors).toEqual([]);
  });
});
