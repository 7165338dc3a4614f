/**
 * Facts read from image files (dimensions, EXIF, perceptual hashes), cached in
 * one JSON file in the workspace and keyed by path with the file's size and
 * mtime (a rewritten file is read again). Reads run a few at a time and share
 * one in flight per file; changes are written after a short delay, atomically
 * (temp + rename), so a burst of reads costs one write. Not fsync'd: a cache
 * lost or damaged by a crash only costs reading the files again, and a
 * million-entry file is not worth holding the server for.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageEntry } from "../gallery/types.ts";

/** The file no longer resolves to a regular file inside the root: answered like a missing item, never remembered. */
export const REFUSED = "refused";
export type Refused = typeof REFUSED;

export interface FactCacheOptions<T> {
  /** Folder of the cache file; null keeps it in memory (`--no-write`). */
  dir: string | null;
  file: string;
  /** Bumped when the stored shape changes: an older file is ignored. */
  format: number;
  /**
   * Reads the fact of one file; null when the file has none or is unreadable (remembered too),
   * REFUSED when it is no longer inside the root (not remembered: nothing was read).
   */
  read: (entry: ImageEntry) => Promise<T | null | Refused>;
  /** Checks one stored value (anything else is dropped on load). */
  valid: (v: unknown) => v is T;
  flushDelayMs?: number;
  concurrency?: number;
  log?: { warn(msg: string): void };
}

/** [size, mtimeMs, fact]; a null fact means "read, and there is none". */
type Entry<T> = [number, number, T | null];

export class FactCache<T> {
  private file: string | null;
  private readonly records = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Promise<T | null | Refused>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private rev = 0;

  constructor(private readonly opts: FactCacheOptions<T>) {
    this.file = opts.dir ? join(opts.dir, opts.file) : null;
    if (opts.dir) {
      try {
        mkdirSync(opts.dir, { recursive: true });
      } catch (err) {
        this.file = null;
        opts.log?.warn(`${opts.file} is kept in memory only: ${(err as Error).message}`);
      }
    }
    this.load();
  }

  /** Changes whenever a fact is learned (for query caches). */
  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.records.size;
  }

  /** The cached fact without reading: undefined when not known for this size and mtime. */
  peek(entry: ImageEntry): T | null | undefined {
    const r = this.records.get(entry.path);
    if (!r || r[0] !== entry.size || r[1] !== entry.mtimeMs) return undefined;
    return r[2];
  }

  /** The fact from the cache or the file (read once however many ask at the same time). */
  async get(entry: ImageEntry): Promise<T | null | Refused> {
    const known = this.peek(entry);
    if (known !== undefined) return known;
    const key = `${entry.path}\0${entry.size}\0${entry.mtimeMs}`;
    let job = this.pending.get(key);
    if (!job) {
      job = this.load1(entry).finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return job;
  }

  /** Stores a fact computed elsewhere (a hash made with the thumbnail). */
  put(entry: ImageEntry, fact: T | null): void {
    this.records.set(entry.path, [entry.size, entry.mtimeMs, fact]);
    this.rev++;
    this.schedule();
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    const body = JSON.stringify({
      version: this.opts.format,
      entries: Object.fromEntries(this.records),
    });
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, body, { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      this.dirty = true;
      this.opts.log?.warn(`could not save ${this.opts.file}: ${(err as Error).message}`);
    }
  }

  private async load1(entry: ImageEntry): Promise<T | null | Refused> {
    // The slot first, so requests waiting for one hold no descriptor.
    await this.slot();
    let fact: T | null | Refused = null;
    try {
      fact = await this.opts.read(entry);
    } catch {
      fact = null;
    } finally {
      this.release();
    }
    if (fact !== REFUSED) this.put(entry, fact);
    return fact;
  }

  private async slot(): Promise<void> {
    if (this.running < (this.opts.concurrency ?? 4)) {
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
    }, this.opts.flushDelayMs ?? 1000);
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
      const data = JSON.parse(text) as { version?: number; entries?: Record<string, unknown> };
      if (data.version !== this.opts.format || !data.entries) return;
      for (const [path, r] of Object.entries(data.entries)) {
        if (
          Array.isArray(r) &&
          r.length === 3 &&
          typeof r[0] === "number" &&
          typeof r[1] === "number" &&
          (r[2] === null || this.opts.valid(r[2]))
        ) {
          this.records.set(path, r as Entry<T>);
        }
      }
    } catch (err) {
      this.opts.log?.warn(`ignoring unreadable ${this.opts.file}: ${(err as Error).message}`);
    }
  }
}
