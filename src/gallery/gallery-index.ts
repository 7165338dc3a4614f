/**
 * The in-memory index of one gallery: folders and images by canonical path.
 * Built once at start-up from a scan; listing a folder (optionally its whole
 * subtree) is served from here, never from the file system.
 */
import { naturalCompare } from "../core/natural-sort.ts";
import { baseName, isWithin, parentOf } from "../core/paths.ts";
import { type ScanOptions, type ScanResult, scanFolder, statEntries, statEntry } from "./scan.ts";
import type { FolderEntry, ImageEntry } from "./types.ts";

const byName = (a: ImageEntry, b: ImageEntry) => naturalCompare(a.name, b.name);
const byPlainName = (a: ImageEntry, b: ImageEntry) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export class GalleryIndex {
  private readonly images = new Map<string, ImageEntry>();
  private readonly folders = new Map<string, FolderEntry>();
  private readonly subtreeCache = new Map<string, ImageEntry[]>();
  readonly skipped: { path: string; reason: string }[];
  readonly builtInMs: number;
  /** Resolves when every entry has its size and mtime (a background pass after the walk). */
  readonly statsReady: Promise<void>;

  private constructor(
    readonly root: string,
    scan: ScanResult,
    t0: number,
  ) {
    this.skipped = scan.skipped;
    for (const path of scan.folders) this.ensureFolder(path);
    for (const img of scan.images) {
      this.images.set(img.path, img);
      this.folders.get(img.folder)!.images.push(img);
    }
    for (const f of this.folders.values()) {
      // A plain sort first makes the natural sort nearly free (the engine's merge sort adapts to sorted runs).
      f.images.sort(byPlainName).sort(byName);
      f.folders.sort((a, b) => naturalCompare(baseName(a), baseName(b)));
    }
    this.countTotals("/");
    this.list("/", true).forEach((img, i) => {
      img.ordinal = i;
    });
    this.builtInMs = performance.now() - t0;
    this.statsReady = statEntries(scan.images);
  }

  /** Walks the folder and builds the index; sizes and mtimes follow in the background (see statsReady). */
  static async build(root: string, opts: ScanOptions = {}): Promise<GalleryIndex> {
    const t0 = performance.now();
    return new GalleryIndex(root, scanFolder(root, opts), t0);
  }

  get imageCount(): number {
    return this.images.size;
  }

  get folderCount(): number {
    return this.folders.size;
  }

  /** The entry, with its size and mtime filled. */
  get(path: string): ImageEntry | undefined {
    const e = this.images.get(path);
    return e ? statEntry(e) : undefined;
  }

  /** Makes sure an entry listed by `list` has its size and mtime. */
  stat(entry: ImageEntry): ImageEntry {
    return statEntry(entry);
  }

  folder(path: string): FolderEntry | undefined {
    return this.folders.get(path);
  }

  /** Images of a folder, or of its whole subtree, in folder-then-name order. Cached: treat as read-only. */
  list(folder: string, recursive: boolean): ImageEntry[] {
    const f = this.folders.get(folder);
    if (!f) return [];
    if (!recursive) return f.images;
    let out = this.subtreeCache.get(folder);
    if (!out) {
      out = [];
      this.collect(f, out);
      this.subtreeCache.set(folder, out);
    }
    return out;
  }

  /** Every image whose path lies in `folder` (itself included when recursive). */
  contains(folder: string, path: string, recursive: boolean): boolean {
    return recursive ? isWithin(path, folder) : parentOf(path) === folder;
  }

  private collect(f: FolderEntry, out: ImageEntry[]): void {
    for (const img of f.images) out.push(img);
    for (const child of f.folders) this.collect(this.folders.get(child)!, out);
  }

  private ensureFolder(path: string): FolderEntry {
    let f = this.folders.get(path);
    if (!f) {
      f = {
        path,
        name: path === "/" ? "" : baseName(path),
        folders: [],
        images: [],
        totalImages: 0,
      };
      this.folders.set(path, f);
      if (path !== "/") this.ensureFolder(parentOf(path)).folders.push(path);
    }
    return f;
  }

  private countTotals(path: string): number {
    const f = this.folders.get(path)!;
    let total = f.images.length;
    for (const child of f.folders) total += this.countTotals(child);
    f.totalImages = total;
    return total;
  }
}
