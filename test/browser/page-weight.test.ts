/**
 * The first load's weight as the browser fetches it (issue 10, spec U17): real Chromium opens a gallery and,
 * before any interaction (the page loaded, the live stream open, the network quiet), every script and
 * stylesheet it received is gzipped (level 6) and summed. Features loaded on first use must not be among them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

/**
 * What the first load weighs today (63.0 KB, with stacks, flag buttons and keyboard histograms): it may only shrink. The goal (50 KB) is not met, and a check
 * that passes because it fails would hide that: bench/page-weight.ts prints the figure against the goal.
 */
const TODAY = 63.5 * 1024;

let app: TestLenslet;
let b: BrowserSession;

beforeAll(async () => {
  app = await startTestLenslet({ "a/one.jpg": {}, "a/two.jpg": {}, "a/three.jpg": {} });
  b = await openBrowser({ width: 1440, height: 900 });
  await b.page.addInitScript(() => {
    localStorage.setItem("lenslet.name", "Ana");
    localStorage.setItem("lenslet.nameAsked", "1");
  });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await app?.dispose();
});

/** gzip bytes of every script and stylesheet the page fetched, by path. */
async function firstLoad(url: string): Promise<Map<string, number>> {
  const { page } = b;
  const bodies: Promise<[string, number]>[] = [];
  const onResponse = (r: import("playwright-core").Response) => {
    const type = r.request().resourceType();
    if (type !== "script" && type !== "stylesheet") return;
    bodies.push(
      r.body().then((body) => [new URL(r.url()).pathname, gzipSync(body, { level: 6 }).length]),
    );
  };
  // Every visit as the first: nothing from the browser's cache (a 304 has no body to weigh).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  page.on("response", onResponse);
  try {
    await page.goto(url);
    // Loaded, the stream open (it never goes idle, so "networkidle" never comes), the page idle after that.
    await page.waitForLoadState("load");
    await page.waitForSelector(".conn-status.live");
    await page.evaluate(() => new Promise((r) => requestIdleCallback(() => r(null))));
    return new Map(await Promise.all(bodies));
  } finally {
    page.off("response", onResponse);
    await cdp.detach();
  }
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, n) => a + n, 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

describe("first load (U17)", () => {
  test("U17: one script and one stylesheet; compare, groups and the viewer's zoom are not fetched until used", async () => {
    const errors = watchErrors(b.page);
    const got = await firstLoad(`${app.url}/?folder=/a`);
    expect([...got.keys()].sort()).toEqual(["/static/app.min.css", "/static/bundle.js"]);
    // Used, they come: the viewer brings its zoom.
    const zoom = b.page.waitForResponse((r) => new URL(r.url()).pathname === "/static/zoom.min.js");
    await b.page.dblclick('.card[data-path="/a/one.jpg"]');
    await b.page.waitForSelector("#viewer");
    expect((await zoom).ok()).toBe(true);
    expect(errors).toEqual([]);
  });

  test(`U17: the first load never grows past today's ${kb(TODAY)} gzip`, async () => {
    const got = await firstLoad(`${app.url}/?folder=/a`);
    expect(`${kb(total(got))} ${total(got) <= TODAY ? "within" : "over"} ${kb(TODAY)}`).toBe(
      `${kb(total(got))} within ${kb(TODAY)}`,
    );
  });
});
