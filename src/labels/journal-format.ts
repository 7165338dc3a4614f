/**
 * The label journal `labels.log.jsonl`: its line format.
 *
 * Every line is a checksummed JSON object (lines.ts). The first line of a file
 * is a `head` naming the point of the history the journal continues: the last
 * event id and line number (`base_ev`, `base_seq`) already contained in the
 * snapshot, and the checksum of that line (`base_crc`), so a journal from
 * another history does not pass for this one (0 / "": the journal holds the
 * whole history). Every further line carries its line number `n`, one more
 * than the line before, across compactions: a missing line is a gap, not a
 * silence. Then one `set` line per accepted mutation, carrying the resulting
 * record (so replay is "put this record", trivially idempotent), its event
 * id, and the idempotency key; and `resp` lines for idempotent answers that
 * changed nothing or cover a batch (answers.ts). A batch is one group: its
 * lines carry `g: [index, count]` and are written by one append, and replay
 * applies a group only when all its lines are there.
 *
 * Format 1 (before line numbers and compact answers) is still read.
 */
import fs from "node:fs";
import { fsyncDir, writeAll } from "../core/durable-file.ts";
import type { WireAnswer } from "./answers.ts";
import { encodeLine } from "./lines.ts";
import type { Persistence } from "./outcome.ts";
import type { ChangedField, Sidecar } from "./schema.ts";

export const JOURNAL_FORMAT = 2;

/**
 * A record as stored on disk (the path is the line's own field). Flag and
 * colour are absent from records written before they existed (fromStored).
 */
export type StoredRecord = Omit<Sidecar, "path" | "flag" | "color"> &
  Partial<Pick<Sidecar, "flag" | "color">>;

export interface HeadLine {
  t: "head";
  format: number;
  base_ev: number;
  /** Line number of the last line the snapshot contains (format 2); the next line is base_seq + 1. */
  base_seq?: number;
  /** Checksum of that line ("" when base_seq is 0). */
  base_crc?: string;
  created_at: string;
}

/** Where a journal continues: after this line of the history. */
export interface JournalPoint {
  ev: number;
  seq: number;
  crc: string;
}

export const HISTORY_START: JournalPoint = { ev: 0, seq: 0, crc: "" };

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

/** A line as the store hands it to the writer, which puts its number `n` first. */
export type BodyLine = SetLine | RespLine;

/** The parts of a `set` line that replay needs before deciding to parse it. */
export interface SetHeader {
  /** Line number (null in format 1). */
  n: number | null;
  ev: number;
  at: number;
  path: string;
  g: [number, number] | null;
  /** Offset just past the path's closing quote. */
  end: number;
}

/** One line, newline included: `{"n":…,…line}` with its checksum. */
export function encodeBodyLine(n: number, line: object): string {
  return encodeLine({ n, ...line });
}

/** The checksum of an encoded line (the 8 hex digits before `"}\n`). */
export function crcOf(encoded: string): string {
  return encoded.slice(-11, -3);
}

const LINE_NO = Buffer.from('"n":');
const OPEN_GROUP = Buffer.from('"g":[');
const SET_EV = Buffer.from('"t":"set","ev":');
const AT = Buffer.from(',"at":');
const PATH = Buffer.from(',"path":"');

function bytesAt(buf: Buffer, i: number, want: Buffer): boolean {
  for (let k = 0; k < want.length; k++) if (buf[i + k] !== want[k]) return false;
  return true;
}

/** An unsigned decimal at `i`: its value (-1 when there is none, or it is too long) and where it ends. */
function readInt(buf: Buffer, i: number, end: number): { n: number; to: number } {
  let n = 0;
  const from = i;
  while (i < end) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  return { n: i === from || i - from > 15 ? -1 : n, to: i };
}

/**
 * Reads n, ev, at, path and group of a set line without JSON.parse, relying on
 * the field order the writer uses: `{["n":…,]["g":[i,n],]"t":"set","ev":…,"at":…,"path":"…"`.
 * Returns null for anything else (other lines, escaped paths); the caller parses those.
 */
export function peekSetHeader(buf: Buffer, start: number, end: number): SetHeader | null {
  let i = start;
  if (buf[i++] !== 0x7b) return null;
  let n: number | null = null;
  if (bytesAt(buf, i, LINE_NO)) {
    const r = readInt(buf, i + LINE_NO.length, end);
    if (r.n < 0 || buf[r.to] !== 0x2c) return null;
    n = r.n;
    i = r.to + 1;
  }
  let g: [number, number] | null = null;
  if (bytesAt(buf, i, OPEN_GROUP)) {
    const a = readInt(buf, i + OPEN_GROUP.length, end);
    if (a.n < 0 || buf[a.to] !== 0x2c) return null;
    const b = readInt(buf, a.to + 1, end);
    if (b.n < 0 || buf[b.to] !== 0x5d || buf[b.to + 1] !== 0x2c) return null;
    g = [a.n, b.n];
    i = b.to + 2;
  }
  if (!bytesAt(buf, i, SET_EV)) return null;
  const ev = readInt(buf, i + SET_EV.length, end);
  if (ev.n < 0 || !bytesAt(buf, ev.to, AT)) return null;
  const at = readInt(buf, ev.to + AT.length, end);
  if (at.n < 0 || !bytesAt(buf, at.to, PATH)) return null;
  i = at.to + PATH.length;
  const from = i;
  while (i < end && buf[i] !== 0x22) {
    if (buf[i] === 0x5c) return null; // an escape: let JSON.parse read it
    i++;
  }
  if (i >= end) return null;
  return { n, ev: ev.n, at: at.n, path: buf.toString("utf8", from, i), g, end: i + 1 };
}

/** The line number `n` of any format-2 line, read without JSON.parse; null when absent. */
export function peekLineNo(buf: Buffer, start: number, end: number): number | null {
  if (buf[start] !== 0x7b || !bytesAt(buf, start + 1, LINE_NO)) return null;
  const r = readInt(buf, start + 1 + LINE_NO.length, end);
  return r.n < 0 ? null : r.n;
}

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
  if (!h || !bytesAt(buf, h.end, REC_OPEN)) return null;
  const recStart = h.end + REC_OPEN.length - 1;
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

export function headLine(base: JournalPoint): string {
  const head: HeadLine = {
    t: "head",
    format: JOURNAL_FORMAT,
    base_ev: base.ev,
    base_seq: base.seq,
    base_crc: base.crc,
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
    flag: s.flag,
    color: s.color,
    version: s.version,
    updated_at: s.updated_at,
    updated_by: s.updated_by,
  };
}

/**
 * A stored record as the store holds it, in the store's key order. Records
 * written before flags and colour labels existed have neither: they read as
 * null (unflagged, no colour), so old journals and snapshots load unchanged.
 */
export function fromStored(path: string, r: StoredRecord): Sidecar {
  return {
    path,
    star: r.star,
    tags: r.tags,
    notes: r.notes,
    metrics: r.metrics,
    flag: r.flag ?? null,
    color: r.color ?? null,
    version: r.version,
    updated_at: r.updated_at,
    updated_by: r.updated_by,
  };
}

/** Creates a journal file holding only its head line, durably (temp, fsync, rename, fsync dir). */
export function createJournalFile(path: string, base: JournalPoint = HISTORY_START): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    writeAll(fd, headLine(base));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  fsyncDir(path);
}
