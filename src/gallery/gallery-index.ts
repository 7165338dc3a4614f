/**
 * The in-memory index of one gallery: folders and images by canonical path.
 * Built at start-up from a scan and kept current by `refresh` (the watcher
 * calls it with the folders that changed on disk); listing a folder
 * (optionally its whole subtree) is served from here, never from the file system.
 */
import { naturalCompare } from "../core/natural-sort.ts";
import { baseName, isWithin, parentOf } from "../core/paths.ts";
import {
  type FolderListing,
  FolderReader,
  type FolderRef,
  type ScanOptions,
  type ScanResult,
  type Skipped,
  statEntries,
  statEntry,
} from "./scan.ts";
import type { FolderEntry, ImageEntry } from "./types.ts";

const byName = (a: ImageEntry, b: ImageEntry) => naturalCompare(a.name, b.name);
const byPlainName = (a: ImageEntry, b: ImageEntry) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
const byFolderName = (a: string, b: string) => naturalCompare(baseName(a), baseName(b));

/** What /health says about left-out entries: small whatever the gallery holds. */
export interface SkippedSummary {
  total: number;
  by_reason: Record<string, number>;
  /** The first few, by path. */
  first: { path: string; reason: string; detail?: string }[];
}

export interface IndexOptions extends ScanOptions {
  /** Called with entries newly left out: all of them after the walk, then any a refresh finds. */
  onSkipped?: (skipped: Skipped[]) => void;
}

/** Console lines for left-out entries: the first few in full, then a count. */
export function skippedLines(list: Skipped[], max = 5): string[] {
  const lines = list
    .slice(0, max)
    .map((s) => `skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ""}`);
  if (list.length > max) lines.push(`… and ${list.length - max} more skipped (see /health)`);
  return lines;
}

/** What one refresh changed. */
export interface GalleryChange {
  /** Folders whose own images or subfolders changed, parents before children. */
  folders: string[];
  /** Of those, the folders whose subfolders changed (the folder tree shows them). */
  tree: string[];
  /** Folders that vanished (each with everything below it). */
  gone: string[];
  added: string[];
  removed: string[];
  /** Images still there whose size or mtime changed (rewritten files). */
  modified: string[];
}

export class GalleryIndex {
  private readonly images = new Map<string, ImageEntry>();
  private readonly folders = new Map<string, FolderEntry>();
  private readonly fsPaths = new Map<string, string>();
  private readonly subtreeCache = new Map<string, ImageEntry[]>();
  private revisionValue = 0;
  /** Left-out entries by the folder whose listing reported them, kept current by refresh. */
  private readonly skippedBy = new Map<string, Skipped[]>();
  private readonly onSkipped?: IndexOptions["onSkipped"];
  /** Entries newly left out during the current refresh, reported once it ends. */
  private readonly fresh: Skipped[] = [];
  readonly builtInMs: number;
  /** Resolves when every entry has its size and mtime (a background pass after the walk). */
  readonly statsReady: Promise<void>;

  private constructor(
    readonly root: string,
    private readonly reader: FolderReader,
    scan: ScanResult,
    t0: number,
    onSkipped?: IndexOptions["onSkipped"],
  ) {
    this.onSkipped = onSkipped;
    this.addScan(scan);
    this.reindex();
    this.revisionValue = 0;
    this.builtInMs = performance.now() - t0;
    this.statsReady = statEntries(scan.images);
  }

  /** Walks the folder and builds the index; sizes and mtimes follow in the background (see statsReady). */
  static async build(root: string, opts: IndexOptions = {}): Promise<GalleryIndex> {
    const t0 = performance.now();
    const reader = new FolderReader(root, opts.exclude);
    const scan = reader.walk(reader.root, opts.onProgress);
    const index = new GalleryIndex(root, reader, scan, t0, opts.onSkipped);
    if (scan.skipped.length > 0) opts.onSkipped?.(scan.skipped);
    return index;
  }

  /** Every entry left out (collisions, links leaving the root, unreadable folders…), by path. */
  get skipped(): Skipped[] {
    const all: Skipped[] = [];
    for (const list of this.skippedBy.values()) for (const s of list) all.push(s);
    return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  skippedSummary(first = 5): SkippedSummary {
    const all = this.skipped;
    const by_reason: Record<string, number> = {};
    for (const s of all) by_reason[s.reason] = (by_reason[s.reason] ?? 0) + 1;
    return {
      total: all.length,
      by_reason,
      first: all.slice(0, first).map(({ path, reason, detail }) => ({ path, reason, detail })),
    };
  }

  /**
   * An index of a given listing instead of a walk (a table's rows, src/dataset/): folders
   * must come parents first. Sizes and mtimes follow in the background as for a walk.
   */
  static fromScan(root: string, scan: ScanResult): GalleryIndex {
    const t0 = performance.now();
    return new GalleryIndex(root, new FolderReader(root), scan, t0);
  }

  /** Rises on every change of the listing: caches of listings compare it. */
  get revision(): number {
    return this.revisionValue;
  }

  /** The folder reader's rules, for a watcher that must ignore what the index ignores. */
  get rules(): Pick<FolderReader, "realRoot" | "ignores"> {
    return this.reader;
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

  /**
   * Reads these folders again (their own entries; a new subfolder is walked
   * whole, a vanished one dropped with everything below it) and applies what
   * changed. A path the index does not know is read from its nearest known
   * ancestor. Labels are not touched: a file that comes back finds its own.
   * Known images are stat'ed again only when named in `files` (all of them
   * when it is absent), so a long copy into a big folder stays cheap.
   * Returns null when nothing changed.
   */
  refresh(paths: Iterable<string>, files?: ReadonlySet<string>): GalleryChange | null {
    const change: GalleryChange = {
      folders: [],
      tree: [],
      gone: [],
      added: [],
      removed: [],
      modified: [],
    };
    const targets = new Set<string>();
    for (const p of paths) targets.add(this.nearestKnown(p));
    // Parents first: a parent that drops a folder makes reading the child moot.
    for (const path of [...targets].sort((a, b) => a.length - b.length)) {
      // A folder that is gone (or unreadable) is settled by the nearest ancestor still there.
      let at = path;
      let listing = this.folders.has(at) ? this.tryList(at) : null;
      while (!listing && at !== "/") {
        at = parentOf(at);
        listing = this.folders.has(at) ? this.tryList(at) : null;
      }
      if (listing && this.refreshFolder(this.folders.get(at)!, listing, change, files)) {
        change.folders.push(at);
      }
    }
    if (this.fresh.length > 0) this.onSkipped?.(this.fresh.splice(0));
    if (change.folders.length === 0 && change.modified.length === 0) return null;
    this.reindex();
    return change;
  }

  /** Replaces what a folder's listing left out; remembers the new ones for onSkipped. */
  private setSkipped(folder: string, list: Skipped[]): void {
    const before = new Set((this.skippedBy.get(folder) ?? []).map(skipKey));
    for (const s of list) if (!before.has(skipKey(s))) this.fresh.push(s);
    if (list.length > 0) this.skippedBy.set(folder, list);
    else this.skippedBy.delete(folder);
  }

  private tryList(path: string): FolderListing | null {
    try {
      return this.reader.list({ path, fsPath: this.fsPaths.get(path)! });
    } catch {
      return null;
    }
  }

  private nearestKnown(path: string): string {
    let p = path;
    while (p !== "/" && !this.folders.has(p)) p = parentOf(p);
    return p;
  }

  /** Applies one folder's fresh listing; true when its images or subfolders changed. */
  private refreshFolder(
    f: FolderEntry,
    listing: FolderListing,
    change: GalleryChange,
    files?: ReadonlySet<string>,
  ): boolean {
    let changed = false;
    this.setSkipped(f.path, listing.skipped);
    const seen = new Set<string>();
    for (const img of listing.images) {
      seen.add(img.path);
      const known = this.images.get(img.path);
      if (known && known.fsPath !== img.fsPath) {
        // Another spelling of the name now wins (scan.ts picks by name, not by arrival):
        // the entry reads that file from now on, as a rewritten one.
        known.fsPath = img.fsPath;
        known.mtimeMs = -1;
        statEntry(known);
        known.width = 0;
        known.height = 0;
        change.modified.push(known.path);
        continue;
      }
      if (!known) {
        statEntry(img);
        this.images.set(img.path, img);
        f.images.push(img);
        change.added.push(img.path);
        changed = true;
        continue;
      }
      if (files && !files.has(known.path)) continue;
      const { size, mtimeMs } = known;
      known.mtimeMs = -1;
      statEntry(known);
      if (known.size !== size || known.mtimeMs !== mtimeMs) {
        known.width = 0;
        known.height = 0;
        change.modified.push(known.path);
      }
    }
    const kept = f.images.filter((img) => seen.has(img.path));
    if (kept.length !== f.images.length) {
      for (const img of f.images) {
        if (seen.has(img.path)) continue;
        this.images.delete(img.path);
        change.removed.push(img.path);
      }
      changed = true;
    }
    f.images = kept.sort(byName);

    const subfolders = new Set(listing.folders.map((s) => s.path));
    let tree = false;
    for (const child of f.folders) {
      if (subfolders.has(child)) continue;
      this.dropTree(child, change);
      change.gone.push(child);
      tree = true;
    }
    f.folders = f.folders.filter((child) => subfolders.has(child));
    for (const s of listing.folders) {
      if (this.folders.has(s.path)) continue;
      const scan = this.reader.walk(s);
      for (const img of scan.images) statEntry(img);
      this.addScan(scan);
      this.fresh.push(...scan.skipped);
      for (const img of scan.images) change.added.push(img.path);
      tree = true;
    }
    f.folders.sort(byFolderName);
    if (tree) change.tree.push(f.path);
    return changed || tree;
  }

  private addScan(scan: ScanResult): void {
    for (const folder of scan.folders) this.ensureFolder(folder);
    for (const s of scan.skipped) {
      const list = this.skippedBy.get(s.folder);
      if (list) list.push(s);
      else this.skippedBy.set(s.folder, [s]);
    }
    const touched = new Set<FolderEntry>();
    for (const img of scan.images) {
      this.images.set(img.path, img);
      const f = this.folders.get(img.folder)!;
      f.images.push(img);
      touched.add(f);
    }
    for (const f of touched) {
      // A plain sort first makes the natural sort nearly free (the engine's merge sort adapts to sorted runs).
      f.images.sort(byPlainName).sort(byName);
    }
    for (const folder of scan.folders) this.folders.get(folder.path)!.folders.sort(byFolderName);
  }

  private dropTree(path: string, change: GalleryChange): void {
    const f = this.folders.get(path);
    if (!f) return;
    for (const child of f.folders) this.dropTree(child, change);
    for (const img of f.images) {
      this.images.delete(img.path);
      change.removed.push(img.path);
    }
    this.folders.delete(path);
    this.fsPaths.delete(path);
    this.skippedBy.delete(path);
  }

  /** Totals, the subtree cache, the name-order ordinals, the revision. */
  private reindex(): void {
    this.subtreeCache.clear();
    this.countTotals("/");
    this.list("/", true).forEach((img, i) => {
      img.ordinal = i;
    });
    this.revisionValue++;
  }

  private collect(f: FolderEntry, out: ImageEntry[]): void {
    for (const img of f.images) out.push(img);
    for (const child of f.folders) this.collect(this.folders.get(child)!, out);
  }

  private ensureFolder(ref: FolderRef): FolderEntry {
    let f = this.folders.get(ref.path);
    if (!f) {
      f = {
        path: ref.path,
        name: ref.path === "/" ? "" : baseName(ref.path),
        folders: [],
        images: [],
        totalImages: 0,
      };
      this.folders.set(ref.path, f);
      this.fsPaths.set(ref.path, ref.fsPath);
      if (ref.path !== "/") {
        const parent = this.folders.get(parentOf(ref.path));
        // The walk lists parents before children, so the parent is known.
        parent?.folders.push(ref.path);
      }
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

const skipKey = (s: Skipped) => `${s.path}\0${s.reason}\0${s.detail ?? ""}`;
