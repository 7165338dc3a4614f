import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { ImageEntry } from "../../src/gallery/types.ts";
import { Thumbnailer } from "../../src/media/thumbnails.ts";
import { cleanupTemp, entryFor, filesFor, tempTree, writeImage } from "./helpers.ts";

afterEach(cleanupTemp);

const setup = (label: string) => tempTree(label, "cache");

async function images(root: string, n: number, w = 400, h = 300): Promise<ImageEntry[]> {
  const out: ImageEntry[] = [];
  for (let i = 0; i < n; i++) {
    const file = join(root, `img-${i}.jpg`);
    await writeImage(file, w, h, "jpeg", { seed: i + 1 });
    out.push(entryFor(root, file));
  }
  return out;
}

/** Every cached thumbnail file on disk with its size. */
function cacheFiles(cache: string): { name: string; bytes: number }[] {
  if (!existsSync(cache)) return [];
  return readdirSync(cache, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => ({ name: d.name, bytes: statSync(join(d.parentPath, d.name)).size }));
}

describe("Thumbnailer", () => {
  test("WebP at short edge = size, aspect kept, never upscaled", async () => {
    const { root, cache } = setup("thumb-size");
    const [big] = await images(root, 1, 1200, 800);
    const smallFile = join(root, "small.png");
    await writeImage(smallFile, 100, 50, "png");
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 256,
      quality: 70,
      maxCacheBytes: 1e9,
    });

    const r = await thumbs.get(big!);
    if (r.kind !== "ok") throw new Error(`expected ok, got ${r.kind}`);
    const meta = await sharp(r.bytes).metadata();
    expect(meta.format).toBe("webp");
    expect([meta.width, meta.height]).toEqual([384, 256]);

    const small = await thumbs.get(entryFor(root, smallFile));
    if (small.kind !== "ok") throw new Error("expected ok");
    const sm = await sharp(small.bytes).metadata();
    expect([sm.width, sm.height]).toEqual([100, 50]);
    await thumbs.drain();
  });

  test("EXIF orientation is applied: a sideways-stored photo gets an upright thumbnail", async () => {
    const { root } = setup("thumb-exif");
    const file = join(root, "phone.jpg");
    await writeImage(file, 600, 400, "jpeg", { orientation: 6 });
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 100,
      quality: 70,
      maxCacheBytes: 0,
    });
    const r = await thumbs.get(entryFor(root, file));
    if (r.kind !== "ok") throw new Error("expected ok");
    const meta = await sharp(r.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([100, 150]);
  });

  test("extreme panoramas are capped so WebP can hold them", async () => {
    const { root } = setup("thumb-wide");
    const file = join(root, "wide.png");
    await writeImage(file, 8000, 100, "png");
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 256,
      quality: 70,
      maxCacheBytes: 0,
    });
    const r = await thumbs.get(entryFor(root, file));
    if (r.kind !== "ok") throw new Error("expected ok");
    const meta = await sharp(r.bytes).metadata();
    expect(meta.width).toBeLessThanOrEqual(256 * 8);
    expect(meta.width! / meta.height!).toBeCloseTo(80, -1);
  });

  test("etag is derived from path, size, mtime and settings without decoding", async () => {
    const { root } = setup("thumb-etag");
    const [e] = await images(root, 1);
    const a = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 256,
      quality: 70,
      maxCacheBytes: 0,
    });
    const b = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 256,
      quality: 70,
      maxCacheBytes: 0,
    });
    const c = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 256,
      quality: 80,
      maxCacheBytes: 0,
    });
    expect(a.etag(e!)).toBe(b.etag(e!));
    expect(a.etag(e!)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(c.etag(e!)).not.toBe(a.etag(e!));
    expect(a.etag({ ...e!, mtimeMs: e!.mtimeMs + 1 })).not.toBe(a.etag(e!));
    expect(a.etag({ ...e!, size: e!.size + 1 })).not.toBe(a.etag(e!));
    expect(a.etag({ ...e!, path: "/other.jpg" })).not.toBe(a.etag(e!));
    expect(a.stats().generated).toBe(0);
  });

  test("a second request is served from cache without generating again", async () => {
    const { root, cache } = setup("thumb-hit");
    const [e] = await images(root, 1);
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 128,
      quality: 70,
      maxCacheBytes: 1e9,
    });
    const first = await thumbs.get(e!);
    const second = await thumbs.get(e!);
    expect(first.kind).toBe("ok");
    expect(second).toEqual(first);
    expect(thumbs.stats().generated).toBe(1);
    await thumbs.drain();
  });

  test("the disk cache survives a new Thumbnailer on the same folder", async () => {
    const { root, cache } = setup("thumb-persist");
    const entries = await images(root, 3);
    const one = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 128,
      quality: 70,
      maxCacheBytes: 1e9,
    });
    const before = await Promise.all(entries.map((e) => one.get(e)));
    await one.drain();
    expect(cacheFiles(cache)).toHaveLength(3);

    const two = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 128,
      quality: 70,
      maxCacheBytes: 1e9,
    });
    const after = await Promise.all(entries.map((e) => two.get(e)));
    expect(after).toEqual(before);
    expect(two.stats()).toMatchObject({ generated: 0, hits: 3 });
    await two.ready();
    expect(two.stats().cacheFiles).toBe(3);
  });

  test("eviction keeps the disk cache within its bound, oldest first", async () => {
    const { root, cache } = setup("thumb-evict");
    const entries = await images(root, 8);
    const probe = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 0,
    });
    const sizes = await Promise.all(
      entries.map(async (e) => {
        const r = await probe.get(e);
        return r.kind === "ok" ? r.bytes.byteLength : 0;
      }),
    );
    // Room for about three thumbnails.
    const max = Math.max(...sizes) * 3;
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 128,
      quality: 70,
      maxCacheBytes: max,
    });
    await thumbs.ready();
    for (const e of entries) {
      await thumbs.get(e);
      await thumbs.drain();
      const onDisk = cacheFiles(cache);
      expect(onDisk.reduce((s, f) => s + f.bytes, 0)).toBeLessThanOrEqual(max);
    }
    const names = new Set(cacheFiles(cache).map((f) => f.name.replace(".webp", "")));
    expect(names.has(thumbs.etag(entries[0]!))).toBe(false);
    expect(names.has(thumbs.etag(entries[7]!))).toBe(true);
    expect(thumbs.stats().cacheBytes).toBeLessThanOrEqual(max);

    // A smaller bound at startup evicts what the scan found, oldest first.
    const smaller = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 128,
      quality: 70,
      maxCacheBytes: sizes[7]!,
    });
    await smaller.ready();
    const left = cacheFiles(cache);
    expect(left.reduce((s, f) => s + f.bytes, 0)).toBeLessThanOrEqual(sizes[7]!);
  });

  test("at most `concurrency` jobs are in flight", async () => {
    const { root } = setup("thumb-conc");
    const entries = await images(root, 12, 800, 600);
    let inFlight = 0;
    let peak = 0;
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 0,
      concurrency: 2,
      onJob: (ev) => {
        inFlight += ev === "start" ? 1 : -1;
        peak = Math.max(peak, inFlight);
      },
    });
    const results = await Promise.all(entries.map((e) => thumbs.get(e)));
    expect(results.every((r) => r.kind === "ok")).toBe(true);
    expect(peak).toBe(2);
    expect(inFlight).toBe(0);
    expect(thumbs.stats().generated).toBe(12);
  });

  test("concurrent requests for one item share one job", async () => {
    const { root } = setup("thumb-dedupe");
    const [e] = await images(root, 1, 800, 600);
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 0,
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => thumbs.get(e!)));
    expect(new Set(results.map((r) => (r.kind === "ok" ? r.etag : r.kind))).size).toBe(1);
    expect(thumbs.stats().generated).toBe(1);
  });

  test("a full queue answers busy with a retry delay instead of piling up", async () => {
    const { root } = setup("thumb-busy");
    const entries = await images(root, 6, 800, 600);
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 0,
      concurrency: 1,
      maxQueue: 2,
    });
    const results = await Promise.all(entries.map((e) => thumbs.get(e)));
    const kinds = results.map((r) => r.kind);
    expect(kinds.filter((k) => k === "ok")).toHaveLength(3);
    expect(kinds.filter((k) => k === "busy")).toHaveLength(3);
    for (const r of results)
      if (r.kind === "busy") expect(r.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(thumbs.stats().busy).toBe(3);
    // Once the queue drained, the same items are accepted.
    const again = await thumbs.get(entries[5]!);
    expect(again.kind).toBe("ok");
  });

  test("an undecodable file gives `failed`, never throws, and is not decoded again", async () => {
    const { root, cache } = setup("thumb-broken");
    const file = join(root, "broken.jpg");
    await writeImage(join(root, "ok.jpg"), 10, 10);
    writeFileSync(file, "definitely not a jpeg");
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: cache,
      size: 128,
      quality: 70,
      maxCacheBytes: 1e9,
    });
    const e = entryFor(root, file);
    const r = await thumbs.get(e);
    expect(r.kind).toBe("failed");
    if (r.kind === "failed") expect(r.reason.length).toBeGreaterThan(0);
    expect((await thumbs.get(e)).kind).toBe("failed");
    expect(thumbs.stats().failed).toBe(1);

    const gone = {
      ...entryFor(root, join(root, "ok.jpg")),
      path: "/gone.jpg",
      fsPath: join(root, "gone.jpg"),
    };
    expect((await thumbs.get(gone)).kind).toBe("failed");
    await thumbs.drain();
    expect(cacheFiles(cache)).toHaveLength(0);
  });

  test("without a cache folder nothing is written to disk", async () => {
    const { root, cache } = setup("thumb-nowrite");
    const [e] = await images(root, 1);
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: null,
      size: 128,
      quality: 70,
      maxCacheBytes: 1e9,
    });
    expect((await thumbs.get(e!)).kind).toBe("ok");
    await thumbs.drain();
    expect(existsSync(cache)).toBe(false);
    expect(readdirSync(root)).toEqual(["img-0.jpg"]);
  });

  test("a cache folder that cannot be created degrades to memory only, with a warning", async () => {
    const { root } = setup("thumb-unwritable");
    const [e] = await images(root, 1);
    const warnings: string[] = [];
    // A folder below a regular file can never be created, whoever runs the test.
    const thumbs = new Thumbnailer({
      files: filesFor(root),
      cacheDir: join(root, "img-0.jpg", "thumbs"),
      size: 64,
      quality: 70,
      maxCacheBytes: 1e9,
      log: { warn: (m) => warnings.push(m) },
    });
    expect((await thumbs.get(e!)).kind).toBe("ok");
    await thumbs.drain();
    expect(warnings).toHaveLength(1);
    expect(thumbs.stats().cacheFiles).toBe(0);
  });
});
