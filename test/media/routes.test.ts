import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { ImageEntry } from "../../src/gallery/types.ts";
import { Dimensions } from "../../src/media/dimensions.ts";
import { Thumbnailer } from "../../src/media/thumbnails.ts";
import { mediaRoutes } from "../../src/routes/media.ts";
import { entryFor, filesFor, tempDir, writeImage } from "./helpers.ts";

const SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";

/**
 * Stands in for the gallery index: it knows the regular image files under the root and,
 * like the real index, never a symlink that leaves the root. It records every lookup.
 */
class StubGallery {
  readonly asked: string[] = [];
  private readonly entries = new Map<string, ImageEntry>();
  constructor(
    readonly root: string,
    files: string[],
  ) {
    for (const f of files) {
      const e = entryFor(root, f);
      this.entries.set(e.path, e);
    }
  }
  get(path: string): ImageEntry | undefined {
    this.asked.push(path);
    return this.entries.get(path);
  }
}

const { dir, cleanup } = tempDir("media-routes");
const root = join(dir, "gallery");
let gallery: StubGallery;
let thumbs: Thumbnailer;
let app: ReturnType<typeof mediaRoutes>;
let jpegBytes: Buffer;

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(dir, "secret.jpg"), SECRET);
  writeFileSync(join(dir, "secret.txt"), SECRET);
  // A symlink inside the root that points outside it: the index never lists it.
  symlinkSync(join(dir, "secret.jpg"), join(root, "link.jpg"));
  jpegBytes = await writeImage(join(root, "a.jpg"), 640, 480);
  await writeImage(join(root, "sub/b.png"), 100, 300, "png", { alpha: true });
  await writeImage(join(root, "caf\u00e9.jpg"), 20, 20);
  await writeImage(join(root, "<img src=x onerror=alert(1)>.jpg"), 20, 20);
  writeFileSync(join(root, "broken.jpg"), "not an image at all");
  gallery = new StubGallery(root, [
    join(root, "a.jpg"),
    join(root, "sub/b.png"),
    join(root, "caf\u00e9.jpg"),
    join(root, "<img src=x onerror=alert(1)>.jpg"),
    join(root, "broken.jpg"),
  ]);
  thumbs = new Thumbnailer({
    files: filesFor(root),
    cacheDir: join(dir, "ws/thumbs"),
    size: 128,
    quality: 70,
    maxCacheBytes: 1e8,
  });
  app = mediaRoutes({
    gallery,
    thumbs,
    display: thumbs,
    files: filesFor(root),
    dims: new Dimensions({ files: filesFor(root), cacheDir: null }),
  });
});
afterAll(async () => {
  await thumbs.drain();
  cleanup();
});

const get = (url: string, headers: Record<string, string> = {}) => app.request(url, { headers });
const q = (path: string) => `?path=${encodeURIComponent(path)}`;

describe("GET /thumb", () => {
  test("WebP with ETag and long-lived Cache-Control", async () => {
    const res = await get(`/thumb${q("/a.jpg")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/webp");
    expect(res.headers.get("ETag")).toBe(`"${thumbs.etag(gallery.get("/a.jpg")!)}"`);
    expect(res.headers.get("Cache-Control")).toContain("immutable");
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 171, 128]);
  });

  test("If-None-Match → 304 without generating anything", async () => {
    const first = await get(`/thumb${q("/sub/b.png")}`);
    const etag = first.headers.get("ETag")!;
    const generated = thumbs.stats().generated;
    const again = await get(`/thumb${q("/sub/b.png")}`, { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
    expect(thumbs.stats().generated).toBe(generated);

    // A fresh Thumbnailer (a restart) answers 304 from the validator alone: nothing decoded, nothing read.
    const restarted = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 0,
    });
    const app2 = mediaRoutes({
      gallery,
      thumbs: restarted,
      display: restarted,
      files: filesFor(root),
      dims: new Dimensions({ files: filesFor(root), cacheDir: null }),
    });
    const res = await app2.request(`/thumb${q("/sub/b.png")}`, {
      headers: { "If-None-Match": etag },
    });
    expect(res.status).toBe(304);
    expect(restarted.stats()).toMatchObject({ generated: 0, hits: 0, misses: 0 });
  });

  test("an undecodable file gets a clear SVG placeholder, marked failed", async () => {
    const res = await get(`/thumb${q("/broken.jpg")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(res.headers.get("X-Lenslet-Thumb")).toBe("failed");
    const svg = await res.text();
    expect(svg).toContain("<svg");
    expect(svg).toContain("Can't decode");
    // The placeholder is itself a valid image.
    const meta = await sharp(Buffer.from(svg)).metadata();
    expect(meta.width).toBeGreaterThan(0);
  });

  test("a full queue → 503 thumbnail_busy with Retry-After", async () => {
    const busyFiles: string[] = [];
    for (let i = 0; i < 4; i++) {
      const f = join(root, `busy-${i}.jpg`);
      await writeImage(f, 800, 600, "jpeg", { seed: 50 + i });
      busyFiles.push(f);
    }
    const g = new StubGallery(root, busyFiles);
    const t = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 0,
      concurrency: 1,
      maxQueue: 0,
    });
    const busyApp = mediaRoutes({
      gallery: g,
      thumbs: t,
      display: t,
      files: filesFor(root),
      dims: new Dimensions({ files: filesFor(root), cacheDir: null }),
    });
    const responses = await Promise.all(
      busyFiles.map((_, i) => busyApp.request(`/thumb${q(`/busy-${i}.jpg`)}`)),
    );
    const busy = responses.filter((r) => r.status === 503);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(busy).toHaveLength(3);
    for (const r of busy) {
      expect(Number(r.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      expect(await r.json()).toMatchObject({ error: "thumbnail_busy" });
    }
  });
});

describe("GET /file", () => {
  test("the original bytes with the right Content-Type", async () => {
    const res = await get(`/file${q("/a.jpg")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    expect(Buffer.from(await res.arrayBuffer()).equals(jpegBytes)).toBe(true);
    const png = await get(`/file${q("/sub/b.png")}`);
    expect(png.headers.get("Content-Type")).toBe("image/png");
  });

  test("Range → 206, unsatisfiable → 416", async () => {
    const res = await get(`/file${q("/a.jpg")}`, { Range: "bytes=0-99" });
    expect(res.status).toBe(206);
    expect(res.headers.get("Content-Range")).toBe(`bytes 0-99/${jpegBytes.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(jpegBytes.subarray(0, 100))).toBe(true);
    const bad = await get(`/file${q("/a.jpg")}`, { Range: `bytes=${jpegBytes.length + 10}-` });
    expect(bad.status).toBe(416);
  });

  test("HEAD answers headers only", async () => {
    const res = await app.request(`/file${q("/a.jpg")}`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Length")).toBe(String(jpegBytes.length));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  test("v= matching the current version makes the answer immutable", async () => {
    const v = thumbs.etag(gallery.get("/a.jpg")!);
    const res = await get(`/file${q("/a.jpg")}&v=${v}`);
    expect(res.headers.get("Cache-Control")).toContain("immutable");
    const stale = await get(`/file${q("/a.jpg")}&v=old`);
    expect(stale.headers.get("Cache-Control")).not.toContain("immutable");
  });

  test("non-ASCII names in any Unicode form find the NFC entry", async () => {
    const nfd = "/cafe\u0301.jpg";
    const res = await get(`/file${q(nfd)}`);
    expect(res.status).toBe(200);
    expect(gallery.asked.at(-1)).toBe("/caf\u00e9.jpg");
  });

  test("through a real server: HEAD and ranges of the real socket", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const head = await fetch(`${base}/file${q("/a.jpg")}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("Content-Length")).toBe(String(jpegBytes.length));
      const part = await fetch(`${base}/file${q("/a.jpg")}`, { headers: { Range: "bytes=5-9" } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(jpegBytes.subarray(5, 10))).toBe(true);
    } finally {
      server.stop(true);
    }
  });
});

describe("GET /dims", () => {
  test("JSON width/height; 422 for an undecodable file", async () => {
    const res = await get(`/dims${q("/sub/b.png")}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ width: 100, height: 300 });
    const bad = await get(`/dims${q("/broken.jpg")}`);
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toBe("undecodable");
  });
});

describe("bad input never reaches outside the root", () => {
  const attacks: [string, string][] = [
    ["dot-dot", "../secret.jpg"],
    ["dot-dot after a folder", "/sub/../../secret.jpg"],
    ["percent-encoded dot-dot", "%2e%2e/secret.jpg"],
    ["double-encoded dot-dot", "%252e%252e%252fsecret.jpg"],
    ["backslashes", "..\\secret.jpg"],
    ["encoded backslashes", "..%5csecret.jpg"],
    ["absolute path", "/etc/passwd"],
    ["absolute path to the secret", join(dir, "secret.jpg")],
    ["NUL byte", "a.jpg%00.png"],
    ["symlink pointing outside", "/link.jpg"],
    ["file URL", "file:///etc/passwd"],
  ];
  for (const route of ["/thumb", "/file", "/dims"]) {
    for (const [name, raw] of attacks) {
      test(`${route}: ${name} → 400 or 404, no byte from outside`, async () => {
        // `raw` goes into the URL as an attacker would type it (already encoded where it says so).
        const res = await get(`${route}?path=${raw}`);
        expect([400, 404]).toContain(res.status);
        expect(res.headers.get("Content-Type")).toContain("application/json");
        const body = await res.text();
        expect(body).not.toContain(SECRET);
        expect(["invalid_path", "not_found"]).toContain(JSON.parse(body).error);
      });
    }
  }

  test("every lookup the routes make is a canonical path", async () => {
    for (const [, raw] of attacks) await get(`/file?path=${raw}`);
    for (const p of gallery.asked) {
      expect(p.startsWith("/")).toBe(true);
      expect(p.split("/").slice(1)).not.toContain("..");
      expect(p).not.toContain("\\");
      expect(p).not.toContain("\0");
    }
  });

  test("the routes read only what gallery.get returns", async () => {
    // An index entry whose file lives elsewhere is served from exactly that file, nothing else.
    const other = join(dir, "elsewhere.png");
    const bytes = await writeImage(other, 10, 10, "png");
    const odd = new StubGallery(dir, [other]);
    const oddApp = mediaRoutes({
      gallery: odd,
      thumbs,
      display: thumbs,
      files: filesFor(dir),
      dims: new Dimensions({ files: filesFor(dir), cacheDir: null }),
    });
    const res = await oddApp.request(`/file${q("/elsewhere.png")}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await oddApp.request(`/file${q("/secret.jpg")}`)).status).toBe(404);
    expect(readdirSync(root)).not.toContain(".lenslet");
  });

  test("missing or malformed query → 400 JSON naming the field", async () => {
    for (const url of ["/thumb", "/file?path=", "/dims?nope=1", `/file?path=${"x".repeat(5000)}`]) {
      const res = await get(url);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toBe("validation_error");
      expect(JSON.stringify(body)).toContain("path");
    }
  });

  test("a file name with HTML in it is served by name, never echoed unescaped", async () => {
    const name = "/<img src=x onerror=alert(1)>.jpg";
    expect((await get(`/thumb${q(name)}`)).status).toBe(200);
    const file = await get(`/file${q(name)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Disposition")).not.toContain("<");
    const missing = await get(`/file${q("/<script>alert(1)</script>.jpg")}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Content-Type")).toContain("application/json");
  });
});
