/**
 * Thumbnails and originals as a real browser sees them: every card image
 * renders (an undecodable file shows the placeholder, never a broken image),
 * and a reload regenerates nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import type { ImageEntry } from "../../src/gallery/types.ts";
import { Dimensions } from "../../src/media/dimensions.ts";
import { Thumbnailer } from "../../src/media/thumbnails.ts";
import { mediaRoutes } from "../../src/routes/media.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { entryFor, filesFor, tempDir, writeImage } from "./helpers.ts";

const { dir, cleanup } = tempDir("media-browser");
const entries = new Map<string, ImageEntry>();
let thumbs: Thumbnailer;
let server: ReturnType<typeof Bun.serve>;
let browser: BrowserSession;
/** Thumbnail responses that carried a body (not 304, not from the browser cache). */
let thumbBodies = 0;

beforeAll(async () => {
  const files: [string, Parameters<typeof writeImage>[3]][] = [
    ["photo.jpg", "jpeg"],
    ["alpha.png", "png"],
    ["pic.webp", "webp"],
    ["anim.gif", "gif"],
    ["pic.avif", "avif"],
    ["scan.tiff", "tiff"],
    ["<img src=x onerror=alert(1)>.jpg", "jpeg"],
    ["caf\u00e9.jpg", "jpeg"],
  ];
  for (const [name, format] of files) {
    const f = join(dir, name);
    await writeImage(f, 300, 200, format, { alpha: format === "png" });
    entries.set(entryFor(dir, f).path, entryFor(dir, f));
  }
  writeFileSync(join(dir, "broken.jpg"), "no image here");
  entries.set("/broken.jpg", entryFor(dir, join(dir, "broken.jpg")));

  thumbs = new Thumbnailer({
    files: filesFor(dir),
    cacheDir: join(dir, ".ws", "thumbs"),
    size: 128,
    quality: 70,
    maxCacheBytes: 1e8,
  });
  const app = new Hono();
  app.use("/thumb", async (c, next) => {
    await next();
    thumbBodies += c.res.status === 200 ? 1 : 0;
  });
  app.route(
    "/",
    mediaRoutes({
      gallery: entries,
      thumbs,
      display: thumbs,
      files: filesFor(dir),
      dims: new Dimensions({ files: filesFor(dir), cacheDir: null }),
    }),
  );
  app.get("/", (c) => {
    const imgs = [...entries.values()]
      .map((e) => {
        const q = `path=${encodeURIComponent(e.path)}&v=${thumbs.etag(e)}`;
        return `<img class="thumb" data-path="${encodeURIComponent(e.path)}" src="/thumb?${q}">`;
      })
      .join("");
    return c.html(
      `<!DOCTYPE html><html><body>${imgs}<img id="original" src="/file?path=%2Fphoto.jpg"></body></html>`,
    );
  });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.stop(true);
  await thumbs.drain();
  cleanup();
});

/** Waits until every image finished loading, then reports each one's natural width. */
async function loadedWidths(page: BrowserSession["page"]) {
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  return page.$$eval("img", (imgs) =>
    Object.fromEntries(
      imgs.map((i) => [decodeURIComponent(i.dataset.path ?? i.id), i.naturalWidth]),
    ),
  );
}

test("every thumbnail renders; the undecodable file shows the placeholder; a reload regenerates nothing", async () => {
  const page = browser.page;
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const url = `http://127.0.0.1:${server.port}/`;
  await page.goto(url);
  const widths = await loadedWidths(page);
  expect(Object.keys(widths)).toHaveLength(entries.size + 1);
  for (const [path, w] of Object.entries(widths)) {
    expect(`${path} ${w > 0}`).toBe(`${path} true`);
  }
  expect(widths["/broken.jpg"]).toBe(256);
  expect(widths["/photo.jpg"]).toBe(192);
  expect(widths.original).toBe(300);
  expect(dialogs).toEqual([]);

  const generated = thumbs.stats().generated;
  expect(generated).toBe(entries.size - 1);
  expect(thumbBodies).toBe(entries.size);
  await page.reload();
  await loadedWidths(page);
  await page.goto("about:blank");
  await page.goto(url);
  await loadedWidths(page);
  expect(thumbs.stats().generated).toBe(generated);
  // Only the placeholder (no-store) is fetched again; thumbnails come from the browser cache or a 304.
  expect(thumbBodies).toBe(entries.size + 2);
}, 60_000);
