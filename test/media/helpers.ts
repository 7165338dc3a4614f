/** Shared fixtures for media tests: real image files in a temp folder and their index entries. */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { canonicalPath, parentOf } from "../../src/core/paths.ts";
import { FolderReader } from "../../src/gallery/scan.ts";
import type { ImageEntry } from "../../src/gallery/types.ts";
import { RootFiles } from "../../src/media/root-file.ts";

export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lenslet-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const cleanups: (() => void)[] = [];

/** A temp folder with `images/` and a cache folder name inside; removed by `cleanupTemp()` (call it in afterEach). */
export function tempTree(label: string, cacheName = "cache"): { root: string; cache: string } {
  const t = tempDir(label);
  cleanups.push(t.cleanup);
  return { root: join(t.dir, "images"), cache: join(t.dir, cacheName) };
}

export function cleanupTemp(): void {
  for (const c of cleanups.splice(0)) c();
}

/** Writes a noisy image (so encoders cannot shrink it to nothing) and returns its bytes. */
export async function writeImage(
  file: string,
  width: number,
  height: number,
  format: "jpeg" | "png" | "webp" | "gif" | "avif" | "tiff" = "jpeg",
  opts: { seed?: number; orientation?: number; alpha?: boolean } = {},
): Promise<Buffer> {
  const channels = opts.alpha ? 4 : 3;
  const px = Buffer.alloc(width * height * channels);
  let s = (opts.seed ?? 1) >>> 0;
  for (let i = 0; i < px.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    px[i] = s >>> 24;
  }
  let img = sharp(px, { raw: { width, height, channels } });
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation });
  const bytes = await img.toFormat(format, format === "avif" ? { effort: 0 } : {}).toBuffer();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return bytes;
}

/** The entry the gallery index would hold for `file` under `root`. */
export function entryFor(root: string, file: string): ImageEntry {
  const st = statSync(file);
  const path = canonicalPath(file.slice(root.length));
  return {
    path,
    folder: parentOf(path),
    ordinal: 0,
    name: path.slice(path.lastIndexOf("/") + 1),
    fsPath: file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    width: 0,
    height: 0,
  };
}

/** The opener the server would use for a gallery at `root` (created if missing). */
export function filesFor(root: string, log?: { warn(msg: string): void }): RootFiles {
  mkdirSync(root, { recursive: true });
  return new RootFiles(new FolderReader(root), { log });
}
