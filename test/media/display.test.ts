/**
 * Formats browsers cannot show, through the real app on a temp gallery: TIFF and SVG open as
 * server-made display images (cached in the workspace like thumbnails), an undecodable file gets
 * the same "Can't decode" tile as in the grid, an SVG is never served inline, the first page
 * shows TIFF and AVIF dimensions, and files of other formats are counted as skipped.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { UNSUPPORTED } from "../../src/gallery/scan.ts";
import { DISPLAY_LONG_EDGE } from "../../src/media/browser-formats.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { tempDir } from "../helpers/tree.ts";
import { writeImage } from "./helpers.ts";

let app: TestLenslet;
let workspace: string;
let outside: string;

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">
  <rect width="120" height="80" fill="#0000ff"/>
  <script>alert(document.cookie)</script>
</svg>`;

beforeAll(async () => {
  workspace = tempDir("lenslet-display-ws-");
  outside = tempDir("lenslet-display-outside-");
  await sharp({ create: { width: 40, height: 40, channels: 3, background: "#ff0000" } })
    .png()
    .toFile(join(outside, "red.png"));
  app = await startTestLenslet(
    {
      "notes.txt": { bytes: "hello" },
      "shoot/raw.cr2": { bytes: "not for us" },
      "shoot/sidecar.xmp": { bytes: "<x/>" },
      "vector.svg": { bytes: SVG },
      "leaky.svg": {
        bytes: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40"><rect width="40" height="40" fill="#0000ff"/><image href="file://${join(outside, "red.png")}" xlink:href="${join(outside, "red.png")}" width="40" height="40"/></svg>`,
      },
      "broken.tiff": { bytes: "II*\0 this is no tiff" },
      "photo.jpg": {},
      "parent/a/one.jpg": {},
      "parent/a/two.jpg": {},
      "parent/b/deeper/three.jpg": {},
      "parent/empty-ish/readme.txt": { bytes: "x" },
    },
    { workspace },
    async (root) => {
      await writeImage(join(root, "scan.tiff"), 3000, 2000, "tiff");
      await writeImage(join(root, "small.avif"), 300, 200, "avif");
    },
  );
});

afterAll(async () => {
  await app?.dispose();
});

const q = (p: string) => `?path=${encodeURIComponent(p)}`;

describe("display images (G20)", () => {
  test("G20: a TIFF opens in the viewer as a WebP display image, long edge 2,560 px, cached in the workspace", async () => {
    const viewer = await (await app.get(`/viewer?sel=${encodeURIComponent("/scan.tiff")}`)).text();
    const src = /class="viewer-img" src="([^"]+)"/.exec(viewer)?.[1]?.replaceAll("&amp;", "&");
    expect(src).toStartWith("/display?path=%2Fscan.tiff&v=");
    const res = await app.get(src!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(res.headers.get("cache-control")).toContain("immutable");
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([
      DISPLAY_LONG_EDGE,
      Math.round((2000 * 2560) / 3000),
    ]);
    // Revalidation costs nothing; the file is in the workspace's display cache.
    const etag = res.headers.get("etag")!;
    expect((await app.get(src!, { headers: { "If-None-Match": etag } })).status).toBe(304);
    await app.deps.display.drain();
    const shards = readdirSync(join(workspace, "display"));
    expect(shards.length).toBeGreaterThan(0);
  });

  test("G20: an original the browser decodes is shown as itself; its display image is the fallback", async () => {
    const viewer = await (await app.get(`/viewer?sel=${encodeURIComponent("/photo.jpg")}`)).text();
    expect(viewer).toMatch(/class="viewer-img" src="\/file\?path=%2Fphoto\.jpg/);
    expect(viewer).toMatch(/data-display="\/display\?path=%2Fphoto\.jpg/);
  });

  test("G20: an undecodable file gets the same 'Can't decode' tile as its grid thumbnail", async () => {
    const display = await app.get(`/display${q("/broken.tiff")}`);
    const thumb = await app.get(`/thumb${q("/broken.tiff")}`);
    expect(display.status).toBe(200);
    expect(display.headers.get("x-lenslet-thumb")).toBe("failed");
    expect(display.headers.get("content-type")).toBe("image/svg+xml");
    expect(await display.text()).toBe(await thumb.text());
  });

  test("G20: unknown or unsafe paths are answered like every media route", async () => {
    expect((await app.get(`/display${q("/nope.tiff")}`)).status).toBe(404);
    expect((await app.get("/display")).status).toBe(400);
    expect((await app.get(`/display${q("/../etc/passwd")}`)).status).toBe(400);
  });
});

describe("SVG (G20)", () => {
  test("G20: SVG files are indexed; thumbnail and display image are rasterised WebP", async () => {
    const thumb = await app.get(`/thumb${q("/vector.svg")}`);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const display = await app.get(`/display${q("/vector.svg")}`);
    const meta = await sharp(Buffer.from(await display.arrayBuffer())).metadata();
    // Drawn at the size wanted (vector), not a 120 px bitmap blown up.
    expect([meta.width, meta.height]).toEqual([DISPLAY_LONG_EDGE, Math.round((80 * 2560) / 120)]);
    const viewer = await (await app.get(`/viewer?sel=${encodeURIComponent("/vector.svg")}`)).text();
    expect(viewer).toMatch(/class="viewer-img" src="\/display\?path=%2Fvector\.svg/);
  });

  test("G20: /file never serves an SVG inline to the page's origin: a download, sandboxed", async () => {
    const res = await app.get(`/file${q("/vector.svg")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toStartWith("attachment;");
    expect(res.headers.get("content-security-policy")).toStartWith("sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    await res.body?.cancel();
    // A JPEG stays inline (the viewer shows it).
    const jpg = await app.get(`/file${q("/photo.jpg")}`);
    expect(jpg.headers.get("content-disposition")).toStartWith("inline;");
    await jpg.body?.cancel();
  });

  test("G20: an SVG's references to other files are never loaded while rasterising", async () => {
    const res = await app.get(`/display${q("/leaky.svg")}`);
    const { data } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The rectangle's blue (WebP is lossy), not the outside file's red.
    expect(data[0]).toBeLessThan(20);
    expect(data[2]).toBeGreaterThan(235);
  });
});

describe("dimensions and skipped files", () => {
  test("G20: the first page shows the dimensions of a selected TIFF and AVIF (not '—')", async () => {
    for (const [path, dims] of [
      ["/scan.tiff", "3000 × 2000"],
      ["/small.avif", "300 × 200"],
    ]) {
      const html = await (await app.get(`/?sel=${encodeURIComponent(path!)}`)).text();
      expect(html).toContain(`<dd class="dims">${dims}</dd>`);
    }
  });

  test("G2: files of formats Lenslet does not read are counted in /health, by reason, with the extension", async () => {
    const health = await (await app.get("/health")).json();
    const skipped = health.gallery.skipped;
    expect(skipped.by_reason[UNSUPPORTED]).toBe(4);
    expect(skipped.total).toBeGreaterThanOrEqual(4);
    expect(skipped.first).toContainEqual({
      path: "/notes.txt",
      reason: UNSUPPORTED,
      detail: ".txt",
    });
    expect(existsSync(join(app.root, "shoot/raw.cr2"))).toBe(true);
  });
});

describe("subfolder tiles (U30)", () => {
  test("U30: a folder without images of its own shows its subfolders as tiles: name, count, first image", async () => {
    const html = await (
      await app.get(`/?folder=${encodeURIComponent("/parent")}`, {
        headers: { "HX-Request": "true" },
      })
    ).text();
    const tiles = [...html.matchAll(/<a class="folder-tile"[^>]*data-folder="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(tiles).toEqual(["/parent/a", "/parent/b", "/parent/empty-ish"]);
    expect(html).toContain("2 images");
    // b has no image of its own: its tile shows the first image below it.
    expect(html).toContain(`/thumb?path=${encodeURIComponent("/parent/b/deeper/three.jpg")}`);
    expect(html).toContain(`/thumb?path=${encodeURIComponent("/parent/a/one.jpg")}`);
    expect(html).toMatch(/hx-get="\/\?folder=%2Fparent%2Fa"/);
    // A folder with images of its own shows its images, no tiles.
    const a = await (await app.get(`/?folder=${encodeURIComponent("/parent/a")}`)).text();
    expect(a).not.toContain("folder-tile");
  });
});
