/**
 * The in-memory index of one gallery: folders and images by canonical path,
 * the images kept as columns (image-slots.ts) with an ordinal each (the name
 * order over the gallery, so a folder's subtree is one ordinal range).
 * Built at start-up from a scan and kept current by `refresh` (the watcher
 * calls it with the folders that changed on disk); listing a folder
 * (optionally its whole subtree) is served from here, never from the file system.
 */
import { statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { naturalCompare } from "../core/natural-sort.ts";
import { baseName, childPath, isWithin, parentOf, tryCanonicalPath } from "../core/paths.ts";
import { ImageSlots } from "./image-slots.ts";
import {
  type FolderListing,
  FolderReader,
  type FolderRef,
  type ScanOptions,
  type ScanResult,
  type Skipped,
  statEntry,
} from "./scan.ts";
import type { FolderEntry, ImageEntry } from "./types.ts";

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

/** A folder's own images, for passes that visit folders one at a time (eachFolder). */
export interface FolderImages {
  fsPath: string;
  images(): ImageEntry[];
}

/** A folder of the index: the public entry plus where its images are. */
interface FolderNode extends FolderEntry {
  id: number;
  fsPath: string;
  /** Own images, as slots in name order (found by binary search: no map of a million names). */
  slots: number[];
  /** Ordinals: own images are [start, start + slots.length), the subtree [start, end). */
  start: number;
  end: number;
}

/** A folder's served table rows (src/dataset/resolve-paths.ts), as columns. */
export interface TableFolder {
  /** Canonical folder path; `fsPath` is inside the root. */
  path: string;
  fsPath: string;
  /** Canonical names, their spelling on disk where it differs (else null), their table rows. */
  names: readonly string[];
  raw: readonly (string | null)[];
  rows: readonly number[];
  /** The names are in natural order already (resolvePaths checked): no sort, no check. */
  sorted?: boolean;
  /** Names the folder's listing did not hold: known missing, so the stat pass skips them. */
  missing?: readonly boolean[];
}

export class GalleryIndex {
  private readonly slots = new ImageSlots();
  private readonly folders = new Map<string, FolderNode>();
  private readonly nodes: (FolderNode | undefined)[] = [];
  /** Ordinal (name order over the whole gallery) → slot, and back (-1 = free slot). */
  private order = new Uint32Array(0);
  private ordinals = new Int32Array(0);
  private revisionValue = 0;
  private statsValue = 0;
  /**
   * Rises when a width or height becomes known or is forgotten; apart from statsValue, because thumbnails
   * tell sizes all the time and caches keyed on the listing's stats must not be spent by that.
   */
  private dimsValue = 0;
  private statsEnded = false;
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
    fill: (index: GalleryIndex) => void,
    t0: number,
    onSkipped?: IndexOptions["onSkipped"],
  ) {
    this.onSkipped = onSkipped;
    fill(this);
    this.reindex();
    this.revisionValue = 0;
    this.builtInMs = performance.now() - t0;
    this.statsReady = this.statAll().finally(() => {
      this.statsEnded = true;
    });
  }

  /** Walks the folder and builds the index; sizes and mtimes follow in the background (see statsReady). */
  static async build(root: string, opts: IndexOptions = {}): Promise<GalleryIndex> {
    const t0 = performance.now();
    const reader = new FolderReader(root, opts.exclude);
    const scan = reader.walk(reader.root, opts.onProgress);
    const index = new GalleryIndex(root, reader, (i) => i.addScan(scan), t0, opts.onSkipped);
    if (scan.skipped.length > 0) opts.onSkipped?.(scan.skipped);
    return index;
  }

  /**
   * An index of a given listing instead of a walk: folders must come parents first.
   * Sizes and mtimes follow in the background as for a walk.
   */
  static fromScan(root: string, scan: ScanResult): GalleryIndex {
    const t0 = performance.now();
    return new GalleryIndex(root, new FolderReader(root), (i) => i.addScan(scan), t0);
  }

  /**
   * An index of a table's served rows (D11): every ancestor folder of a path is a folder, each
   * slot remembers its table row (`sourceRow`). No object per row: names go straight into slots.
   */
  static fromRows(root: string, folders: readonly TableFolder[]): GalleryIndex {
    const t0 = performance.now();
    const reader = new FolderReader(root);
    return new GalleryIndex(root, reader, (i) => i.addRows(reader.root, folders), t0);
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

  /** Rises on every change of the listing: caches of listings compare it. */
  get revision(): number {
    return this.revisionValue;
  }

  /** Every file's size and mtime is known (the background pass ended). */
  get statsDone(): boolean {
    return this.statsEnded;
  }

  /** Rises as sizes and mtimes become known (the background stat pass, refreshes). */
  get statsRevision(): number {
    return this.statsValue;
  }

  /** Rises when any image's known width or height changes (noteDims, a rewritten file). */
  get dimsRevision(): number {
    return this.dimsValue;
  }

  /** The folder reader's rules, for a watcher that must ignore what the index ignores. */
  get rules(): Pick<FolderReader, "realRoot" | "ignores"> {
    return this.reader;
  }

  get imageCount(): number {
    return this.slots.live;
  }

  get folderCount(): number {
    return this.folders.size;
  }

  /** The entry, with its size and mtime filled. */
  get(path: string): ImageEntry | undefined {
    const s = this.slotOf(path);
    return s < 0 ? undefined : this.entry(s, true);
  }

  /** The images a client selected, in its order: paths canonicalised, unknown ones left out, each once. */
  pick(paths: Iterable<string>): ImageEntry[] {
    const seen = new Set<string>();
    const out: ImageEntry[] = [];
    for (const p of paths) {
      const path = tryCanonicalPath(p);
      const img = path === null ? undefined : this.get(path);
      if (img && !seen.has(img.path)) {
        seen.add(img.path);
        out.push(img);
      }
    }
    return out;
  }

  /** Makes sure an entry has its size and mtime. */
  stat(entry: ImageEntry): ImageEntry {
    if (entry.mtimeMs >= 0) return entry;
    const s = this.slotOf(entry.path);
    if (s >= 0) {
      this.statSlot(s);
      entry.size = this.slots.size[s]!;
      entry.mtimeMs = this.slots.mtime[s]!;
    } else statEntry(entry);
    return entry;
  }

  folder(path: string): FolderEntry | undefined {
    return this.folders.get(path);
  }

  /** Ordinals of a folder's images, or of its whole subtree: [start, end). Empty for an unknown folder. */
  range(folder: string, recursive: boolean): { start: number; end: number } {
    const f = this.folders.get(folder);
    if (!f) return { start: 0, end: 0 };
    return { start: f.start, end: recursive ? f.end : f.start + f.slots.length };
  }

  /** Images of a folder, or of its whole subtree, in folder-then-name order (one object each: O(n)). */
  list(folder: string, recursive: boolean): ImageEntry[] {
    const { start, end } = this.range(folder, recursive);
    const out: ImageEntry[] = new Array(end - start);
    for (let o = start; o < end; o++) out[o - start] = this.entry(this.order[o]!, false);
    return out;
  }

  /** One folder's own images, listed when asked for; undefined for an unknown folder. */
  folderImages(path: string): FolderImages | undefined {
    const f = this.folders.get(path);
    return f ? { fsPath: f.fsPath, images: () => this.list(path, false) } : undefined;
  }

  /**
   * Each folder with images of its own, parents first: its folder on disk, and its images, built only
   * when asked for (a pass over a million images need not make an entry for each).
   */
  *eachFolder(from = "/"): Generator<FolderImages> {
    const todo = [from];
    while (todo.length) {
      const path = todo.pop()!;
      const f = this.folders.get(path);
      if (!f) continue;
      if (f.slots.length > 0) yield this.folderImages(path)!;
      for (let i = f.folders.length - 1; i >= 0; i--) todo.push(f.folders[i]!);
    }
  }

  /** The image at an ordinal (name order over the gallery), with size and mtime. */
  at(ordinal: number): ImageEntry {
    return this.entry(this.order[ordinal]!, true);
  }

  /** Canonical path of the image at an ordinal, without building its entry. */
  pathAt(ordinal: number): string {
    const s = this.order[ordinal]!;
    return childPath(this.nodes[this.slots.folder[s]!]!.path, this.slots.names[s]!);
  }

  /** Ordinal of an indexed path, or -1. */
  ordinalOf(path: string): number {
    const s = this.slotOf(path);
    return s < 0 ? -1 : this.ordinals[s]!;
  }

  /**
   * Per-ordinal facts for the query engine, read straight from the columns: name, size, mtime
   * (-1 while unknown), width/height (0 while unknown), table row (-1 for a walked file).
   */
  facts(): {
    count: number;
    nameAt(ordinal: number): string;
    size: (ordinal: number) => number;
    mtime: (ordinal: number) => number;
    width: (ordinal: number) => number;
    height: (ordinal: number) => number;
    source: (ordinal: number) => number;
  } {
    const { order, slots } = this;
    return {
      count: slots.live,
      nameAt: (o) => slots.names[order[o]!]!,
      size: (o) => slots.size[order[o]!]!,
      mtime: (o) => slots.mtime[order[o]!]!,
      width: (o) => slots.width[order[o]!]!,
      height: (o) => slots.height[order[o]!]!,
      source: (o) => slots.source[order[o]!]!,
    };
  }

  /** Remembers an image's pixel size once something knew it (Dimensions.onKnown: a header read, a thumbnail). */
  noteDims(path: string, width: number, height: number): void {
    const s = this.slotOf(path);
    if (s < 0) return;
    if (this.slots.width[s] !== width || this.slots.height[s] !== height) {
      this.slots.width[s] = width;
      this.slots.height[s] = height;
      this.dimsValue++;
    }
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
    if (change.modified.length > 0) {
      this.statsValue++;
      // A rewritten file's width and height were forgotten with it.
      this.dimsValue++;
    }
    this.reindex();
    return change;
  }

  private slotOf(path: string): number {
    const i = path.lastIndexOf("/");
    const f = this.folders.get(i <= 0 ? "/" : path.slice(0, i));
    return f ? this.find(f, path.slice(i + 1)) : -1;
  }

  /** The slot of a name among a folder's (sorted) images, or -1. */
  private find(f: FolderNode, name: string): number {
    const names = this.slots.names;
    const list = f.slots;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = naturalCompare(names[list[mid]!]!, name);
      if (c === 0) return list[mid]!;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private fsPathOf(s: number): string {
    return `${this.nodes[this.slots.folder[s]!]!.fsPath}/${this.slots.rawName(s)}`;
  }

  private entry(s: number, withStats: boolean): ImageEntry {
    if (withStats) this.statSlot(s);
    const f = this.nodes[this.slots.folder[s]!]!;
    const name = this.slots.names[s]!;
    return {
      path: childPath(f.path, name),
      folder: f.path,
      name,
      fsPath: `${f.fsPath}/${this.slots.rawName(s)}`,
      size: this.slots.size[s]!,
      mtimeMs: this.slots.mtime[s]!,
      ordinal: this.ordinals[s]!,
      width: this.slots.width[s]!,
      height: this.slots.height[s]!,
    };
  }

  /** Fills size and mtime of one slot now, if the background pass has not yet. */
  private statSlot(s: number, force = false): void {
    if (!force && this.slots.mtime[s]! >= 0) return;
    const st = safeStat(this.fsPathOf(s));
    this.slots.size[s] = st?.size ?? 0;
    this.slots.mtime[s] = st ? Math.trunc(st.mtimeMs) : 0;
  }

  /**
   * Stats every slot off the main thread (fs.promises.stat, a few in flight), so requests are
   * never queued behind a cold-cache stat (sync stats in slices held pages 50 ms and more).
   */
  private async statAll(inFlight = 16): Promise<void> {
    const n = this.slots.length;
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const s = next++;
        if (this.slots.folder[s]! < 0 || this.slots.mtime[s]! >= 0) continue;
        const path = this.fsPathOf(s);
        const st = await stat(path).catch(() => null);
        // The slot may have been freed (or reused) meanwhile: only fill what is still unknown.
        if (this.slots.folder[s]! < 0 || this.slots.mtime[s]! >= 0 || this.fsPathOf(s) !== path)
          continue;
        this.slots.size[s] = st?.size ?? 0;
        this.slots.mtime[s] = st ? Math.trunc(st.mtimeMs) : 0;
        if ((s & 1023) === 0) this.statsValue++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    this.statsValue++;
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
      return this.reader.list({ path, fsPath: this.folders.get(path)!.fsPath });
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
    f: FolderNode,
    listing: FolderListing,
    change: GalleryChange,
    files?: ReadonlySet<string>,
  ): boolean {
    let changed = false;
    const { slots } = this;
    this.setSkipped(f.path, listing.skipped);
    // The folder's names while its list is being changed (binary search needs it sorted).
    const byName = new Map<string, number>();
    for (const s of f.slots) byName.set(slots.names[s]!, s);
    const seen = new Set<string>();
    for (const img of listing.images) {
      seen.add(img.name);
      const known = byName.get(img.name);
      const raw = img.raw;
      if (known !== undefined && slots.rawName(known) !== raw) {
        // Another spelling of the name now wins (scan.ts picks by name, not by arrival):
        // the entry reads that file from now on, as a rewritten one.
        if (raw !== img.name) slots.raw.set(known, raw);
        else slots.raw.delete(known);
        this.statSlot(known, true);
        slots.width[known] = 0;
        slots.height[known] = 0;
        change.modified.push(img.path);
        continue;
      }
      if (known === undefined) {
        const s = slots.alloc(img.name, f.id, raw);
        this.statSlot(s);
        byName.set(img.name, s);
        f.slots.push(s);
        change.added.push(img.path);
        changed = true;
        continue;
      }
      if (files && !files.has(img.path)) continue;
      const size = slots.size[known];
      const mtime = slots.mtime[known]!;
      this.statSlot(known, true);
      // Not stat'ed before (the background pass had not reached it): now known, not rewritten.
      if (mtime >= 0 && (slots.size[known] !== size || slots.mtime[known] !== mtime)) {
        slots.width[known] = 0;
        slots.height[known] = 0;
        change.modified.push(img.path);
      }
    }
    const kept = f.slots.filter((s) => seen.has(slots.names[s]!));
    if (kept.length !== f.slots.length) {
      for (const s of f.slots) {
        const name = slots.names[s]!;
        if (seen.has(name)) continue;
        change.removed.push(childPath(f.path, name));
        slots.release(s);
      }
      changed = true;
    }
    f.slots = kept;
    this.sortSlots(f);

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
      const added = this.addScan(scan);
      for (const slot of added) this.statSlot(slot);
      this.fresh.push(...scan.skipped);
      for (const img of scan.images) change.added.push(img.path);
      tree = true;
    }
    f.folders.sort(byFolderName);
    if (tree) change.tree.push(f.path);
    return changed || tree;
  }

  /** Adds a walk's folders and images; returns the new slots. */
  private addScan(scan: ScanResult): number[] {
    for (const folder of scan.folders) this.ensureFolder(folder);
    for (const s of scan.skipped) {
      const list = this.skippedBy.get(s.folder);
      if (list) list.push(s);
      else this.skippedBy.set(s.folder, [s]);
    }
    this.slots.reserve(this.slots.length + scan.images.length);
    const touched = new Set<FolderNode>();
    const added: number[] = [];
    for (const img of scan.images) {
      const f = this.folders.get(img.dir.path)!;
      const s = this.slots.alloc(img.name, f.id, img.raw);
      if (img.mtimeMs >= 0) {
        this.slots.size[s] = img.size;
        this.slots.mtime[s] = img.mtimeMs;
      }
      f.slots.push(s);
      touched.add(f);
      added.push(s);
    }
    for (const f of touched) this.sortSlots(f);
    for (const folder of scan.folders) this.folders.get(folder.path)!.folders.sort(byFolderName);
    return added;
  }

  /** A table's rows: every ancestor folder made, a slot per row with its table row. */
  private addRows(root: FolderRef, folders: readonly TableFolder[]): void {
    this.ensureFolder(root);
    let total = 0;
    for (const tf of folders) total += tf.names.length;
    this.slots.reserve(total);
    for (const tf of folders) {
      const f = this.ensureAncestors(tf.path, root.fsPath);
      const missing = tf.missing;
      for (let k = 0; k < tf.names.length; k++) {
        const name = tf.names[k]!;
        const s = this.slots.alloc(name, f.id, tf.raw[k] ?? null, tf.rows[k]!);
        // What a failed stat would give (size 0, mtime 0), without a stat per missing file.
        if (missing?.[k]) {
          this.slots.size[s] = 0;
          this.slots.mtime[s] = 0;
        }
        f.slots.push(s);
      }
      if (!tf.sorted || f.slots.length !== tf.names.length) this.sortSlots(f);
    }
    for (const f of this.folders.values()) f.folders.sort(byFolderName);
  }

  private ensureAncestors(folder: string, base: string): FolderNode {
    const known = this.folders.get(folder);
    if (known) return known;
    this.ensureAncestors(parentOf(folder), base);
    return this.ensureFolder({ path: folder, fsPath: `${base}${folder}` });
  }

  /** A folder's own images in natural name order. */
  private sortSlots(f: FolderNode): void {
    const names = this.slots.names as string[];
    const slots = f.slots;
    // Tables usually list a folder's files in order already: one pass to check is far cheaper.
    let sorted = true;
    for (let i = 1; i < slots.length && sorted; i++)
      sorted = naturalCompare(names[slots[i - 1]!]!, names[slots[i]!]!) <= 0;
    if (sorted) return;
    // A plain sort first makes the natural sort nearly free (the engine's merge sort adapts to sorted runs).
    f.slots
      .sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0))
      .sort((a, b) => naturalCompare(names[a]!, names[b]!));
  }

  private dropTree(path: string, change: GalleryChange): void {
    const f = this.folders.get(path);
    if (!f) return;
    for (const child of f.folders) this.dropTree(child, change);
    for (const s of f.slots) {
      change.removed.push(childPath(f.path, this.slots.names[s]!));
      this.slots.release(s);
    }
    this.folders.delete(path);
    this.nodes[f.id] = undefined;
    this.skippedBy.delete(path);
  }

  /** Totals, ordinals (folder by folder, name order within), the revision. */
  private reindex(): void {
    const order = new Uint32Array(this.slots.live);
    const ordinals = new Int32Array(this.slots.length).fill(-1);
    let k = 0;
    const visit = (f: FolderNode): void => {
      f.start = k;
      for (const s of f.slots) {
        ordinals[s] = k;
        order[k++] = s;
      }
      for (const child of f.folders) visit(this.folders.get(child)!);
      f.end = k;
      f.totalImages = f.end - f.start;
    };
    const root = this.folders.get("/");
    if (root) visit(root);
    this.order = order;
    this.ordinals = ordinals;
    this.revisionValue++;
  }

  private ensureFolder(ref: FolderRef): FolderNode {
    let f = this.folders.get(ref.path);
    if (!f) {
      f = {
        id: this.nodes.length,
        path: ref.path,
        name: ref.path === "/" ? "" : baseName(ref.path),
        fsPath: ref.fsPath,
        folders: [],
        slots: [],
        start: 0,
        end: 0,
        totalImages: 0,
      };
      this.nodes.push(f);
      this.folders.set(ref.path, f);
      if (ref.path !== "/") {
        const parent = this.folders.get(parentOf(ref.path));
        // The walk lists parents before children, so the parent is known.
        parent?.folders.push(ref.path);
      }
    }
    return f;
  }
}

function safeStat(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

const skipKey = (s: Skipped) => `${s.path}\0${s.reason}\0${s.detail ?? ""}`;
