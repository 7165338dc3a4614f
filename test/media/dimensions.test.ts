import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Dimensions } from "../../src/media/dimensions.ts";
import { cleanupTemp, entryFor, filesFor, tempTree, writeImage } from "./helpers.ts";

afterEach(cleanupTemp);

const setup = (label: string) => tempTree(label, "ws");

describe("Dimensions", () => {
  test("reads width and height lazily and fills the entry", async () => {
    const { root, cache } = setup("dims-read");
    const file = join(root, "a.png");
    await writeImage(file, 321, 123, "png");
    const dims = new Dimensions({ files: filesFor(root), cacheDir: cache });
    const e = entryFor(root, file);
    expect(dims.peek(e)).toBeUndefined();
    expect(e.width).toBe(0);
    expect(await dims.get(e)).toEqual({ width: 321, height: 123 });
    expect([e.width, e.height]).toEqual([321, 123]);
    expect(dims.peek({ ...e, width: 0, height: 0 })).toEqual({ width: 321, height: 123 });
  });

  test("every decodable format: JPEG, PNG, WebP, GIF, AVIF, TIFF", async () => {
    const { root } = setup("dims-formats");
    const dims = new Dimensions({ files: filesFor(root), cacheDir: null });
    for (const format of ["jpeg", "png", "webp", "gif", "avif", "tiff"] as const) {
      const file = join(root, `x.${format}`);
      await writeImage(file, 40, 30, format);
      expect(await dims.get(entryFor(root, file))).toEqual({ width: 40, height: 30 });
    }
  });

  test("EXIF orientations 5–8 swap width and height; 1–4 do not", async () => {
    const { root } = setup("dims-exif");
    const dims = new Dimensions({ files: filesFor(root), cacheDir: null });
    for (const orientation of [1, 3, 6, 8]) {
      const file = join(root, `o${orientation}.jpg`);
      await writeImage(file, 60, 20, "jpeg", { orientation });
      const want = orientation >= 5 ? { width: 20, height: 60 } : { width: 60, height: 20 };
      expect(await dims.get(entryFor(root, file))).toEqual(want);
    }
  });

  test("an undecodable file gives null and is remembered as such", async () => {
    const { root, cache } = setup("dims-broken");
    const file = join(root, "broken.jpg");
    await writeImage(join(root, "ok.jpg"), 4, 4);
    writeFileSync(file, "junk");
    const dims = new Dimensions({ files: filesFor(root), cacheDir: cache });
    const e = entryFor(root, file);
    expect(await dims.get(e)).toBeNull();
    expect(dims.peek(e)).toBeNull();
  });

  test("cached in dims.json: a new instance answers without reading the image", async () => {
    const { root, cache } = setup("dims-cache");
    const file = join(root, "sub/b.webp");
    await writeImage(file, 50, 70, "webp");
    const e = entryFor(root, file);
    const one = new Dimensions({ files: filesFor(root), cacheDir: cache, flushDelayMs: 60_000 });
    await one.get(e);
    expect(existsSync(join(cache, "dims.json"))).toBe(false);
    await one.flush();
    const saved = JSON.parse(readFileSync(join(cache, "dims.json"), "utf8"));
    expect(saved.entries["/sub/b.webp"]).toEqual([e.size, e.mtimeMs, { width: 50, height: 70 }]);

    rmSync(file);
    const two = new Dimensions({ files: filesFor(root), cacheDir: cache });
    expect(two.peek(e)).toEqual({ width: 50, height: 70 });
    expect(await two.get(e)).toEqual({ width: 50, height: 70 });
  });

  test("a changed file (size or mtime) is read again", async () => {
    const { root, cache } = setup("dims-stale");
    const file = join(root, "c.png");
    await writeImage(file, 10, 20, "png");
    const dims = new Dimensions({ files: filesFor(root), cacheDir: cache });
    const before = entryFor(root, file);
    await dims.get(before);
    await writeImage(file, 30, 40, "png", { seed: 9 });
    utimesSync(file, new Date(), new Date(before.mtimeMs + 5000));
    const after = entryFor(root, file);
    expect(dims.peek(after)).toBeUndefined();
    expect(await dims.get(after)).toEqual({ width: 30, height: 40 });
  });

  test("writes are debounced: a burst of reads becomes one file written after the delay", async () => {
    const { root, cache } = setup("dims-debounce");
    const entries = [];
    for (let i = 0; i < 5; i++) {
      const file = join(root, `d${i}.png`);
      await writeImage(file, 10 + i, 10, "png");
      entries.push(entryFor(root, file));
    }
    const dims = new Dimensions({ files: filesFor(root), cacheDir: cache, flushDelayMs: 20 });
    await Promise.all(entries.map((e) => dims.get(e)));
    const file = join(cache, "dims.json");
    while (!existsSync(file)) await Bun.sleep(5); // polls for the debounced write, bounded by the test timeout
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).entries)).toHaveLength(5);
  });

  test("a damaged dims.json is ignored, not fatal", async () => {
    const { root, cache } = setup("dims-corrupt");
    const file = join(root, "d.png");
    await writeImage(file, 8, 9, "png");
    const dims0 = new Dimensions({ files: filesFor(root), cacheDir: cache });
    writeFileSync(join(cache, "dims.json"), "{not json");
    const warnings: string[] = [];
    const dims = new Dimensions({
      files: filesFor(root),
      cacheDir: cache,
      log: { warn: (m) => warnings.push(m) },
    });
    expect(warnings).toHaveLength(1);
    expect(await dims.get(entryFor(root, file))).toEqual({ width: 8, height: 9 });
    await dims0.flush();
  });

  test("memory only (no-write) never creates a file", async () => {
    const { root, cache } = setup("dims-memory");
    const file = join(root, "e.png");
    await writeImage(file, 8, 9, "png");
    const dims = new Dimensions({ files: filesFor(root), cacheDir: null, flushDelayMs: 0 });
    await dims.get(entryFor(root, file));
    await dims.flush();
    expect(existsSync(cache)).toBe(false);
  });

  test("a cache folder that cannot be created degrades to memory only, with a warning", async () => {
    const { root } = setup("dims-unwritable");
    const file = join(root, "f.png");
    await writeImage(file, 8, 9, "png");
    const warnings: string[] = [];
    const dims = new Dimensions({
      files: filesFor(root),
      cacheDir: join(file, "ws"),
      log: { warn: (m) => warnings.push(m) },
    });
    expect(warnings).toHaveLength(1);
    expect(await dims.get(entryFor(root, file))).toEqual({ width: 8, height: 9 });
    await dims.flush();
    expect(warnings).toHaveLength(1);
  });
});
