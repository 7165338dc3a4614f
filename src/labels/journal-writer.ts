/**
 * The journal's group-commit writer: appends that arrive while a write+fsync
 * is in flight share the next one. Strict mode answers after fsync; relaxed
 * mode answers after write() and fsyncs on a timer. The writer numbers the
 * lines (`n`, journal-format.ts) as it writes them, so a failed append, whose
 * bytes are cut again, leaves no gap.
 *
 * Appends go through writeSync on an O_APPEND descriptor (faults.ts realIo).
 * A Bun FileSink on the same descriptor (`fileSinkIo`, `--append filesink` in
 * bench/labels.ts) was not faster: HTTP PATCH/s at 64 clients, three runs each,
 * writeSync 9,672 / 12,330 / 14,079 vs FileSink 10,188 / 10,198 / 13,083.
 */
import fs from "node:fs";
import { realTimers, type Timers } from "../core/timers.ts";
import type { DiskIo } from "./faults.ts";
import { type BodyLine, crcOf, encodeBodyLine } from "./journal-format.ts";
import { PersistenceError } from "./refusals.ts";

export { PersistenceError };

export interface JournalWriterOptions {
  path: string;
  mode: "strict" | "relaxed";
  io: DiskIo;
  /** Called on every change between "writes reach the disk" and "they don't". */
  onHealth: (ok: boolean, error: Error | null) => void;
  /** Relaxed mode: fsync period. */
  syncEveryMs?: number;
  /** While unhealthy: how often to probe whether the disk works again. */
  probeEveryMs?: number;
  /** The last line already in the file (its number and checksum): where numbering goes on. */
  last?: { seq: number; crc: string };
  timers?: Timers;
}

interface Pending {
  lines: readonly object[];
  onDurable: () => void;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class JournalWriter {
  private fd: number;
  private bytes: number;
  private queue: Pending[] = [];
  private barriers: (() => void)[] = [];
  private running = false;
  /** Bytes past `bytes` may be on file from a failed append: cut them before the next write. */
  private dirty = false;
  private unsynced = false;
  private healthy = true;
  private closed = false;
  private readonly stopSync: (() => void) | null = null;
  private stopProbe: (() => void) | null = null;
  private lastErrorValue: Error | null = null;
  private readonly timers: Timers;
  /** Number and checksum of the last line written (and, in strict mode, fsync'd). */
  private seq: number;
  private crc: string;

  constructor(private readonly opts: JournalWriterOptions) {
    this.fd = fs.openSync(opts.path, "a");
    this.bytes = fs.fstatSync(this.fd).size;
    this.seq = opts.last?.seq ?? 0;
    this.crc = opts.last?.crc ?? "";
    this.timers = opts.timers ?? realTimers;
    if (opts.mode === "relaxed") {
      this.stopSync = this.timers.every(opts.syncEveryMs ?? 1000, () => void this.periodicSync());
    }
  }

  /** The last line written: the point a snapshot taken now contains (see exclusive). */
  get last(): { seq: number; crc: string } {
    return { seq: this.seq, crc: this.crc };
  }

  /**
   * Makes everything written so far durable. Relaxed mode writes ahead of
   * fsync; a snapshot fsyncs the journal up to its cut before it is written,
   * so a crash never leaves a snapshot ahead of its journal.
   */
  async syncNow(): Promise<void> {
    if (this.opts.mode === "relaxed") await this.opts.io.fsync(this.fd);
  }

  /** Bytes of the journal known good (written, and in strict mode fsync'd). */
  get size(): number {
    return this.bytes;
  }

  get path(): string {
    return this.opts.path;
  }

  get ok(): boolean {
    return this.healthy;
  }

  get lastError(): Error | null {
    return this.lastErrorValue;
  }

  /**
   * Appends `lines` (numbered and encoded here, in order). `onDurable` runs synchronously inside the
   * commit, before any later append or barrier: the store updates memory there,
   * so memory always equals "the journal up to `size`" between commits.
   * Rejects with PersistenceError when the disk refuses; nothing was acknowledged then.
   */
  append(lines: readonly (BodyLine | object)[], onDurable: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new PersistenceError(new Error("journal closed")));
    return new Promise((resolve, reject) => {
      this.queue.push({ lines, onDurable, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** Runs `fn` between commits, when nothing is half-written; resolves after it ran. */
  exclusive<T>(fn: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      const job = () => {
        try {
          resolve(fn());
        } catch (err) {
          reject(err);
        }
      };
      if (!this.running) job();
      else this.barriers.push(job);
    });
  }

  /** Swaps the underlying file (after compaction renamed a new one into place). Call inside `exclusive`. */
  reopen(): void {
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.opts.path, "a");
    this.bytes = fs.fstatSync(this.fd).size;
    this.dirty = false;
    this.unsynced = false;
  }

  async close(): Promise<void> {
    await this.exclusive(() => undefined);
    this.closed = true;
    this.stopSync?.();
    this.stopProbe?.();
    if (this.unsynced) {
      try {
        await this.opts.io.fsync(this.fd);
      } catch {
        // Nothing more can be done at shutdown; the writes were acknowledged as relaxed.
      }
    }
    fs.closeSync(this.fd);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const barriers = this.barriers;
        this.barriers = [];
        for (const job of barriers) job();
        if (this.queue.length === 0) break;
        const batch = this.queue;
        this.queue = [];
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let seq = this.seq;
    let crc = this.crc;
    let text = "";
    for (const p of batch) {
      for (const line of p.lines) {
        const encoded = encodeBodyLine(++seq, line);
        crc = crcOf(encoded);
        text += encoded;
      }
    }
    const data = Buffer.from(text);
    const io = this.opts.io;
    // Relaxed mode answers before fsync, but not while the disk is known to fail:
    // then every write waits for its fsync, so nothing unsaved is acknowledged.
    const sync = this.opts.mode === "strict" || !this.healthy;
    try {
      if (this.dirty) {
        io.truncate(this.fd, this.bytes);
        this.dirty = false;
      }
      io.append(this.fd, data);
      if (sync) await io.fsync(this.fd);
    } catch (err) {
      this.dirty = true;
      this.tryUndo();
      const error = err instanceof Error ? err : new Error(String(err));
      this.markUnhealthy(error);
      const failure = new PersistenceError(error);
      for (const p of batch) p.reject(failure);
      return;
    }
    this.bytes += data.length;
    this.seq = seq;
    this.crc = crc;
    if (sync) {
      this.unsynced = false;
      this.markHealthy();
    } else {
      this.unsynced = true;
    }
    for (const p of batch) {
      try {
        p.onDurable();
      } catch (err) {
        // A listener's bug must not stall the journal; the write itself is durable.
        console.error("label journal: post-commit callback failed", err);
      }
      p.resolve();
    }
  }

  /** Cut a failed append's bytes now if the disk lets us; else before the next write. */
  private tryUndo(): void {
    try {
      this.opts.io.truncate(this.fd, this.bytes);
      this.dirty = false;
    } catch {
      // Still broken: the next commit or probe truncates first.
    }
  }

  private async periodicSync(): Promise<void> {
    if (!this.unsynced || this.running || this.closed) return;
    this.running = true;
    try {
      this.unsynced = false;
      await this.opts.io.fsync(this.fd);
      this.markHealthy();
    } catch (err) {
      this.unsynced = true;
      this.markUnhealthy(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.running = false;
      if (this.queue.length > 0 || this.barriers.length > 0) void this.run();
    }
  }

  /** While failed: check by itself whether the disk works again, so state recovers without a write. */
  private async probe(): Promise<void> {
    if (this.running || this.closed || this.healthy) return;
    this.running = true;
    try {
      if (this.dirty) {
        this.opts.io.truncate(this.fd, this.bytes);
        this.dirty = false;
      }
      await this.opts.io.fsync(this.fd);
      this.unsynced = false;
      this.markHealthy();
    } catch (err) {
      this.lastErrorValue = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.running = false;
      if (this.queue.length > 0 || this.barriers.length > 0) void this.run();
    }
  }

  private markUnhealthy(error: Error): void {
    this.lastErrorValue = error;
    if (!this.healthy) return;
    this.healthy = false;
    this.stopProbe = this.timers.every(this.opts.probeEveryMs ?? 1000, () => void this.probe());
    this.opts.onHealth(false, error);
  }

  private markHealthy(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.stopProbe?.();
    this.stopProbe = null;
    this.opts.onHealth(true, null);
  }
}
