/**
 * The in-memory index of one gallery: folders and images by canonical path.
 * Built once at start-up from a scan; listing a folder (optionally its whole
 * subtree) is served from here, never from the file system.
 */
import { baseName, isWithin, parentOf } from "../core/paths.ts";
import { type ScanOptions, scanFolder } from "./scan.ts";
import type { FolderEntry, ImageEntry } from "./types.ts";

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
export const compareNames = (a: string, b: string) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

export class GalleryIndex {
  private readonly images = new Map<string, ImageEntry>();
  private readonly folders = new Map<string, FolderEntry>();
  private readonly subtreeCache = new Map<string, ImageEntry[]>();
  readonly skipped: { path: string; reason: string }[];
  readonly builtInMs: number;

  private constructor(
    readonly root: string,
    scan: Awaited<ReturnType<typeof scanFolder>>,
    builtInMs: number,
  ) {
    this.skipped = scan.skipped;
    this.builtInMs = builtInMs;
    for (const path of scan.folders) this.ensureFolder(path);
    scan.images.sort((a, b) => compareNames(a.name, b.name));
    for (const img of scan.images) {
      this.images.set(img.path, img);
      this.ensureFolder(img.folder).images.push(img);
    }
    for (const f of this.folders.values()) f.folders.sort((a, b) => compareNames(baseName(a), baseName(b)));
    this.countTotals("/");
  }

  static async build(root: string, opts: ScanOptions = {}): Promise<GalleryIndex> {
    const t0 = performance.now();
    const scan = await scanFolder(root, opts);
    return new GalleryIndex(root, scan, performance.now() - t0);
  }

  get imageCount(): number {
    return this.images.size;
  }

  get folderCount(): number {
    return this.folders.size;
  }

  get(path: string): ImageEntry | undefined {
    return this.images.get(path);
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
      f = { path, name: path === "/" ? "" : baseName(path), folders: [], images: [], totalImages: 0 };
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
