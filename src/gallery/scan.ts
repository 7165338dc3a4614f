/**
 * Walks an image folder once: every decodable image (by extension), with name,
 * size and mtime. Hidden entries and the workspace are skipped; symlinks are
 * followed only when they resolve inside the root (and never twice).
 */
import { type Dirent, promises as fsp, realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { childPath } from "../core/paths.ts";
import type { ImageEntry } from "./types.ts";

/** Extensions sharp decodes (JPEG, PNG, WebP, GIF, AVIF, TIFF). */
export const IMAGE_EXTENSIONS = new Set([
  "jpg",
  "jpeg",
  "jpe",
  "png",
  "webp",
  "gif",
  "avif",
  "tif",
  "tiff",
]);

export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

export interface ScanResult {
  images: ImageEntry[];
  /** Every folder reached (canonical), including the root `/` and empty ones. */
  folders: string[];
  skipped: { path: string; reason: string }[];
}

export interface ScanOptions {
  /** Absolute paths never to descend into (the workspace). */
  exclude?: string[];
  onProgress?: (images: number, folders: number) => void;
  /** How many directories are read at once. */
  concurrency?: number;
}

export async function scanFolder(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const realRoot = realpathSync(root);
  const exclude = new Set((opts.exclude ?? []).map((p) => safeRealpath(p) ?? p));
  const images: ImageEntry[] = [];
  const folders: string[] = [];
  const skipped: ScanResult["skipped"] = [];
  const queue: { abs: string; canon: string }[] = [{ abs: realRoot, canon: "/" }];
  let lastProgress = 0;

  const insideRoot = (real: string) => {
    const rel = relative(realRoot, real);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
  };

  const readDir = async (abs: string, canon: string) => {
    folders.push(canon);
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(abs, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: canon, reason: (err as Error).message });
      return;
    }
    const files: { abs: string; canon: string; name: string }[] = [];
    for (const d of entries) {
      const name = d.name.normalize("NFC");
      if (name.startsWith(".")) continue;
      const childAbs = join(abs, d.name);
      const childCanon = childPath(canon, name);
      const isDir = d.isDirectory();
      let isFile = d.isFile();
      if (d.isSymbolicLink()) {
        const real = safeRealpath(childAbs);
        if (!real || !insideRoot(real)) {
          skipped.push({ path: childCanon, reason: "symlink outside the root" });
          continue;
        }
        const st = await fsp.stat(real).catch(() => null);
        // A linked folder inside the root is indexed once, under its real path.
        if (!st?.isFile()) continue;
        isFile = true;
      }
      if (isDir) {
        if (exclude.has(childAbs)) continue;
        queue.push({ abs: childAbs, canon: childCanon });
      } else if (isFile && isImageName(name)) {
        files.push({ abs: childAbs, canon: childCanon, name });
      }
    }
    const stats = await Promise.all(files.map((f) => fsp.stat(f.abs).catch(() => null)));
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const st = stats[i];
      if (!st) continue;
      images.push({
        path: f.canon,
        folder: canon,
        name: f.name,
        fsPath: f.abs,
        size: st.size,
        mtimeMs: Math.trunc(st.mtimeMs),
        width: 0,
        height: 0,
      });
    }
    if (opts.onProgress && images.length - lastProgress >= 2000) {
      lastProgress = images.length;
      opts.onProgress(images.length, folders.length);
    }
  };

  const concurrency = opts.concurrency ?? 16;
  const workers: Promise<void>[] = [];
  let active = 0;
  await new Promise<void>((resolveAll, rejectAll) => {
    const pump = () => {
      while (active < concurrency && queue.length) {
        const next = queue.shift()!;
        active++;
        workers.push(
          readDir(next.abs, next.canon)
            .then(() => {
              active--;
              if (!queue.length && active === 0) resolveAll();
              else pump();
            })
            .catch(rejectAll),
        );
      }
    };
    pump();
  });
  opts.onProgress?.(images.length, folders.length);
  return { images, folders, skipped };
}

function safeRealpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}
