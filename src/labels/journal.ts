/**
 * The label journal `labels.log.jsonl`: its line format and the appender.
 *
 * Every line is a checksummed JSON object (lines.ts). The first line of a file
 * is a `head` naming the last event id already contained in the snapshot it
 * continues (0: the journal holds the whole history). Then one `set` line per
 * accepted mutation, carrying the resulting record (so replay is "put this
 * record", trivially idempotent), its event id, and the idempotency key; and
 * `resp` lines for idempotent answers that changed nothing or cover a batch.
 * A batch is one group: its lines carry `g: [index, count]` and are written
 * by one append, and replay applies a group only when all its lines are there.
 *
 * The appender does group commit: appends that arrive while a write+fsync is
 * in flight share the next one. Strict mode answers after fsync; relaxed mode
 * answers after write() and fsyncs once a second.
 */
import fs from "node:fs";
import type { DiskIo } from "./faults.ts";
import { encodeLine } from "./lines.ts";
import { PersistenceError } from "./refusals.ts";

export { PersistenceError };

import type { WireAnswer } from "./answers.ts";
import type { Persistence } from "./outcome.ts";
import type { ChangedField, Sidecar } from "./schema.ts";

export const JOURNAL_FORMAT = 1;

/** A record as stored on disk (the path is the line's own field). */
export type StoredRecord = Omit<Sidecar, "path">;

export interface HeadLine {
  t: "head";
  format: number;
  base_ev: number;
  created_at: string;
}

export interface SetLine {
  t: "set";
  ev: number;
  /** Server time of acceptance, ms since epoch (idempotency TTL counts from it). */
  at: number;
  path: string;
  rec: StoredRecord;
  cf: ChangedField[];
  client: string | null;
  /** Idempotency key and request hash; only on single-item writes, whose answer is rebuilt from this line. */
  key?: string;
  req?: string;
  merged?: boolean;
  /** Persistence the answer reported, when not "saved". */
  ps?: Persistence;
  g?: [number, number];
}

/**
 * The compact answer of a keyed write that a set line cannot stand for: a
 * batch, a no-op or a conflict (answers.ts; applied elements point at their
 * set line by event id). Format 1 wrote the whole answer as `outcome` instead.
 */
export interface RespLine extends WireAnswer {
  t: "resp";
  g?: [number, number];
}

export type JournalLine = HeadLine | SetLine | RespLine;

/** The parts of a `set` line that replay needs before deciding to parse it. */
export interface SetHeader {
  ev: number;
  at: number;
  path: string;
  g: [number, number] | null;
}

const OPEN_GROUP = Buffer.from('"g":[');
const SET_EV = Buffer.from('"t":"set","ev":');
const AT = Buffer.from(',"at":');
const PATH = Buffer.from(',"path":"');

function bytesAt(buf: Buffer, i: number, want: Buffer): boolean {
  for (let k = 0; k < want.length; k++) if (buf[i + k] !== want[k]) return false;
  return true;
}

/** Reads an unsigned decimal at `i`; sets `intEnd`. -1 when there is none (or it is too long). */
let intEnd = 0;
function readInt(buf: Buffer, i: number, end: number): number {
  let n = 0;
  const from = i;
  while (i < end) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  intEnd = i;
  return i === from || i - from > 15 ? -1 : n;
}

/**
 * Reads ev, at, path and group of a set line without JSON.parse, relying on
 * the field order the store writes: `{["g":[i,n],]"t":"set","ev":…,"at":…,"path":"…"`.
 * Returns null for anything else (other lines, escaped paths); the caller parses those.
 */
export function peekSetHeader(buf: Buffer, start: number, end: number): SetHeader | null {
  let i = start;
  if (buf[i++] !== 0x7b) return null;
  let g: [number, number] | null = null;
  if (bytesAt(buf, i, OPEN_GROUP)) {
    const a = readInt(buf, i + OPEN_GROUP.length, end);
    i = intEnd;
    if (a < 0 || buf[i++] !== 0x2c) return null;
    const b = readInt(buf, i, end);
    i = intEnd;
    if (b < 0 || buf[i++] !== 0x5d || buf[i++] !== 0x2c) return null;
    g = [a, b];
  }
  if (!bytesAt(buf, i, SET_EV)) return null;
  const ev = readInt(buf, i + SET_EV.length, end);
  i = intEnd;
  if (ev < 0 || !bytesAt(buf, i, AT)) return null;
  const at = readInt(buf, i + AT.length, end);
  i = intEnd;
  if (at < 0 || !bytesAt(buf, i, PATH)) return null;
  i += PATH.length;
  const from = i;
  while (i < end && buf[i] !== 0x22) {
    if (buf[i] === 0x5c) return null; // an escape: let JSON.parse read it
    i++;
  }
  if (i >= end) return null;
  headerEnd = i + 1;
  return { ev, at, path: buf.toString("utf8", from, i), g };
}

/** Offset just past the path of the last line peekSetHeader accepted. */
let headerEnd = 0;
const REC_OPEN = Buffer.from(',"rec":{');
const REC_CLOSE = Buffer.from('},"cf":[');

/**
 * The record of a set line, parsed on its own (half the cost of parsing the
 * whole line). Relies on the store's field order: path, then rec, then cf.
 * A quote inside a JSON string is escaped, so `},"cf":[` cannot occur inside
 * one, and metric values are numbers, so the last `},"cf":[` closes rec.
 * Returns null when the line is not in that shape; the caller parses it whole.
 */
export function peekRecord(
  buf: Buffer,
  start: number,
  end: number,
): { path: string; rec: StoredRecord } | null {
  const h = peekSetHeader(buf, start, end);
  if (!h || !bytesAt(buf, headerEnd, REC_OPEN)) return null;
  const recStart = headerEnd + REC_OPEN.length - 1;
  const recEnd = buf.lastIndexOf(REC_CLOSE, end) + 1;
  if (recEnd <= recStart) return null;
  try {
    const rec = JSON.parse(buf.toString("utf8", recStart, recEnd)) as StoredRecord;
    return typeof rec === "object" && rec !== null && typeof rec.version === "number"
      ? { path: h.path, rec }
      : null;
  } catch {
    return null;
  }
}

export function headLine(baseEv: number): string {
  const head: HeadLine = {
    t: "head",
    format: JOURNAL_FORMAT,
    base_ev: baseEv,
    created_at: new Date().toISOString(),
  };
  return encodeLine(head);
}

export function toStored(s: Sidecar): StoredRecord {
  return {
    star: s.star,
    tags: s.tags,
    notes: s.notes,
    metrics: s.metrics,
    version: s.version,
    updated_at: s.updated_at,
    updated_by: s.updated_by,
  };
}

/** Creates a journal file holding only its head line, durably (temp, fsync, rename, fsync dir). */
export function createJournalFile(path: string, baseEv: number, extra = ""): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    const data = Buffer.from(headLine(baseEv) + extra);
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  fsyncDir(path);
}

export function fsyncDir(filePath: string): void {
  const dir = filePath.slice(0, Math.max(1, filePath.lastIndexOf("/")));
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

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
}

interface Pending {
  data: string;
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
  private readonly syncTimer: ReturnType<typeof setInterval> | null = null;
  private probeTimer: ReturnType<typeof setInterval> | null = null;
  private lastErrorValue: Error | null = null;

  constructor(private readonly opts: JournalWriterOptions) {
    this.fd = fs.openSync(opts.path, "a");
    this.bytes = fs.fstatSync(this.fd).size;
    if (opts.mode === "relaxed") {
      this.syncTimer = setInterval(() => void this.periodicSync(), opts.syncEveryMs ?? 1000);
      this.syncTimer.unref?.();
    }
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
   * Appends `data` (whole lines). `onDurable` runs synchronously inside the
   * commit, before any later append or barrier: the store updates memory there,
   * so memory always equals "the journal up to `size`" between commits.
   * Rejects with PersistenceError when the disk refuses; nothing was acknowledged then.
   */
  append(data: string, onDurable: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new PersistenceError(new Error("journal closed")));
    return new Promise((resolve, reject) => {
      this.queue.push({ data, onDurable, resolve, reject });
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
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
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
    const text = batch.length === 1 ? batch[0].data : batch.map((p) => p.data).join("");
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
    this.probeTimer = setInterval(() => void this.probe(), this.opts.probeEveryMs ?? 1000);
    this.probeTimer.unref?.();
    this.opts.onHealth(false, error);
  }

  private markHealthy(): void {
    if (this.healthy) return;
    this.healthy = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    this.opts.onHealth(true, null);
  }
}
