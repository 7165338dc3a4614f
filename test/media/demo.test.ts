import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import sharp from "sharp";
import {
  buildSyntheticTree,
  DEMO_VERSION,
  demoPlan,
  ensureDemoGallery,
  renderDemoFile,
} from "../../src/gallery/demo.ts";
import { tempDir } from "./helpers.ts";

const { dir: base, cleanup } = tempDir("demo");
const demo = join(base, "cache", "demo-gallery");
let files: string[] = [];
const progress: [number, number][] = [];

/** Every non-hidden file below `dir`, as sorted relative paths with `/`. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join("/"))
    .filter((p) => !p.split("/").some((s) => s.startsWith(".")))
    .sort();
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  await ensureDemoGallery(demo, { onProgress: (d, t) => progress.push([d, t]) });
  files = listFiles(demo);
}, 120_000);
afterAll(cleanup);

describe("demo gallery", () => {
  test("at least 300 images in at least 3 levels of nested folders", () => {
    expect(files.length).toBeGreaterThanOrEqual(300);
    const depth = Math.max(...files.map((f) => f.split("/").length - 1));
    expect(depth).toBeGreaterThanOrEqual(3);
    const folders = new Set(files.map((f) => f.split("/").slice(0, -1).join("/")));
    expect(folders.size).toBeGreaterThanOrEqual(10);
  });

  test("progress is reported up to the total", () => {
    expect(progress.at(-1)).toEqual([files.length, files.length]);
  });

  test("every format: JPEG, PNG, WebP, GIF, AVIF, TIFF — and one file that fails to decode", async () => {
    const formats = new Map<string, number>();
    const undecodable: string[] = [];
    for (const f of files) {
      try {
        const m = await sharp(join(demo, f)).metadata();
        const key = m.format === "heif" ? "avif" : m.format;
        formats.set(key, (formats.get(key) ?? 0) + 1);
      } catch {
        undecodable.push(f);
      }
    }
    for (const fmt of ["jpeg", "png", "webp", "gif", "avif", "tiff"])
      expect(formats.get(fmt) ?? 0).toBeGreaterThan(0);
    expect(formats.get("jpeg")!).toBeGreaterThan(200);
    expect(undecodable).toEqual(["special/broken.jpg"]);
    await expect(sharp(join(demo, "special/broken.jpg")).toBuffer()).rejects.toThrow();
  });

  test("one JPEG of at least 6000×4000", async () => {
    const m = await sharp(join(demo, "special/big-6000x4000.jpg")).metadata();
    expect(m.format).toBe("jpeg");
    expect(m.width! * m.height!).toBeGreaterThanOrEqual(6000 * 4000);
    expect(Math.min(m.width!, m.height!)).toBeGreaterThanOrEqual(4000);
  });

  test("a PNG with real transparency", async () => {
    const { data, info } = await sharp(join(demo, "special/transparent-star.png"))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    let clear = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] === 0) clear++;
    expect(clear).toBeGreaterThan(info.width * info.height * 0.2);
  });

  test("varied sizes and aspect ratios: portrait, landscape, square, panorama", async () => {
    const plan = demoPlan().filter((s) => s.width > 0);
    const aspects = plan.map((s) => s.width / s.height);
    expect(aspects.some((a) => a < 0.8)).toBe(true);
    expect(aspects.some((a) => a > 1.2 && a < 2)).toBe(true);
    expect(aspects.some((a) => a === 1)).toBe(true);
    expect(aspects.some((a) => a >= 2.5)).toBe(true);
    expect(new Set(plan.map((s) => s.width)).size).toBeGreaterThan(10);
    // What the plan says is what the files are (EXIF orientation applied).
    for (const s of plan.filter((_, i) => i % 25 === 0)) {
      const m = await sharp(join(demo, s.path)).metadata();
      expect(m.autoOrient).toEqual({ width: s.width, height: s.height });
    }
  });

  test("edge cases: EXIF-rotated photo, HTML in a name, a non-ASCII NFC name", async () => {
    const rotated = await sharp(join(demo, "special/exif-rotated.jpg")).metadata();
    expect(rotated.orientation).toBe(6);
    expect([rotated.width, rotated.height]).toEqual([900, 600]);
    expect(files).toContain("special/<img src=x onerror=alert(1)>.jpg");
    const cafe = files.find((f) => f.startsWith("special/caf"))!;
    expect(cafe).toBe("special/caf\u00e9.jpg");
    expect(cafe.normalize("NFC")).toBe(cafe);
  });

  test("modest size, dated files, and no stray temp folders", () => {
    const total = files.reduce((s, f) => s + statSync(join(demo, f)).size, 0);
    expect(total).toBeLessThan(60 * 1024 * 1024);
    const mtimes = new Set(
      files.map((f) => Math.floor(statSync(join(demo, f)).mtimeMs / 86_400_000)),
    );
    expect(mtimes.size).toBeGreaterThan(100);
    expect(readdirSync(join(base, "cache"))).toEqual(["demo-gallery"]);
  });

  test("deterministic: the same file list, bytes and dates on every run", async () => {
    const plan = demoPlan();
    expect(demoPlan()).toEqual(plan);
    expect(plan.map((s) => s.path).sort()).toEqual(files);
    const sample = plan.filter((s, i) => i % 12 === 0 || s.path.startsWith("special/"));
    expect(sample.length).toBeGreaterThan(40);
    for (const spec of sample) {
      const again = await renderDemoFile(spec);
      expect(`${spec.path} ${sha(again)}`).toBe(
        `${spec.path} ${sha(readFileSync(join(demo, spec.path)))}`,
      );
      expect(Math.round(statSync(join(demo, spec.path)).mtimeMs)).toBe(Math.round(spec.mtimeMs));
    }
  });

  test("an existing gallery of this version is reused, not regenerated", async () => {
    const marker = join(demo, ".lenslet-demo.json");
    const before = statSync(marker).mtimeMs;
    let calls = 0;
    expect(await ensureDemoGallery(demo, { onProgress: () => calls++ })).toBe(demo);
    expect(calls).toBe(0);
    expect(statSync(marker).mtimeMs).toBe(before);
    expect(JSON.parse(readFileSync(marker, "utf8")).version).toBe(DEMO_VERSION);
  });

  test("a generation that dies midway leaves neither a half gallery nor temp folders", async () => {
    const target = join(base, "crash", "demo-gallery");
    let n = 0;
    const run = ensureDemoGallery(target, {
      onProgress: (done) => {
        n = done;
        if (done === 5) throw new Error("simulated crash");
      },
    });
    await expect(run).rejects.toThrow("simulated crash");
    // Jobs already in flight may finish; nothing new starts.
    expect(n).toBeLessThan(10);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(join(base, "crash"))).toEqual([]);
  });
});

describe("synthetic benchmark tree", () => {
  test("count files in nested folders, all decodable, reused when it already exists", async () => {
    const dir = join(base, "synthetic");
    const tree = await buildSyntheticTree(dir, 1050, { perFolder: 100, foldersPerParent: 5 });
    expect(tree).toMatchObject({ files: 1050, folders: 11 + 3 });
    const list = listFiles(dir);
    expect(list).toHaveLength(1050);
    expect(list[0]).toBe("d000/s00/img000000.jpg");
    expect(list.at(-1)).toBe("d002/s00/img001049.jpg");
    expect(tree.bytes).toBe(list.reduce((s, f) => s + statSync(join(dir, f)).size, 0));
    for (const f of [list[0]!, list[500]!, list.at(-1)!]) {
      const m = await sharp(join(dir, f)).metadata();
      expect(m.format).toBe("jpeg");
      expect(m.width).toBeLessThanOrEqual(24);
    }
    const again = await buildSyntheticTree(dir, 1050, { perFolder: 100, foldersPerParent: 5 });
    expect(again.ms).toBe(0);
    expect(again.bytes).toBe(tree.bytes);
  });

  test("a stale temp folder of a dead process is removed; a changed generator rebuilds", async () => {
    const parent = join(base, "stale");
    const dir = join(parent, "tree");
    // PIDs are below 2^22 on Linux, so this one cannot be alive.
    const stale = join(parent, "tree.tmp-4194305-abcdef");
    mkdirSync(join(stale, "d000"), { recursive: true });
    await buildSyntheticTree(dir, 20, { perFolder: 10 });
    expect(readdirSync(parent)).toEqual(["tree"]);

    const marker = join(dir, ".lenslet-synthetic.json");
    writeFileSync(
      marker,
      JSON.stringify({ ...JSON.parse(readFileSync(marker, "utf8")), version: -1 }),
    );
    const rebuilt = await buildSyntheticTree(dir, 20, { perFolder: 10 });
    expect(rebuilt.ms).toBeGreaterThan(0);
    expect(listFiles(dir)).toHaveLength(20);
    expect(readdirSync(parent)).toEqual(["tree"]);
  });
});
