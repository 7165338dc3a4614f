/**
 * A new user far from ASCII, on a phone (U31, U11, U18): folders named 東京 and Łódź, a person named
 * Łukasz, 390×844 with touch, and a reload in the middle of typing a note. Real Chromium against the
 * real server process.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let server: ServerProcess;
let b: BrowserSession;

beforeAll(async () => {
  root = tempDir("lenslet-world-");
  await writeTree(root, { "東京/夜.jpg": {}, "Łódź/źródło.jpg": {}, "Łódź/b.jpg": {} });
  server = await startServerProcess([
    root,
    "--port",
    "0",
    "--workspace",
    tempDir("lenslet-world-ws-"),
  ]);
  b = await openBrowser({ width: 390, height: 844, touch: true });
  await b.context.addInitScript(() => {
    localStorage.setItem("lenslet.name", "Łukasz");
    localStorage.setItem("lenslet.nameAsked", "1");
  });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await server?.stop();
  removeDir(root);
});

const item = async (p: string) =>
  (await fetch(`${server.url}/item?path=${encodeURIComponent(p)}`)).json();
async function tap(page: Page, sel: string) {
  await page.locator(sel).first().waitFor();
  const r = (await page.locator(sel).first().boundingBox())!;
  await page.touchscreen.tap(r.x + r.width / 2, r.y + r.height / 2);
}
async function until(check: () => Promise<boolean>) {
  while (!(await check())) await Bun.sleep(20); // polls the server; bounded by the test timeout
}

test("U31 U18 U11: 東京 and Łódź by finger, Łukasz picks and writes a note, a reload mid-note loses nothing", async () => {
  const { page } = b;
  const errors = watchErrors(page);
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);
  // The tree drawer lists both folders by their names; a tap opens Łódź.
  await tap(page, '[data-drawer-toggle="tree"]');
  await page.waitForSelector('#columns[data-drawer="tree"]');
  expect(await page.locator('.sidebar .folder-link[data-folder="/東京"]').count()).toBe(1);
  await tap(page, '.sidebar .folder-link[data-folder="/Łódź"]');
  const pic = "/Łódź/źródło.jpg";
  await page.waitForSelector(`.card[data-path="${pic}"]`);
  expect(decodeURIComponent(new URL(page.url()).search)).toContain("folder=/Łódź");

  // Tap the card, open the inspector, pick it with the ⚑ button.
  await tap(page, `.card[data-path="${pic}"] .thumb`);
  await page.waitForSelector(`.card.selected[data-path="${pic}"]`);
  await tap(page, '[data-drawer-toggle="inspector"]');
  await page.waitForSelector(`#inspector-body[data-path="${pic}"]`);
  // Still "live" after the folder was opened in place (a swap must not erase what Alpine bound).
  await page.waitForSelector(".conn-status.live", { state: "attached" });
  await tap(page, '#inspector-body [data-cull="flag"][data-value="pick"]');
  await until(async () => (await item(pic)).flag === "pick");
  const picked = await item(pic);
  expect(picked.updated_by).toContain("Łukasz");
  // The inspector shows the written version (it re-renders after the answer).
  await page.waitForSelector(`#inspector-body[data-version="${picked.version}"]`);

  // Type a note and reload before the autosave: the text is sent on the way out or on the next page.
  await tap(page, "#inspector-body .notes");
  await page.keyboard.type("zażółć gęślą jaźń");
  await page.reload();
  await until(async () => (await item(pic)).notes === "zażółć gęślą jaźń");
  await page.waitForSelector(`#inspector-body[data-path="${pic}"]`, { state: "attached" });
  expect(await page.inputValue("#inspector-body .notes")).toBe("zażółć gęślą jaźń");
  expect(errors).toEqual([]);
}, 60_000);
