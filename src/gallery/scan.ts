/**
 * Walks an image folder: every decodable image (by extension), hidden entries
 * and the workspace skipped, symlinks followed only when they resolve inside
 * the root. The walk reads directories only (as `find -type f` does); sizes
 * and mtimes come from a second pass (`statEntries`) so the gallery can be
 * served as soon as the names are known. The same FolderReader reads one
 * folder again when the watcher says it changed.
 */
import { readdirSync, realpathSync, statSync } from "node:fs";
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

export interface FolderRef {
  /** Canonical path. */
  path: string;
  /** Absolute file-system path (the real root plus the names as they are on disk). */
  fsPath: string;
}

export interface ScanResult {
  /** Sizes and mtimes are -1 until statEntries (or statEntry) fills them. */
  images: ImageEntry[];
  /** Every folder reached, including the start and empty ones, parents before children. */
  folders: FolderRef[];
  skipped: { path: string; reason: string }[];
}

export interface ScanOptions {
  /** Absolute paths never to descend into (the workspace). */
  exclude?: string[];
  onProgress?: (images: number, folders: number) => void;
}

/** What one directory holds, by the index's rules. */
export interface FolderListing {
  images: ImageEntry[];
  folders: FolderRef[];
  skipped: { path: string; reason: string }[];
}

const ASCII = /^[\x20-\x7e]*$/;

/**
 * Reads folders of one gallery by the index's rules: hidden entries and the
 * workspace skipped, symlinked files only when they resolve inside the root.
 */
export class FolderReader {
  readonly realRoot: string;
  private readonly exclude: Set<string>;

  constructor(root: string, exclude: string[] = []) {
    this.realRoot = realpathSync(root);
    this.exclude = new Set(exclude.map((p) => safeRealpath(p) ?? p));
  }

  /** The root as a folder reference (`/`). */
  get root(): FolderRef {
    return { path: "/", fsPath: this.realRoot === "/" ? "" : this.realRoot };
  }

  /** True when a path relative to the root (as a watcher names it) is one the index ignores. */
  ignores(relative: string): boolean {
    if (relative.split("/").some((seg) => seg.charCodeAt(0) === 46 /* . */)) return true;
    const abs = `${this.realRoot}/${relative}`;
    for (const ex of this.exclude) if (abs === ex || abs.startsWith(`${ex}/`)) return true;
    return false;
  }

  /** One directory's images and subfolders (not recursive). Throws when it cannot be read. */
  list(folder: FolderRef): FolderListing {
    const { path: canon, fsPath: abs } = folder;
    const out: FolderListing = { images: [], folders: [], skipped: [] };
    for (const d of readdirSync(abs || "/", { withFileTypes: true })) {
      const raw = d.name;
      if (raw.charCodeAt(0) === 46 /* . */) continue;
      const name = ASCII.test(raw) ? raw : raw.normalize("NFC");
      if (d.isDirectory()) {
        const childAbs = `${abs}/${raw}`;
        if (!this.exclude.has(childAbs))
          out.folders.push({ path: childPath(canon, name), fsPath: childAbs });
        continue;
      }
      const fsPath = `${abs}/${raw}`;
      if (d.isSymbolicLink()) {
        // A linked file inside the root is an alias worth listing; a linked folder
        // inside the root is indexed once, under its real path; nothing outside is read.
        const real = safeRealpath(fsPath);
        if (!real || !this.insideRoot(real)) {
          out.skipped.push({ path: childPath(canon, name), reason: "symlink outside the root" });
          continue;
        }
        // The same rule src/media/root-file.ts applies when the file is read.
        if (real !== this.realRoot && this.ignores(relative(this.realRoot, real))) {
          out.skipped.push({
            path: childPath(canon, name),
            reason: "symlink to a hidden file or the workspace",
          });
          continue;
        }
        if (!isImageName(name) || !safeStat(real)?.isFile()) continue;
      } else if (!d.isFile() || !isImageName(name)) {
        continue;
      }
      out.images.push({
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
    return out;
  }

  /** `start` and everything below it. */
  walk(start: FolderRef, onProgress?: ScanOptions["onProgress"]): ScanResult {
    const result: ScanResult = { images: [], folders: [], skipped: [] };
    let nextProgress = 5000;
    const stack = [start];
    while (stack.length) {
      const folder = stack.pop()!;
      result.folders.push(folder);
      let listing: FolderListing;
      try {
        listing = this.list(folder);
      } catch (err) {
        result.skipped.push({ path: folder.path, reason: (err as Error).message });
        continue;
      }
      for (const img of listing.images) result.images.push(img);
      for (const s of listing.skipped) result.skipped.push(s);
      for (const f of listing.folders) stack.push(f);
      if (onProgress && result.images.length >= nextProgress) {
        nextProgress = result.images.length + 5000;
        onProgress(result.images.length, result.folders.length);
      }
    }
    onProgress?.(result.images.length, result.folders.length);
    return result;
  }

  private insideRoot(real: string): boolean {
    const rel = relative(this.realRoot, real);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
  }
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
