/**
 * Image dimensions, read lazily from file headers (no pixel decoding) and kept
 * in `dims.json` in the workspace (a FactCache), so indexing never opens image
 * files and a restart does not read them again. Dimensions are as displayed:
 * EXIF orientations 5–8 swap width and height. Headers are read through
 * RootFiles, from the descriptor proven inside the root, never by name.
 */
import sharp from "sharp";
import type { ImageEntry } from "../gallery/types.ts";
import { FactCache, REFUSED, type Refused } from "./fact-cache.ts";
import type { RootFile, RootFiles } from "./root-file.ts";

export interface Dims {
  width: number;
  height: number;
}

export interface DimensionsOptions {
  /** Opens image files, proving each is inside the gallery root. */
  files: RootFiles;
  /** Folder holding `dims.json`; null keeps the cache in memory only (`--no-write`). */
  cacheDir: string | null;
  /** Delay before changed entries are written, so a burst of reads costs one write. */
  flushDelayMs?: number;
  /** Header reads in flight. */
  concurrency?: number;
  log?: { warn(msg: string): void };
  /** Told each image's dimensions whenever they are known (read or found in the cache): the gallery's fields. */
  onKnown?: (entry: ImageEntry, dims: Dims) => void;
}

/** Enough for the header of nearly every image; the rest is read only when it is not. */
const HEADER_BYTES = 256 * 1024;

const isDims = (v: unknown): v is Dims =>
  typeof v === "object" &&
  v !== null &&
  Number.isInteger((v as Dims).width) &&
  Number.isInteger((v as Dims).height);

export class Dimensions {
  private readonly cache: FactCache<Dims>;
  private readonly onKnown: DimensionsOptions["onKnown"];
  private stopped = false;

  constructor(opts: DimensionsOptions) {
    this.onKnown = opts.onKnown;
    const files = opts.files;
    this.cache = new FactCache<Dims>({
      dir: opts.cacheDir,
      file: "dims.json",
      // 2: [size, mtimeMs, {width, height} | null] (1 was [size, mtimeMs, width, height]).
      format: 2,
      valid: isDims,
      flushDelayMs: opts.flushDelayMs,
      concurrency: Math.max(1, opts.concurrency ?? 8),
      log: opts.log,
      read: async (entry) => {
        const opened = files.open(entry.fsPath);
        if (opened.kind === "refused") return REFUSED;
        if (opened.kind !== "ok") return null;
        try {
          return await readDims(opened.file);
        } finally {
          opened.file.close();
        }
      },
    });
  }

  /**
   * Cached dimensions only, without touching the file: `undefined` when not known yet,
   * `null` when the file is known to be undecodable. Fills `entry.width/height` when known.
   */
  peek(entry: ImageEntry): Dims | null | undefined {
    return this.known(entry, this.cache.peek(entry));
  }

  /**
   * Dimensions from the cache or the file header; null when the file cannot be decoded,
   * REFUSED when it no longer resolves inside the root (nothing is read or remembered then).
   */
  async get(entry: ImageEntry): Promise<Dims | null | Refused> {
    return this.known(entry, await this.cache.get(entry));
  }

  /** Dimensions learnt another way (a thumbnail decoded the image): cached and told, no header read. */
  learned(entry: ImageEntry, dims: Dims): void {
    if (this.cache.peek(entry) === undefined) this.cache.put(entry, dims);
    this.known(entry, dims);
  }

  /**
   * Tells `onKnown` of every cached dimension still true for its file, folder by folder, yielding every few
   * ms: after a restart, widths and heights read before are fields again without opening a file.
   */
  async announceCached(folders: Iterable<{ images(): ImageEntry[] }>): Promise<void> {
    if (!this.onKnown || this.cache.size === 0) return;
    let slice = performance.now();
    for (const folder of folders) {
      if (this.stopped) return;
      for (const img of folder.images()) this.peek(img);
      if (performance.now() - slice > 8) {
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      }
    }
  }

  /** Fills `entry.width/height` with dimensions just known, and tells onKnown. */
  private known<D extends Dims | null | undefined | Refused>(entry: ImageEntry, dims: D): D {
    if (dims && dims !== REFUSED) {
      entry.width = dims.width;
      entry.height = dims.height;
      this.onKnown?.(entry, dims);
    }
    return dims;
  }

  /** Ends announceCached's pass (shutdown). */
  stop(): void {
    this.stopped = true;
  }

  /** Writes pending changes now (call on shutdown). */
  flush(): Promise<void> {
    return this.cache.flush();
  }
}

/** Displayed dimensions from the file's header: its first bytes, or the whole file when they do not hold it. */
async function readDims(file: RootFile): Promise<Dims | null> {
  const head = await file.read(0, Math.min(file.size, HEADER_BYTES));
  return (await dimsOf(head)) ?? (file.size > head.length ? await dimsOf(await file.read()) : null);
}

async function dimsOf(bytes: Buffer): Promise<Dims | null> {
  try {
    const meta = await sharp(bytes, { failOn: "none" }).metadata();
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    if (width <= 0 || height <= 0) return null;
    const swap = (meta.orientation ?? 1) >= 5;
    return swap ? { width: height, height: width } : { width, height };
  } catch {
    return null;
  }
}
