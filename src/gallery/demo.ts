/**
 * The built-in demo gallery and the synthetic benchmark tree.
 *
 * Both are generated deterministically (seeded, no network) into a temporary
 * sibling folder and renamed into place at the end, so a crash never leaves
 * half a gallery behind; a marker file with the generator version makes a
 * changed generator regenerate.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import sharp from "sharp";
import { rng, type SceneKind, sceneSvg } from "./demo-scenes.ts";

export const DEMO_VERSION = 1;
const DEMO_MARKER = ".lenslet-demo.json";
const SYNTHETIC_VERSION = 1;
const SYNTHETIC_MARKER = ".lenslet-synthetic.json";

export type DemoFormat = "jpeg" | "png" | "webp" | "gif" | "avif" | "tiff" | "broken" | "truncated";

/** One file of the demo gallery. */
export interface DemoSpec {
  /** Relative path with forward slashes. */
  path: string;
  format: DemoFormat;
  kind: SceneKind;
  width: number;
  height: number;
  seed: number;
  /** EXIF orientation written into the file (JPEG only). */
  orientation?: number;
  /** Modification time, spread over two years so date sorting shows something. */
  mtimeMs: number;
}

export interface DemoOptions {
  onProgress?: (done: number, total: number) => void;
  /** Images rendered at once; defaults to the number of cores. */
  concurrency?: number;
}

interface Category {
  folder: string;
  stem: string;
  kind: SceneKind;
  count: number;
  aspects: readonly number[];
}

const LANDSCAPE = [3 / 2, 4 / 3, 16 / 9, 5 / 4] as const;
const PORTRAIT = [2 / 3, 3 / 4, 4 / 5, 9 / 16] as const;
const MIXED = [1, 3 / 2, 2 / 3, 4 / 3, 3 / 4, 16 / 9] as const;
const PANORAMA = [3, 4, 5 / 2] as const;
const LONG_EDGES = [480, 640, 800, 960, 1024, 1200, 1400] as const;

const CATEGORIES: readonly Category[] = [
  {
    folder: "landscapes/mountains",
    stem: "mountain",
    kind: "mountains",
    count: 36,
    aspects: LANDSCAPE,
  },
  { folder: "landscapes/sea", stem: "sea", kind: "sea", count: 28, aspects: LANDSCAPE },
  { folder: "landscapes/desert", stem: "dunes", kind: "desert", count: 18, aspects: LANDSCAPE },
  { folder: "animals/birds", stem: "bird", kind: "birds", count: 28, aspects: MIXED },
  { folder: "animals/cats", stem: "cat", kind: "cats", count: 26, aspects: [1, 4 / 5, 5 / 4] },
  { folder: "animals/fish", stem: "fish", kind: "fish", count: 18, aspects: MIXED },
  { folder: "abstract/gradients", stem: "gradient", kind: "gradient", count: 22, aspects: MIXED },
  { folder: "abstract/stripes", stem: "stripes", kind: "stripes", count: 18, aspects: MIXED },
  { folder: "abstract/shapes", stem: "shapes", kind: "shapes", count: 24, aspects: MIXED },
  { folder: "portraits", stem: "portrait", kind: "portrait", count: 26, aspects: PORTRAIT },
  {
    folder: "city/night",
    stem: "skyline",
    kind: "city",
    count: 18,
    aspects: [...LANDSCAPE, 2 / 3],
  },
  { folder: "travel/2024/kyoto", stem: "kyoto", kind: "mountains", count: 12, aspects: MIXED },
  { folder: "travel/2024/lisbon", stem: "lisbon", kind: "sea", count: 12, aspects: MIXED },
  { folder: "travel/2025/iceland", stem: "iceland", kind: "desert", count: 10, aspects: MIXED },
  { folder: "travel/2025/iceland/birds", stem: "puffin", kind: "birds", count: 8, aspects: MIXED },
  { folder: "panoramas", stem: "panorama", kind: "mountains", count: 10, aspects: PANORAMA },
];

const BASE_TIME = Date.UTC(2023, 0, 1);
const DAY = 86_400_000;

/** The full, deterministic list of demo files. */
export function demoPlan(): DemoSpec[] {
  const r = rng(20_260_101);
  const out: DemoSpec[] = [];
  let n = 0;
  const mtime = () => BASE_TIME + Math.floor(r() * 730 * DAY);
  for (const cat of CATEGORIES) {
    for (let i = 1; i <= cat.count; i++) {
      n++;
      const aspect = cat.aspects[Math.floor(r() * cat.aspects.length)]!;
      const long = LONG_EDGES[Math.floor(r() * LONG_EDGES.length)]!;
      let [width, height] =
        aspect >= 1 ? [long, Math.round(long / aspect)] : [Math.round(long * aspect), long];
      if (cat.folder === "panoramas") [width, height] = [Math.round(400 * aspect), 400];
      // Mostly JPEG like real folders, with PNG and WebP mixed in.
      const format: DemoFormat = n % 9 === 0 ? "png" : n % 7 === 0 ? "webp" : "jpeg";
      if (format === "png") [width, height] = [Math.round(width * 0.6), Math.round(height * 0.6)];
      const ext = format === "jpeg" ? "jpg" : format;
      out.push({
        path: `${cat.folder}/${cat.stem}-${String(i).padStart(3, "0")}.${ext}`,
        format,
        kind: cat.kind,
        width,
        height,
        seed: n * 7919,
        mtimeMs: mtime(),
      });
    }
  }
  const special = (s: Omit<DemoSpec, "mtimeMs" | "seed"> & { seed?: number }) =>
    out.push({ seed: 1000 + out.length, ...s, mtimeMs: mtime() });
  special({
    path: "special/big-6000x4000.jpg",
    format: "jpeg",
    kind: "mountains",
    width: 6000,
    height: 4000,
  });
  special({
    path: "special/transparent-star.png",
    format: "png",
    kind: "sticker",
    width: 512,
    height: 512,
  });
  special({
    path: "special/transparent-badge.png",
    format: "png",
    kind: "sticker",
    width: 300,
    height: 420,
  });
  special({
    path: "special/alpha-sticker.webp",
    format: "webp",
    kind: "sticker",
    width: 480,
    height: 480,
  });
  special({ path: "special/animated.gif", format: "gif", kind: "shapes", width: 320, height: 240 });
  special({ path: "special/photo.avif", format: "avif", kind: "sea", width: 480, height: 320 });
  special({ path: "special/scan.tiff", format: "tiff", kind: "stripes", width: 600, height: 800 });
  special({ path: "special/broken.jpg", format: "broken", kind: "shapes", width: 0, height: 0 });
  special({
    path: "special/truncated.jpg",
    format: "truncated",
    kind: "city",
    width: 800,
    height: 600,
  });
  special({
    path: "special/exif-rotated.jpg",
    format: "jpeg",
    kind: "portrait",
    width: 600,
    height: 900,
    orientation: 6,
  });
  special({
    path: "special/<img src=x onerror=alert(1)>.jpg",
    format: "jpeg",
    kind: "cats",
    width: 640,
    height: 480,
  });
  special({
    path: "special/caf\u00e9.jpg",
    format: "jpeg",
    kind: "portrait",
    width: 600,
    height: 800,
  });
  special({
    path: "special/tiny-16x16.png",
    format: "png",
    kind: "gradient",
    width: 16,
    height: 16,
  });
  special({
    path: "special/ultra-wide.jpg",
    format: "jpeg",
    kind: "sea",
    width: 3200,
    height: 200,
  });
  special({ path: "special/IMG 2.jpg", format: "jpeg", kind: "fish", width: 640, height: 480 });
  special({ path: "special/IMG 10.jpg", format: "jpeg", kind: "fish", width: 640, height: 480 });
  special({ path: "cover.jpg", format: "jpeg", kind: "gradient", width: 1200, height: 800 });
  return out;
}

function captionFor(spec: DemoSpec): string {
  return `${basename(spec.path)} · ${spec.width}×${spec.height}`;
}

/** Encodes one demo file. */
export async function renderDemoFile(spec: DemoSpec): Promise<Uint8Array> {
  if (spec.format === "broken") {
    // Junk with an image extension: the decoder must fail and the app must cope.
    const r = rng(spec.seed);
    const junk = Uint8Array.from({ length: 4096 }, () => Math.floor(r() * 256));
    return new Uint8Array([...new TextEncoder().encode("this is not an image\n"), ...junk]);
  }
  const caption = spec.kind === "sticker" || spec.width < 64 ? null : captionFor(spec);
  const svg = Buffer.from(sceneSvg(spec.kind, spec.seed, spec.width, spec.height, caption));
  let img = sharp(svg);
  let out: Buffer;
  switch (spec.format) {
    case "jpeg":
    case "truncated":
      // Stored sideways with an EXIF tag that turns it upright, like a phone photo.
      if (spec.orientation === 6)
        img = sharp(await img.rotate(270).png().toBuffer()).withMetadata({ orientation: 6 });
      out = await img.jpeg({ quality: spec.width * spec.height > 4e6 ? 88 : 82 }).toBuffer();
      // Cut off the second half: still a JPEG header, missing most of the data.
      if (spec.format === "truncated") out = out.subarray(0, Math.floor(out.length / 2));
      break;
    case "png":
      out = await img.png({ compressionLevel: 9 }).toBuffer();
      break;
    case "webp":
      out = await img.webp({ quality: 80 }).toBuffer();
      break;
    case "tiff":
      out = await img.tiff({ compression: "lzw" }).toBuffer();
      break;
    case "avif":
      out = await img.avif({ quality: 55, effort: 2 }).toBuffer();
      break;
    case "gif": {
      const frames = await Promise.all(
        [0, 1, 2, 3].map((k) =>
          sharp(
            Buffer.from(
              sceneSvg(spec.kind, spec.seed + k, spec.width, spec.height, captionFor(spec)),
            ),
          )
            .png()
            .toBuffer(),
        ),
      );
      out = await sharp(frames, { join: { animated: true } })
        .gif({ delay: 600, loop: 0 })
        .toBuffer();
      break;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Returns `dir` holding the demo gallery, generating it first if it is missing or
 * was made by another generator version.
 */
export async function ensureDemoGallery(dir: string, opts: DemoOptions = {}): Promise<string> {
  const target = resolve(dir);
  if (markerMatches(target, DEMO_MARKER, { version: DEMO_VERSION })) return target;
  const plan = demoPlan();
  return buildAtomically(
    target,
    DEMO_MARKER,
    { version: DEMO_VERSION, files: plan.length },
    async (tmp) => {
      let done = 0;
      opts.onProgress?.(0, plan.length);
      await runPool(plan, opts.concurrency ?? Math.max(2, availableParallelism()), async (spec) => {
        const file = join(tmp, spec.path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, await renderDemoFile(spec));
        utimesSync(file, spec.mtimeMs / 1000, spec.mtimeMs / 1000);
        opts.onProgress?.(++done, plan.length);
      });
      return {};
    },
  );
}

export interface SyntheticOptions {
  /** Images per leaf folder (default 100). */
  perFolder?: number;
  /** Leaf folders per top-level folder (default 10). */
  foldersPerParent?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticTree {
  dir: string;
  files: number;
  folders: number;
  bytes: number;
  /** 0 when an existing tree was reused. */
  ms: number;
}

/**
 * A large tree of tiny images for benchmarks: `count` JPEGs of a few hundred bytes in
 * nested folders (`d000/s00/img000000.jpg`), made by copying a handful of pre-encoded
 * buffers. Reuses an existing tree made with the same parameters.
 */
export async function buildSyntheticTree(
  dir: string,
  count: number,
  opts: SyntheticOptions = {},
): Promise<SyntheticTree> {
  const target = resolve(dir);
  const perFolder = opts.perFolder ?? 100;
  const perParent = opts.foldersPerParent ?? 10;
  const leaves = Math.ceil(count / perFolder);
  const folders = leaves + Math.ceil(leaves / perParent);
  const params = { version: SYNTHETIC_VERSION, count, perFolder, perParent };
  if (markerMatches(target, SYNTHETIC_MARKER, params)) {
    return { dir: target, files: count, folders, bytes: readMarkerBytes(target), ms: 0 };
  }
  const t0 = performance.now();
  const buffers = await tinyJpegs(16);
  let bytes = 0;
  await buildAtomically(target, SYNTHETIC_MARKER, params, async (tmp) => {
    for (let leaf = 0; leaf < leaves; leaf++) {
      const sub = join(
        tmp,
        `d${String(Math.floor(leaf / perParent)).padStart(3, "0")}`,
        `s${String(leaf % perParent).padStart(2, "0")}`,
      );
      mkdirSync(sub, { recursive: true });
      const first = leaf * perFolder;
      const last = Math.min(count, first + perFolder);
      for (let i = first; i < last; i++) {
        const buf = buffers[(Math.imul(i, 2654435761) >>> 0) % buffers.length]!;
        writeFileSync(join(sub, `img${String(i).padStart(6, "0")}.jpg`), buf);
        bytes += buf.byteLength;
      }
      opts.onProgress?.(last, count);
    }
    return { bytes };
  });
  return { dir: target, files: count, folders, bytes, ms: performance.now() - t0 };
}

async function tinyJpegs(n: number): Promise<Uint8Array[]> {
  const r = rng(42);
  const sizes = [
    [16, 16],
    [24, 16],
    [16, 24],
    [20, 20],
  ] as const;
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const [w, h] = sizes[i % sizes.length]!;
      const c = { r: Math.floor(r() * 256), g: Math.floor(r() * 256), b: Math.floor(r() * 256) };
      const buf = await sharp({ create: { width: w, height: h, channels: 3, background: c } })
        .jpeg({ quality: 70 })
        .toBuffer();
      return new Uint8Array(buf);
    }),
  );
}

function readMarker(dir: string, name: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function markerMatches(dir: string, name: string, want: Record<string, unknown>): boolean {
  const got = readMarker(dir, name);
  return got !== null && Object.entries(want).every(([k, v]) => got[k] === v);
}

function readMarkerBytes(dir: string): number {
  const b = readMarker(dir, SYNTHETIC_MARKER)?.bytes;
  return typeof b === "number" ? b : 0;
}

/**
 * Builds into `<target>.tmp-<pid>-<rand>`, writes the marker last, then swaps it into place.
 * If another process finished first, its result wins and ours is discarded.
 */
export async function buildAtomically(
  target: string,
  marker: string,
  params: Record<string, unknown>,
  build: (tmp: string) => Promise<Record<string, unknown>>,
): Promise<string> {
  removeStaleSiblings(target);
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await mkdir(tmp, { recursive: true });
  try {
    const extra = await build(tmp);
    writeFileSync(join(tmp, marker), JSON.stringify({ ...params, ...extra }));
    if (markerMatches(target, marker, params)) {
      rmSync(tmp, { recursive: true, force: true });
      return target;
    }
    if (existsSync(target)) {
      const old = `${target}.old-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      renameSync(target, old);
      rmSync(old, { recursive: true, force: true });
    }
    renameSync(tmp, target);
    return target;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (markerMatches(target, marker, params)) return target;
    throw err;
  }
}

/** Removes temp and old siblings left by processes that died mid-build. */
function removeStaleSiblings(target: string): void {
  const parent = dirname(target);
  const prefix = basename(target);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${escapeRegExp(prefix)}\\.(?:tmp|old)-(\\d+)-`).exec(name);
    if (m && !processAlive(Number(m[1])))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Runs `work` over `items`, `limit` at a time; the first failure stops new work and is thrown. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure no new item starts, so nothing is written once the caller cleans up.
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  const rejected = results.find((r) => r.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}
