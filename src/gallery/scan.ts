/**
 * Walks an image folder: every decodable image (by extension), hidden entries
 * and the workspace skipped, symlinks followed only when they resolve inside
 * the root. The walk reads directories only (as `find -type f` does); sizes
 * and mtimes come from a second pass (`statEntries`) so the gallery can be
 * served as soon as the names are known. The same FolderReader reads one
 * folder again when the watcher says it changed. Every entry gets its own
 * canonical path or is skipped with the reason: two names that differ only in
 * Unicode normalisation index one (the one already spelled canonically, else
 * the first in byte order), and a name canonicalPath would drop or split (only
 * spaces, a backslash) is never merged with another.
 */
import { readdirSync, realpathSync, statSync } from "node:fs";
import { relative, sep } from "node:path";
import { canonicalChildName, childPath } from "../core/paths.ts";
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

/** An entry the index leaves out, and why. */
export interface Skipped {
  /** The path it would have had (canonical where it has one). */
  path: string;
  /** A short, fixed phrase (counted by /health). */
  reason: string;
  /** Specifics, for the console. */
  detail?: string;
  /** The folder whose listing reported it (the folder itself when it could not be read). */
  folder: string;
}

/** Reasons that name a collision; the console and /health count them like any other. */
export const SAME_PATH = "same canonical path as another name";

/**
 * An image a listing found: its name, its spelling on disk and its folder; the path and file path
 * are made when asked (a walk of a million files keeps no million path strings).
 */
export class ListedImage implements ImageEntry {
  size = -1;
  mtimeMs = -1;
  ordinal = 0;
  width = 0;
  height = 0;
  constructor(
    readonly dir: FolderRef,
    readonly name: string,
    readonly raw: string,
  ) {}
  get path(): string {
    return childPath(this.dir.path, this.name);
  }
  get folder(): string {
    return this.dir.path;
  }
  get fsPath(): string {
    return `${this.dir.fsPath}/${this.raw}`;
  }
}

export interface ScanResult {
  /** Sizes and mtimes are -1 until statEntries (or statEntry) fills them. */
  images: ListedImage[];
  /** Every folder reached, including the start and empty ones, parents before children. */
  folders: FolderRef[];
  skipped: Skipped[];
}

export interface ScanOptions {
  /** Absolute paths never to descend into (the workspace). */
  exclude?: string[];
  onProgress?: (images: number, folders: number) => void;
}

/** What one directory holds, by the index's rules. */
export interface FolderListing {
  images: ListedImage[];
  folders: FolderRef[];
  skipped: Skipped[];
}

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
    const skip = (path: string, reason: string) =>
      out.skipped.push({ path, reason, folder: canon });
    let unicode = false;
    for (const d of readdirSync(abs || "/", { withFileTypes: true })) {
      const raw = d.name;
      if (raw.charCodeAt(0) === 46 /* . */) continue;
      if (d.isFile() && !isImageName(raw)) continue;
      const { name, ascii, problem } = canonicalChildName(canon, raw);
      const path = problem === null && d.isFile() ? "" : childPath(canon, name);
      const fsPath = d.isFile() ? "" : `${abs}/${raw}`;
      if (d.isDirectory()) {
        if (this.exclude.has(fsPath)) continue;
        if (problem) skip(path, problem);
        else out.folders.push({ path, fsPath });
        if (!ascii) unicode = true;
        continue;
      }
      if (d.isSymbolicLink()) {
        // A linked file inside the root is an alias worth listing; a linked folder
        // inside the root is indexed once, under its real path; nothing outside is read.
        const real = safeRealpath(fsPath);
        if (!real || !this.insideRoot(real)) {
          skip(path, "symlink outside the root");
          continue;
        }
        // The same rule src/media/root-file.ts applies when the file is read.
        if (real !== this.realRoot && this.ignores(relative(this.realRoot, real))) {
          skip(path, "symlink to a hidden file or the workspace");
          continue;
        }
        if (!isImageName(name) || !safeStat(real)?.isFile()) continue;
      } else if (!d.isFile() || !isImageName(name)) {
        continue;
      }
      if (problem) {
        skip(path || childPath(canon, name), problem);
        continue;
      }
      if (!ascii) unicode = true;
      out.images.push(new ListedImage(folder, name, raw));
    }
    // Only a name outside ASCII can share its canonical path with another.
    if (unicode) dropCollisions(out, abs.length + 1, canon);
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
        result.skipped.push({
          path: folder.path,
          reason: "folder cannot be read",
          detail: (err as Error).message,
          folder: folder.path,
        });
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

/**
 * Keeps one entry per canonical path: the one whose name on disk is already the canonical
 * spelling, else the first in byte order, so the choice does not depend on listing order.
 * The others are skipped, naming the one that is indexed.
 */
function dropCollisions(out: FolderListing, rawFrom: number, folder: string): void {
  type Claim = { path: string; raw: string; item: ListedImage | FolderRef };
  const claims: Claim[] = [];
  for (const item of [...out.images, ...out.folders]) {
    claims.push({ path: item.path, raw: item.fsPath.slice(rawFrom), item });
  }
  const winners = new Map<string, Claim>();
  for (const c of claims) {
    const best = winners.get(c.path);
    if (!best || better(c, best)) winners.set(c.path, c);
  }
  if (winners.size === claims.length) return;
  const kept = new Set<ListedImage | FolderRef>();
  for (const c of winners.values()) kept.add(c.item);
  for (const c of claims) {
    if (kept.has(c.item)) continue;
    const winner = winners.get(c.path)!.raw;
    out.skipped.push({
      path: c.path,
      reason: SAME_PATH,
      detail: `${describeSpelling(c.raw)} of "${winner}", which is indexed`,
      folder,
    });
  }
  out.images = out.images.filter((img) => kept.has(img));
  out.folders = out.folders.filter((f) => kept.has(f));
}

/** The name already spelled canonically wins; between others, the first in byte order. */
function better(c: { path: string; raw: string }, best: { raw: string }): boolean {
  const canonical = (raw: string) => c.path.endsWith(`/${raw}`);
  if (canonical(c.raw) !== canonical(best.raw)) return canonical(c.raw);
  return Buffer.compare(Buffer.from(c.raw), Buffer.from(best.raw)) < 0;
}

function describeSpelling(raw: string): string {
  const form = raw === raw.normalize("NFD") ? "the NFD spelling" : "another spelling";
  return `${form} "${escapeNonAscii(raw)}"`;
}

/** `café` → `cafe\u0301`: spellings that look alike on screen, told apart. */
function escapeNonAscii(s: string): string {
  return s.replace(/[^\x20-\x7e]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
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
