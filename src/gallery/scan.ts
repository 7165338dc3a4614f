/**
 * Walks an image folder: every decodable image (by extension), hidden entries
 * and the workspace skipped, symlinks followed only when they resolve inside
 * the root. The walk reads directories only (as `find -type f` does); sizes
 * and mtimes come from a second pass (`statEntries`) so the gallery can be
 * served as soon as the names are known.
 */
import { type Dirent, readdirSync, realpathSync, statSync } from "node:fs";
import { relative, sep } from "node:path";
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
  /** Sizes and mtimes are -1 until statEntries (or statEntry) fills them. */
  images: ImageEntry[];
  /** Every folder reached (canonical), including the root `/` and empty ones, parents before children. */
  folders: string[];
  skipped: { path: string; reason: string }[];
}

export interface ScanOptions {
  /** Absolute paths never to descend into (the workspace). */
  exclude?: string[];
  onProgress?: (images: number, folders: number) => void;
}

const ASCII = /^[\x20-\x7e]*$/;

export function scanFolder(root: string, opts: ScanOptions = {}): ScanResult {
  const realRoot = realpathSync(root);
  const exclude = new Set((opts.exclude ?? []).map((p) => safeRealpath(p) ?? p));
  const images: ImageEntry[] = [];
  const folders: string[] = [];
  const skipped: ScanResult["skipped"] = [];
  let nextProgress = 5000;

  const insideRoot = (real: string) => {
    const rel = relative(realRoot, real);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
  };

  const stack: { abs: string; canon: string }[] = [
    { abs: realRoot === "/" ? "" : realRoot, canon: "/" },
  ];
  while (stack.length) {
    const { abs, canon } = stack.pop()!;
    folders.push(canon);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs || "/", { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: canon, reason: (err as Error).message });
      continue;
    }
    for (const d of entries) {
      const raw = d.name;
      if (raw.charCodeAt(0) === 46 /* . */) continue;
      const name = ASCII.test(raw) ? raw : raw.normalize("NFC");
      if (d.isDirectory()) {
        const childAbs = `${abs}/${raw}`;
        if (!exclude.has(childAbs)) stack.push({ abs: childAbs, canon: childPath(canon, name) });
        continue;
      }
      const fsPath = `${abs}/${raw}`;
      if (d.isSymbolicLink()) {
        // A linked file inside the root is an alias worth listing; a linked folder
        // inside the root is indexed once, under its real path; nothing outside is read.
        const real = safeRealpath(fsPath);
        if (!real || !insideRoot(real)) {
          skipped.push({ path: childPath(canon, name), reason: "symlink outside the root" });
          continue;
        }
        if (!isImageName(name) || !safeStat(real)?.isFile()) continue;
      } else if (!d.isFile() || !isImageName(name)) {
        continue;
      }
      images.push({
        path: childPath(canon, name),
        folder: canon,
        name,
        fsPath,
        size: -1,
        mtimeMs: -1,
        ordinal: 0,
        width: 0,
        height: 0,
      });
    }
    if (opts.onProgress && images.length >= nextProgress) {
      nextProgress = images.length + 5000;
      opts.onProgress(images.length, folders.length);
    }
  }
  opts.onProgress?.(images.length, folders.length);
  return { images, folders, skipped };
}

/** Fills size and mtime of one entry now, if the background pass has not yet. */
export function statEntry(e: ImageEntry): ImageEntry {
  if (e.mtimeMs < 0) {
    const st = safeStat(e.fsPath);
    e.size = st?.size ?? 0;
    e.mtimeMs = st ? Math.trunc(st.mtimeMs) : 0;
  }
  return e;
}

/** Fills sizes and mtimes in chunks, yielding between them so requests are served meanwhile. */
export async function statEntries(images: ImageEntry[], chunk = 2000): Promise<void> {
  for (let i = 0; i < images.length; i += chunk) {
    const end = Math.min(images.length, i + chunk);
    for (let k = i; k < end; k++) statEntry(images[k]!);
    if (end < images.length) await new Promise((r) => setImmediate(r));
  }
}

function safeStat(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function safeRealpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}
