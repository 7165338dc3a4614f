/**
 * Image dimensions, read lazily from file headers (no pixel decoding) and kept
 * in `dims.json` in the workspace, so indexing never opens image files and a
 * restart does not read them again. Dimensions are as displayed: EXIF
 * orientations 5–8 swap width and height. Headers are read through RootFiles,
 * from the descriptor proven inside the root, never by name.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { ImageEntry } from "../gallery/types.ts";
import type { RootFile, RootFiles } from "./root-file.ts";

export interface Dims {
  width: number;
  height: number;
}

/** The file no longer resolves to a regular file inside the root: answered like a missing item. */
export const REFUSED = "refused";

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
}

/** [size, mtimeMs, width, height]; width = height = 0 means the file could not be decoded. */
type DimsRecord = [number, number, number, number];

const FILE_NAME = "dims.json";
const FORMAT_VERSION = 1;
/** Enough for the header of nearly every image; the rest is read only when it is not. */
const HEADER_BYTES = 256 * 1024;

export class Dimensions {
  private file: string | null;
  private readonly flushDelayMs: number;
  private readonly concurrency: number;
  private readonly log?: DimensionsOptions["log"];
  private readonly files: RootFiles;
  private readonly records = new Map<string, DimsRecord>();
  private readonly pending = new Map<string, Promise<Dims | null | typeof REFUSED>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: DimensionsOptions) {
    this.log = opts.log;
    this.files = opts.files;
    this.file = opts.cacheDir ? join(opts.cacheDir, FILE_NAME) : null;
    this.flushDelayMs = opts.flushDelayMs ?? 1000;
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    if (opts.cacheDir) {
      try {
        mkdirSync(opts.cacheDir, { recursive: true });
      } catch (err) {
        this.file = null;
        this.log?.warn(`image dimensions are kept in memory only: ${(err as Error).message}`);
      }
    }
    this.load();
  }

  /**
   * Cached dimensions only, without touching the file: `undefined` when not known yet,
   * `null` when the file is known to be undecodable. Fills `entry.width/height` when known.
   */
  peek(entry: ImageEntry): Dims | null | undefined {
    const r = this.records.get(entry.path);
    if (!r || r[0] !== entry.size || r[1] !== entry.mtimeMs) return undefined;
    if (r[2] === 0) return null;
    entry.width = r[2];
    entry.height = r[3];
    return { width: r[2], height: r[3] };
  }

  /**
   * Dimensions from the cache or the file header; null when the file cannot be decoded,
   * REFUSED when it no longer resolves inside the root (nothing is read or remembered then).
   */
  async get(entry: ImageEntry): Promise<Dims | null | typeof REFUSED> {
    const known = this.peek(entry);
    if (known !== undefined) return known;
    const key = `${entry.path}\0${entry.size}\0${entry.mtimeMs}`;
    let job: Promise<Dims | null | typeof REFUSED> | undefined = this.pending.get(key);
    if (!job) {
      job = this.read(entry).finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    const dims = await job;
    if (dims && dims !== REFUSED) {
      entry.width = dims.width;
      entry.height = dims.height;
    }
    return dims;
  }

  /** Writes pending changes now (call on shutdown). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    const body = JSON.stringify({
      version: FORMAT_VERSION,
      entries: Object.fromEntries(this.records),
    });
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, body);
      renameSync(tmp, this.file);
    } catch (err) {
      this.dirty = true;
      this.log?.warn(`could not save ${FILE_NAME}: ${(err as Error).message}`);
    }
  }

  private async read(entry: ImageEntry): Promise<Dims | null | typeof REFUSED> {
    // The slot first, so requests waiting for one hold no descriptor.
    await this.slot();
    let dims: Dims | null = null;
    try {
      const opened = this.files.open(entry.fsPath);
      if (opened.kind === "refused") return REFUSED;
      if (opened.kind === "ok") {
        try {
          dims = await readDims(opened.file);
        } finally {
          opened.file.close();
        }
      }
    } finally {
      this.release();
    }
    this.records.set(entry.path, [entry.size, entry.mtimeMs, dims?.width ?? 0, dims?.height ?? 0]);
    this.schedule();
    return dims;
  }

  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `running` stays the same.
    if (next) next();
    else this.running--;
  }

  private schedule(): void {
    this.dirty = true;
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushDelayMs);
    this.timer.unref?.();
  }

  private load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return;
    }
    try {
      const data = JSON.parse(text) as { version?: number; entries?: { [path: string]: unknown } };
      if (data.version !== FORMAT_VERSION || !data.entries) return;
      for (const [path, r] of Object.entries(data.entries)) {
        if (Array.isArray(r) && r.length === 4 && r.every((n) => typeof n === "number")) {
          this.records.set(path, r as DimsRecord);
        }
      }
    } catch (err) {
      // A damaged cache only costs re-reading headers.
      this.log?.warn(`ignoring unreadable ${FILE_NAME}: ${(err as Error).message}`);
    }
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
