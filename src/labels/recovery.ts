/**
 * Startup: rebuild the label state from the snapshot and the journal.
 *
 * Load the snapshot, replay newer journal lines in order, skip lines whose
 * event id was already applied, cut a torn tail (unterminated or damaged last
 * lines, or a batch group missing its end) after saving its bytes aside.
 * A damaged line in the middle of the journal, or a damaged snapshot, is
 * survivable only when the other file holds everything the damaged part could
 * have held; then a fresh snapshot is written and the damaged file is kept
 * under a `.corrupt-<time>` name. Otherwise startup is refused with the file
 * and line, and nothing on disk is touched.
 */
import fs from "node:fs";
import type { Logger } from "../core/logger.ts";
import type { Envelope } from "../live/protocol.ts";
import { IDEMPOTENCY_TTL_MS, type IdemEntry } from "./idempotency.ts";
import {
  createJournalFile,
  fsyncDir,
  peekRecord,
  peekSetHeader,
  type RespLine,
  type SetLine,
} from "./journal.ts";
import { checkLine, type LineProblem, parseLine, readLinesAt, scanRawLines } from "./lines.ts";
import type { Sidecar } from "./schema.ts";
import { readSnapshot, writeSnapshotSync } from "./snapshot.ts";

export const JOURNAL_FILE = "labels.log.jsonl";
export const SNAPSHOT_FILE = "labels.snapshot.json";

export class RecoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecoveryError";
  }
}

export interface Recovered {
  records: Map<string, Sidecar>;
  /** Idempotency entries, oldest first (the caller drops expired ones). */
  idem: [string, IdemEntry][];
  /** Highest event id in the snapshot or journal (0 when none). */
  lastEventId: number;
  /** Last item-updated events of the journal (metric-only ones included), in id order, for the bus's replay ring. */
  recent: Envelope[];
  /** Journal lines after the head: how much the next snapshot would compact. */
  journalLines: number;
  snapshotBytes: number;
}

export function setLineEvent(line: SetLine): Envelope {
  return {
    id: line.ev,
    event: {
      type: "item-updated",
      data: {
        path: line.path,
        version: line.rec.version,
        star: line.rec.star,
        tags: line.rec.tags,
        notes: line.rec.notes,
        metrics: line.rec.metrics,
        updated_at: line.rec.updated_at,
        updated_by: line.rec.updated_by,
        client_id: line.client,
        changed_fields: line.cf,
      },
    },
  };
}

/** Entry a single-item set line stands for in the idempotency cache. */
export function setLineIdem(line: SetLine): IdemEntry | null {
  if (line.key === undefined || line.req === undefined) return null;
  return {
    req: line.req,
    at: line.at,
    outcome: {
      kind: "applied",
      sidecar: { path: line.path, ...line.rec },
      event_id: line.ev,
      merged: line.merged ?? false,
      changed: line.cf,
      persistence: line.ps ?? "saved",
    },
  };
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

function isSetLine(v: Record<string, unknown>): boolean {
  return (
    v.t === "set" &&
    typeof v.ev === "number" &&
    typeof v.path === "string" &&
    typeof v.rec === "object" &&
    v.rec !== null &&
    Array.isArray(v.cf)
  );
}

function isGroupTag(g: unknown): g is [number, number] {
  return Array.isArray(g) && g.length === 2 && typeof g[0] === "number" && typeof g[1] === "number";
}

export interface RecoveryOptions {
  /** Item-updated events to keep for the bus's replay ring. */
  recentCapacity?: number;
  /** Keyed lines older than this are not needed for the idempotency cache. */
  idempotencyTtlMs?: number;
  now?: number;
}

export function recoverLabels(dir: string, log: Logger, options: RecoveryOptions = {}): Recovered {
  const recentCapacity = options.recentCapacity ?? 10_000;
  const opts = {
    now: options.now ?? Date.now(),
    idempotencyTtlMs: options.idempotencyTtlMs ?? IDEMPOTENCY_TTL_MS,
  };
  const snapPath = `${dir}/${SNAPSHOT_FILE}`;
  const journalPath = `${dir}/${JOURNAL_FILE}`;
  const hasSnapshot = fs.existsSync(snapPath);
  const hasJournal = fs.existsSync(journalPath);

  // 1. The snapshot, when there is one and it is whole.
  let records = new Map<string, Sidecar>();
  let idem: [string, IdemEntry][] = [];
  let snapEv = 0;
  let snapshotBytes = 0;
  let snapBad: string | null = null;
  if (hasSnapshot) {
    const snap = readSnapshot(snapPath);
    if (snap.ok) {
      records = snap.records;
      idem = snap.idem;
      snapEv = snap.lastEventId;
      snapshotBytes = snap.bytes;
    } else {
      snapBad = `${snapPath} line ${snap.line} is unusable (${snap.problem}: ${snap.detail})`;
    }
  }

  if (!hasJournal) {
    if (snapBad) {
      throw new RecoveryError(
        `${snapBad}, and there is no journal to rebuild it from. Lenslet will not start rather than lose labels: restore the snapshot from a backup, or move it away to start with no labels. Nothing was changed on disk.`,
      );
    }
    if (hasSnapshot) {
      log.warn(`labels: ${journalPath} is missing; continuing from the snapshot (event ${snapEv})`);
    }
    createJournalFile(journalPath, snapEv);
    return { records, idem, lastEventId: snapEv, recent: [], journalLines: 0, snapshotBytes };
  }

  // 2. Replay the journal over it, one commit unit (a line, or a whole batch
  //    group) at a time. Damage is only noted here; step 3 decides.
  const replay = new JournalReplay(
    snapBad ? 0 : snapEv,
    opts.now - opts.idempotencyTtlMs,
    recentCapacity,
  );
  const scan = scanRawLines(journalPath, (buf, start, end, no, offset) =>
    replay.visit(buf, start, end, no, offset),
  );
  const { headBase, committedEnd } = replay;
  const middle = replay.bad.filter((b) => b.offset < committedEnd);
  const tornFrom = committedEnd < scan.size ? committedEnd : null;

  // 3. Decide, before touching anything on disk.
  if (snapBad) {
    if (headBase !== 0 || middle.length > 0) {
      const why =
        headBase === null
          ? "the journal's first line is damaged too"
          : headBase !== 0
            ? `${journalPath} only holds the events after ${headBase}`
            : `${journalPath} line ${middle[0].no} is damaged too`;
      throw new RecoveryError(
        `${snapBad}, and ${why}, so the labels cannot be rebuilt. Lenslet will not start rather than lose labels: restore the snapshot from a backup. Nothing was changed on disk.`,
      );
    }
  } else {
    if (!hasSnapshot && headBase !== null && headBase > 0) {
      throw new RecoveryError(
        `${snapPath} is missing but ${journalPath} continues from event ${headBase}: the labels up to that event would be lost. Restore the snapshot, or move the journal away to start with no labels. Nothing was changed on disk.`,
      );
    }
    if (headBase !== null && headBase > snapEv) {
      throw new RecoveryError(
        `${journalPath} continues from event ${headBase} but ${snapPath} ends at event ${snapEv}: the events in between are missing (was an older snapshot restored?). Nothing was changed on disk.`,
      );
    }
    const uncovered = middle.find((b) => b.nextEv === null || b.nextEv > snapEv);
    if (uncovered) {
      const next =
        uncovered.nextEv === null
          ? "no good event follows it"
          : `the next good line is event ${uncovered.nextEv}`;
      throw new RecoveryError(
        `${journalPath} line ${uncovered.no} is damaged (${uncovered.problem}) and the snapshot does not hold what it held (the snapshot ends at event ${snapEv}; ${next}). Lenslet will not start rather than lose labels; nothing was changed on disk. Restore the journal from a backup, or delete that line by hand if you accept losing it.`,
      );
    }
  }

  const lastEventId = Math.max(snapEv, replay.lastSeen, replay.lastApplied);
  const recent = replay.finish(journalPath, records, idem);
  const evidence = stamp();
  if (replay.duplicates > 0) {
    log.info(
      `labels: skipped ${replay.duplicates} journal lines already applied (duplicate event ids)`,
    );
  }

  // 4. Repairs, now that the result is known to be complete. Damaged files are
  //    renamed, never overwritten.
  if (snapBad || middle.length > 0) {
    if (snapBad) {
      const kept = `${snapPath}.corrupt-${evidence}`;
      fs.renameSync(snapPath, kept);
      fsyncDir(snapPath);
      log.warn(
        `labels: ${snapBad}; rebuilt it from the journal. The damaged snapshot is kept as ${kept}`,
      );
    }
    snapshotBytes = writeSnapshotSync(snapPath, {
      lastEventId,
      records: [...records.values()],
      idem,
    });
    const kept = `${journalPath}.${middle.length > 0 ? "corrupt" : "replayed"}-${evidence}`;
    fs.renameSync(journalPath, kept);
    createJournalFile(journalPath, lastEventId);
    if (middle.length > 0) {
      log.warn(
        `labels: ${journalPath} line ${middle[0].no} was damaged but the snapshot held its content; wrote a fresh snapshot and journal. The damaged journal is kept as ${kept}`,
      );
    }
    return {
      records,
      idem,
      lastEventId,
      recent,
      journalLines: 0,
      snapshotBytes,
    };
  }

  if (tornFrom !== null) {
    const saved = `${journalPath}.torn-${evidence}`;
    const length = scan.size - tornFrom;
    const fd = fs.openSync(journalPath, "r+");
    try {
      const bytes = Buffer.alloc(length);
      fs.readSync(fd, bytes, 0, length, tornFrom);
      fs.writeFileSync(saved, bytes);
      if (headBase === null) {
        // The head itself was torn: start the file over.
        fs.closeSync(fd);
        createJournalFile(journalPath, lastEventId);
      } else {
        fs.ftruncateSync(fd, tornFrom);
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      }
    } catch (err) {
      try {
        fs.closeSync(fd);
      } catch {
        // closed above
      }
      throw err;
    }
    log.warn(
      `labels: cut a torn tail of ${length} bytes (journal line ${replay.tornLine} onward) from ${journalPath}: a write the crash interrupted, never acknowledged. The bytes are kept in ${saved}`,
    );
  }

  return {
    records,
    idem,
    lastEventId,
    recent,
    journalLines: replay.lines,
    snapshotBytes,
  };
}

interface BadLine {
  no: number;
  offset: number;
  problem: LineProblem | "structure";
  /** Event id of the first good set line after it; what the snapshot must reach to cover it. */
  nextEv: number | null;
}

/** A line as the first pass sees it: a set line's header, or a fully parsed resp line. */
type Unit =
  | { kind: "set"; offset: number; ev: number; at: number; path: string }
  | { kind: "resp"; offset: number; line: RespLine };

interface OpenGroup {
  start: number;
  count: number;
  units: Unit[];
}

const NEED_RECORD = 1;
const NEED_IDEM = 2;
const NEED_RECENT = 4;

/**
 * Replays the journal in two passes. JSON.parse is most of the cost of a
 * line, and most lines are superseded by a later line for the same item, so
 * pass 1 checks every checksum and reads only each set line's header (ev,
 * time, path, group), running the commit-unit and damage bookkeeping; pass 2
 * parses just the lines still needed: the last applied line per item, keyed
 * lines young enough for the idempotency cache, and the recent-events tail.
 */
class JournalReplay {
  headBase: number | null = null;
  /** Offset just past the last complete commit unit: what follows it is a torn tail. */
  committedEnd = 0;
  /** Line number of the first line after `committedEnd`. */
  tornLine = 1;
  lastApplied: number;
  lastSeen = 0;
  duplicates = 0;
  lines = 0;
  readonly bad: BadLine[] = [];
  private group: OpenGroup | null = null;
  /** Path → offset of its last applied set line. */
  private readonly lastLineOf = new Map<string, number>();
  /** Offsets of set lines young enough to hold a live idempotency key. */
  private readonly idemLines: number[] = [];
  /** Offsets of the newest set lines (recent events). */
  private recentLines: number[] = [];
  /** Idempotency entries of resp lines, by offset (for ordering). */
  private readonly respIdem: [number, string, IdemEntry][] = [];

  constructor(
    applyAfter: number,
    private readonly idemSince: number,
    private readonly recentCapacity: number,
  ) {
    this.lastApplied = applyAfter;
  }

  /** Pass 1, one line. */
  visit(buf: Buffer, start: number, end: number, no: number, offset: number): void {
    const next = offset + (end - start) + 1;
    const problem = checkLine(buf, start, end);
    if (problem) {
      this.noteBad(no, offset, problem);
      return;
    }
    if (no === 1) {
      const head = parseLine(buf, start, end);
      if (head.ok && head.value.t === "head" && typeof head.value.base_ev === "number") {
        this.headBase = head.value.base_ev;
        this.committedEnd = next;
        this.tornLine = 2;
      } else {
        this.noteBad(1, 0, "structure");
      }
      return;
    }
    let unit: Unit;
    let g: unknown;
    const header = peekSetHeader(buf, start, end);
    if (header && header.g === null && this.group === null) {
      // The common case, without allocating: a single-line commit unit.
      this.lines++;
      this.noteEv(header.ev);
      this.applySet(offset, header.ev, header.at, header.path);
      this.committedEnd = next;
      this.tornLine = no + 1;
      return;
    }
    if (header) {
      unit = { kind: "set", offset, ev: header.ev, at: header.at, path: header.path };
      g = header.g;
    } else {
      const parsed = parseLine(buf, start, end);
      const v = parsed.ok ? parsed.value : null;
      if (v && isSetLine(v)) {
        unit = {
          kind: "set",
          offset,
          ev: v.ev as number,
          at: Number(v.at),
          path: v.path as string,
        };
      } else if (v && v.t === "resp" && typeof v.key === "string") {
        unit = { kind: "resp", offset, line: v as unknown as RespLine };
      } else {
        this.noteBad(no, offset, parsed.ok ? "structure" : parsed.problem);
        return;
      }
      g = v.g;
    }
    this.lines++;
    if (unit.kind === "set") this.noteEv(unit.ev);
    if (!isGroupTag(g)) {
      if (this.group) this.closeBrokenGroup(no);
      this.apply(unit);
      this.committedEnd = next;
      this.tornLine = no + 1;
      return;
    }
    if (g[0] === 0 || !this.group || this.group.count !== g[1]) {
      if (this.group) this.closeBrokenGroup(no);
      // A group whose first line was damaged still opens here; that bad line is already noted.
      this.group = { start: offset, count: g[1], units: [] };
    }
    this.group.units.push(unit);
    if (g[0] === g[1] - 1) {
      for (const u of this.group.units) this.apply(u);
      this.group = null;
      this.committedEnd = next;
      this.tornLine = no + 1;
    }
  }

  /** Pass 2: parses the lines still needed into `records`, `idem` and the recent events. */
  finish(
    journalPath: string,
    records: Map<string, Sidecar>,
    idem: [string, IdemEntry][],
  ): Envelope[] {
    const need = new Map<number, number>();
    const mark = (offset: number, flag: number) => need.set(offset, (need.get(offset) ?? 0) | flag);
    for (const offset of this.lastLineOf.values()) mark(offset, NEED_RECORD);
    for (const offset of this.idemLines) mark(offset, NEED_IDEM);
    for (const offset of this.recentLines.slice(-this.recentCapacity)) mark(offset, NEED_RECENT);
    const recent: Envelope[] = [];
    const keyed: [number, string, IdemEntry][] = [...this.respIdem];
    readLinesAt(
      journalPath,
      [...need.keys()].sort((a, b) => a - b),
      (offset, buf, start, end) => {
        const want = need.get(offset) as number;
        if (want === NEED_RECORD) {
          // Most lines: only the record is needed, and it parses on its own.
          const r = peekRecord(buf, start, end);
          if (r) {
            records.set(r.path, { path: r.path, ...r.rec });
            return;
          }
        }
        const parsed = parseLine(buf, start, end);
        if (!parsed.ok || !isSetLine(parsed.value)) return;
        const line = parsed.value as unknown as SetLine;
        if (want & NEED_RECORD) records.set(line.path, { path: line.path, ...line.rec });
        if (want & NEED_IDEM) {
          const entry = setLineIdem(line);
          if (entry && line.key) keyed.push([offset, line.key, entry]);
        }
        if (want & NEED_RECENT) recent.push(setLineEvent(line));
      },
    );
    keyed.sort((a, b) => a[0] - b[0]);
    for (const [, key, entry] of keyed) idem.push([key, entry]);
    return recent;
  }

  /** A good set line: it is "the next good event" of every bad line still waiting for one. */
  private noteEv(ev: number): void {
    for (let i = this.bad.length - 1; i >= 0 && this.bad[i].nextEv === null; i--)
      this.bad[i].nextEv = ev;
  }

  private noteBad(no: number, offset: number, problem: BadLine["problem"]): void {
    this.bad.push({ no, offset, problem, nextEv: null });
  }

  /** A group that lost lines in the middle of the file: keep the lines that are good. */
  private closeBrokenGroup(no: number): void {
    const group = this.group as OpenGroup;
    this.noteBad(no, group.start, "structure");
    for (const u of group.units) this.apply(u);
    this.group = null;
  }

  private apply(unit: Unit): void {
    if (unit.kind === "set") {
      this.applySet(unit.offset, unit.ev, unit.at, unit.path);
      return;
    }
    const l = unit.line;
    if (l.at >= this.idemSince) {
      this.respIdem.push([unit.offset, l.key, { req: l.req, at: l.at, outcome: l.outcome }]);
    }
  }

  private applySet(offset: number, ev: number, at: number, path: string): void {
    if (ev > this.lastSeen) {
      // Metric-only changes too: the coalescer re-announces the last window's at boot (E6).
      this.lastSeen = ev;
      this.recentLines.push(offset);
      if (this.recentLines.length > this.recentCapacity * 2) {
        this.recentLines = this.recentLines.slice(-this.recentCapacity);
      }
    }
    if (at >= this.idemSince) this.idemLines.push(offset);
    if (ev <= this.lastApplied) {
      this.duplicates++;
      return;
    }
    this.lastApplied = ev;
    this.lastLineOf.set(path, offset);
  }
}
