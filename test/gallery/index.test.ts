import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GalleryIndex } from "../../src/gallery/gallery-index.ts";
import { isImageName, UNSUPPORTED } from "../../src/gallery/scan.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let outside: string;
let index: GalleryIndex;

beforeAll(async () => {
  root = tempDir();
  outside = tempDir();
  await writeTree(root, {
    "a.jpg": {},
    "img10.png": { format: "png" },
    "img2.webp": { format: "webp" },
    "cats/tom.jpg": {},
    "cats/kittens/one.jpg": {},
    "cats/kittens/two.JPG": {},
    "dogs/rex.jpeg": {},
    ".hidden/secret.jpg": {},
    ".dot.jpg": {},
    "notes.txt": { bytes: "not an image" },
    ".lenslet/cache.jpg": {},
    "café.jpg": {},
  });
  mkdirSync(join(root, "empty"));
  await writeTree(outside, { "leak.jpg": {} });
  symlinkSync(join(outside, "leak.jpg"), join(root, "leak.jpg"));
  symlinkSync(outside, join(root, "outside-dir"));
  symlinkSync(join(root, "cats"), join(root, "cats-link"));
  writeFileSync(join(root, "cats", "tom.jpg.txt"), "x");
  index = await GalleryIndex.build(root, { exclude: [join(root, ".lenslet")] });
});

afterAll(() => {
  removeDir(root);
  removeDir(outside);
});

describe("GalleryIndex", () => {
  test("G2: indexes every decodable image type, with size and mtime", () => {
    const a = index.get("/a.jpg")!;
    expect(a.name).toBe("a.jpg");
    expect(a.folder).toBe("/");
    expect(a.size).toBeGreaterThan(0);
    expect(a.mtimeMs).toBeGreaterThan(0);
    expect(index.get("/img2.webp")).toBeDefined();
    expect(index.get("/cats/kittens/two.JPG")).toBeDefined();
    expect(index.get("/dogs/rex.jpeg")).toBeDefined();
  });

  test("G2: skips hidden entries, the workspace and non-images", () => {
    expect(index.get("/.hidden/secret.jpg")).toBeUndefined();
    expect(index.get("/.dot.jpg")).toBeUndefined();
    expect(index.get("/.lenslet/cache.jpg")).toBeUndefined();
    expect(index.get("/notes.txt")).toBeUndefined();
    expect(index.get("/cats/tom.jpg.txt")).toBeUndefined();
  });

  test("G2: a file of a format Lenslet does not read is counted as skipped, with its extension (never silently)", () => {
    const unsupported = index.skipped.filter((s) => s.reason === UNSUPPORTED);
    expect(unsupported.map((s) => [s.path, s.detail])).toEqual([
      ["/cats/tom.jpg.txt", ".txt"],
      ["/notes.txt", ".txt"],
    ]);
    expect(index.skippedSummary().by_reason[UNSUPPORTED]).toBe(2);
    // Hidden entries and the workspace are not the gallery's files: never counted.
    expect(index.skipped.some((s) => s.path.includes("/."))).toBe(false);
  });

  test("G2: never indexes a symlink that leaves the root", () => {
    expect(index.get("/leak.jpg")).toBeUndefined();
    expect(index.folder("/outside-dir")).toBeUndefined();
    const links = index.skipped.filter((s) => s.reason !== UNSUPPORTED);
    expect(links.map((s) => s.path).sort()).toEqual(["/leak.jpg", "/outside-dir"]);
  });

  test("G2: a symlinked folder inside the root is not indexed twice", () => {
    const all = index.list("/", true).map((i) => i.path);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((p) => p.endsWith("/tom.jpg"))).toHaveLength(1);
  });

  test("G4: names are NFC and folders sort naturally", () => {
    expect(index.get("/café.jpg")).toBeDefined();
    expect(index.list("/", false).map((i) => i.name)).toEqual([
      "a.jpg",
      "café.jpg",
      "img2.webp",
      "img10.png",
    ]);
  });

  test("folders know their children and subtree totals; empty folders exist", () => {
    const rootF = index.folder("/")!;
    expect(rootF.folders).toEqual(["/cats", "/dogs", "/empty"]);
    expect(rootF.totalImages).toBe(index.imageCount);
    expect(index.folder("/cats")!.totalImages).toBe(3);
    expect(index.folder("/empty")!.totalImages).toBe(0);
  });

  test("G4: recursive listing is the whole subtree in folder order", () => {
    expect(index.list("/cats", true).map((i) => i.path)).toEqual([
      "/cats/tom.jpg",
      "/cats/kittens/one.jpg",
      "/cats/kittens/two.JPG",
    ]);
    expect(index.list("/nope", true)).toEqual([]);
  });

  test("isImageName", () => {
    expect(isImageName("x.TIFF")).toBe(true);
    expect(isImageName("x.avif")).toBe(true);
    expect(isImageName(".jpg")).toBe(false);
    expect(isImageName("x.jpg.txt")).toBe(false);
  });
});
