/**
 * The snapshot `labels.snapshot.json` and journal compaction.
 *
 * A snapshot is checksummed JSON lines (lines.ts): a `snapshot` header with
 * the point of the journal it contains (last event id `last_ev`, last line
 * number `seq` and that line's checksum `seq_crc`: the journal must go on
 * from exactly there), one `item` line per written record, one
 * `ver` line per older record a remembered answer still shows, one `idem`
 * line per live idempotency key (its compact answer, pointing at item and
 * ver lines by index: answers.ts), and an `end` line with the counts (a
 * snapshot without its end line is incomplete). Format 1 had no ver lines
 * and kept each answer whole; it still loads. It is written to a temp file,
 * fsync'd, renamed into place and the folder fsync'd, so a reader sees the
 * old snapshot or the new one, never a mix.
 *
 * Compaction then rewrites the journal as a head line naming the snapshot's
 * point plus the lines written after the snapshot's cut (keeping their numbers).
 */
import fs from "node:fs";
import { replaceFile, replaceFileSync, writeAll } from "../core/durable-file.ts";
import { type Answer, fromOutcome, fromWire, toSnapshotWire } from "./answers.ts";
import type { FaultSource } from "./faults.ts";
import { injectedError } from "./faults.ts";
import {
  fromStored,
  headLine,
  type JournalPoint,
  type StoredRecord,
  toStored,
} from "./journal-format.ts";
import { checkLine, encodeLine, type LineProblem, parseLine, scanRawLines } from "./lines.ts";
import type { Outcome } from "./outcome.ts";
import type { Sidecar } from "./schema.ts";

export const SNAPSHOT_FORMAT = 2;

/** A consistent cut of the store: records are immutable, so an array of references is a snapshot. */
export interface SnapshotCut {
  /** The journal's point the cut contains (event id, line number, checksum). */
  point: JournalPoint;
  records: Sidecar[];
  idem: [string, Answer][];
}

const CHUNK_CHARS = 1 << 20;

/** The snapshot's text in chunks of about 1 MB. */
function* snapshotChunks(cut: SnapshotCut): Generator<string> {
  // Records the answers show: current ones are item lines already; older ones get a ver line.
  const shown = new Set<Sidecar>();
  for (const [, a] of cut.idem) for (const r of a.recs) if (r) shown.add(r);
  const index = new Map<Sidecar, number>();
  if (shown.size > 0) {
    for (let i = 0; i < cut.records.length; i++) {
      if (shown.has(cut.records[i])) index.set(cut.records[i], i);
    }
  }
  const vers: Sidecar[] = [];
  for (const r of shown) {
    if (index.has(r)) continue;
    index.set(r, cut.records.length + vers.length);
    vers.push(r);
  }
  const counts = { items: cut.records.length, vers: vers.length, idem: cut.idem.length };
  let buf = encodeLine({
    t: "snapshot",
    format: SNAPSHOT_FORMAT,
    last_ev: cut.point.ev,
    seq: cut.point.seq,
    seq_crc: cut.point.crc,
    created_at: new Date().toISOString(),
    ...counts,
  });
  const lines = function* (): Generator<object> {
    for (const s of cut.records) yield { t: "item", path: s.path, rec: toStored(s) };
    for (const s of vers) yield { t: "ver", path: s.path, rec: toStored(s) };
    for (const [key, a] of cut.idem) {
      yield { t: "idem", ...toSnapshotWire(key, a, (r) => index.get(r) as number) };
    }
  };
  for (const line of lines()) {
    buf += encodeLine(line);
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = "";
    }
  }
  yield buf + encodeLine({ t: "end", ...counts });
}

/**
 * Writes a snapshot atomically, yielding to the event loop between chunks so
 * requests keep flowing. Returns its size in bytes.
 */
export async function writeSnapshot(
  path: string,
  cut: SnapshotCut,
  faults?: FaultSource | null,
): Promise<number> {
  const code = faults?.check("snapshot");
  if (code) throw injectedError("snapshot", code);
  return replaceFile(path, async (fd) => {
    for (const chunk of snapshotChunks(cut)) {
      writeAll(fd, chunk);
      await new Promise<void>((r) => setImmediate(r));
    }
  });
}

/** The same, blocking: for startup and repair, when nothing else runs yet. */
export function writeSnapshotSync(path: string, cut: SnapshotCut): number {
  return replaceFileSync(path, (fd) => {
    for (const chunk of snapshotChunks(cut)) writeAll(fd, chunk);
  });
}

export type SnapshotRead =
  | {
      ok: true;
      /** The journal point it contains; seq/crc null for format 1 (no line numbers then). */
      point: { ev: number; seq: number | null; crc: string | null };
      format: number;
      records: Map<string, Sidecar>;
      idem: [string, Answer][];
      bytes: number;
    }
  | { ok: false; line: number; problem: LineProblem | "structure" | "incomplete"; detail: string };

/** Reads and checks a snapshot; any damaged or missing line makes it unusable as a whole. */
export function readSnapshot(path: string): SnapshotRead {
  const records = new Map<string, Sidecar>();
  const idem: [string, Answer][] = [];
  /** Item then ver lines in file order: what idem lines point at (format 2). */
  const byIndex: Sidecar[] = [];
  let vers = 0;
  let lastEventId = -1;
  let seq: number | null = null;
  let seqCrc: string | null = null;
  let format = 1;
  let ended = false;
  let bad: Extract<SnapshotRead, { ok: false }> | null = null;
  const fail = (line: number, problem: LineProblem | "structure", detail: string) => {
    bad = { ok: false, line, problem, detail };
  };
  const scan = scanRawLines(path, (buf, start, end, no) => {
    if (bad) return;
    const problem = checkLine(buf, start, end);
    const parsed = problem ? null : parseLine(buf, start, end);
    if (!parsed?.ok) {
      fail(no, problem ?? (parsed as { problem: LineProblem }).problem, "damaged line");
      return;
    }
    const v = parsed.value;
    if (no === 1) {
      if (v.t !== "snapshot" || typeof v.last_ev !== "number")
        fail(1, "structure", "first line is not a snapshot header");
      else {
        lastEventId = v.last_ev;
        format = typeof v.format === "number" ? v.format : 1;
        if (format >= 2 && (typeof v.seq !== "number" || typeof v.seq_crc !== "string")) {
          fail(1, "structure", "snapshot header without its journal point");
        }
        seq = typeof v.seq === "number" ? v.seq : null;
        seqCrc = typeof v.seq_crc === "string" ? v.seq_crc : null;
      }
      return;
    }
    if (ended) {
      fail(no, "structure", "line after the end marker");
    } else if ((v.t === "item" || v.t === "ver") && typeof v.path === "string" && isRecord(v.rec)) {
      const s = fromStored(v.path, v.rec as StoredRecord);
      if (v.t === "item") records.set(v.path, s);
      else vers++;
      byIndex.push(s);
    } else if (v.t === "idem" && typeof v.key === "string") {
      const a =
        format >= 2
          ? fromWire(v, (e) => byIndex[e[1] as number] ?? null)
          : legacyAnswer(v, records);
      if (a) idem.push([v.key, a]);
      else fail(no, "structure", "unreadable idempotency answer");
    } else if (v.t === "end") {
      ended = true;
      if (v.items !== records.size || v.idem !== idem.length || (format >= 2 && v.vers !== vers)) {
        fail(no, "structure", "counts do not match the end marker");
      }
    } else {
      fail(no, "structure", "unknown line");
    }
  });
  const damaged = bad as Extract<SnapshotRead, { ok: false }> | null;
  if (damaged) return damaged;
  if (scan.tail) {
    return {
      ok: false,
      line: scan.tail.no,
      problem: "incomplete",
      detail: "unterminated last line",
    };
  }
  if (lastEventId < 0 || !ended) {
    return { ok: false, line: 1, problem: "incomplete", detail: "no end marker" };
  }
  return {
    ok: true,
    point: { ev: lastEventId, seq, crc: seqCrc },
    format,
    records,
    idem,
    bytes: scan.size,
  };
}

/**
 * A format-1 idem line kept the whole Outcome. Its records are swapped for the
 * loaded ones of the same path and version, so memory holds each record once.
 */
function legacyAnswer(v: Record<string, unknown>, records: Map<string, Sidecar>): Answer | null {
  const outcome = v.outcome as Outcome | undefined;
  if (typeof v.req !== "string" || typeof v.at !== "number" || typeof outcome !== "object")
    return null;
  const a = fromOutcome(outcome, v.req, v.at);
  a.recs = a.recs.map((r) => {
    const cur = r ? records.get(r.path) : undefined;
    return cur && r && cur.version === r.version ? cur : r && fromStored(r.path, r);
  });
  return a;
}

function isRecord(v: unknown): boolean {
  return (
    typeof v === "object" && v !== null && typeof (v as { version?: unknown }).version === "number"
  );
}

/**
 * Rewrites the journal as: head(base) + bytes [from, to) of the current
 * journal. Atomic (temp, fsync, rename, fsync dir). Run it between journal
 * commits (JournalWriter.exclusive) and reopen the writer after.
 */
export function compactJournal(
  journalPath: string,
  from: number,
  to: number,
  base: JournalPoint,
): void {
  replaceFileSync(journalPath, (out) => {
    writeAll(out, headLine(base));
    const src = fs.openSync(journalPath, "r");
    try {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(to - from, 1), 8 << 20));
      let pos = from;
      while (pos < to) {
        const n = fs.readSync(src, buf, 0, Math.min(buf.length, to - pos), pos);
        if (n === 0) throw new Error(`journal shorter than expected (${pos} < ${to})`);
        writeAll(out, buf.subarray(0, n));
        pos += n;
      }
    } finally {
      fs.closeSync(src);
    }
  });
}
