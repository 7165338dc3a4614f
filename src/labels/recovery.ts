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
import {
  type Answer,
  fromOutcome,
  fromWire,
  KIND_APPLIED,
  KIND_REJECTED,
  kindOf,
  type WireElement,
} from "./answers.ts";
import { IDEMPOTENCY_TTL_MS } from "./idempotency.ts";
import { createJournalFile, fsyncDir, peekRecord, peekSetHeader, type SetLine } from "./journal.ts";
import { checkLine, type LineProblem, parseLine, readLinesAt, scanRawLines } from "./lines.ts";
import { emptySidecar } from "./patch.ts";
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
  /** Idempotency answers, oldest first (the caller drops expired ones). */
  idem: [string, Answer][];
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

/** The answer a keyed single-item set line stands for; `sidecar` is its record. */
export function setLineAnswer(line: SetLine, sidecar: Sidecar): Answer | null {
  if (line.key === undefined || line.req === undefined) return null;
  return fromOutcome(
    {
      kind: "applied",
      sidecar,
      event_id: line.ev,
      merged: line.merged ?? false,
      changed: line.cf,
      persistence: line.ps ?? "saved",
    },
    line.req,
    line.at,
  );
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
  let idem: [string, Answer][] = [];
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
    records,
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
  if (replay.unreadable > 0) {
    log.warn(
      `labels: ${replay.unreadable} remembered idempotency answers in ${journalPath} point at records that are not there; those keys are forgotten`,
    );
  }
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
  | { kind: "resp"; offset: number; line: Record<string, unknown> & { key: string } };

interface OpenGroup {
  start: number;
  count: number;
  units: Unit[];
}

/**
 * Where a remembered answer's element finds its record: a journal line's
 * offset (parsed in pass 2), a record already known (from the snapshot, or
 * the empty record), or null when it cannot be found.
 */
type Source = number | Sidecar | null;

/** A young resp line, waiting for pass 2 to parse the lines its records are on. */
interface PendingAnswer {
  offset: number;
  key: string;
  line: Record<string, unknown>;
  /** Per element (compact format); null for a format-1 line that carries its records. */
  sources: Source[] | null;
}

const NEED_RECORD = 1;
const NEED_IDEM = 2;
const NEED_RECENT = 4;
const NEED_VERSION = 8;

/**
 * Replays the journal in two passes. JSON.parse is most of the cost of a
 * line, and most lines are superseded by a later line for the same item, so
 * pass 1 checks every checksum and reads only each set line's header (ev,
 * time, path, group), running the commit-unit and damage bookkeeping; pass 2
 * parses just the lines still needed: the last applied line per item, keyed
 * lines young enough for the idempotency table (and the lines holding the
 * records their answers show), and the recent-events tail.
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
  /** Offsets of keyed single-item set lines young enough to hold a live key. */
  private readonly idemLines: number[] = [];
  /** Offsets of the newest set lines (recent events). */
  private recentLines: number[] = [];
  /** Young resp lines, in file order. */
  private readonly answers: PendingAnswer[] = [];
  /** While a group is applied: its set lines by event id, and each path's line before the group. */
  private groupLineOf: Map<number, { offset: number; path: string }> | null = null;
  private beforeGroup: Map<string, number | undefined> | null = null;

  constructor(
    applyAfter: number,
    private readonly idemSince: number,
    private readonly recentCapacity: number,
    /** The snapshot's records; pass 1 does not change them (pass 2 does). */
    private readonly snapRecords: Map<string, Sidecar>,
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
        unit = { kind: "resp", offset, line: v as Record<string, unknown> & { key: string } };
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
      this.applyGroup(this.group.units);
      this.group = null;
      this.committedEnd = next;
      this.tornLine = no + 1;
    }
  }

  /** Pass 2: parses the lines still needed into `records`, `idem` and the recent events. */
  finish(journalPath: string, records: Map<string, Sidecar>, idem: [string, Answer][]): Envelope[] {
    const need = new Map<number, number>();
    const mark = (offset: number, flag: number) => need.set(offset, (need.get(offset) ?? 0) | flag);
    for (const offset of this.lastLineOf.values()) mark(offset, NEED_RECORD);
    for (const offset of this.idemLines) mark(offset, NEED_IDEM);
    for (const offset of this.recentLines.slice(-this.recentCapacity)) mark(offset, NEED_RECENT);
    for (const p of this.answers) {
      for (const src of p.sources ?? []) if (typeof src === "number") mark(src, NEED_VERSION);
    }
    const recent: Envelope[] = [];
    /** Records of the lines answers point at (one object per line, shared with `records`). */
    const lineRecord = new Map<number, Sidecar>();
    const keyed: [number, string, Answer][] = [];
    readLinesAt(
      journalPath,
      [...need.keys()].sort((a, b) => a - b),
      (offset, buf, start, end) => {
        const want = need.get(offset) as number;
        let sidecar: Sidecar | null = null;
        let line: SetLine | null = null;
        if ((want & (NEED_IDEM | NEED_RECENT)) === 0) {
          // Most lines: only the record is needed, and it parses on its own.
          const r = peekRecord(buf, start, end);
          if (r) sidecar = { path: r.path, ...r.rec };
        }
        if (!sidecar) {
          const parsed = parseLine(buf, start, end);
          if (!parsed.ok || !isSetLine(parsed.value)) return;
          line = parsed.value as unknown as SetLine;
          sidecar = { path: line.path, ...line.rec };
        }
        if (want & NEED_RECORD) records.set(sidecar.path, sidecar);
        if (want & NEED_VERSION) lineRecord.set(offset, sidecar);
        if (line && want & NEED_IDEM) {
          const a = setLineAnswer(line, sidecar);
          if (a && line.key) keyed.push([offset, line.key, a]);
        }
        if (line && want & NEED_RECENT) recent.push(setLineEvent(line));
      },
    );
    for (const p of this.answers) {
      const a = this.answerOf(p, lineRecord, records);
      if (a) keyed.push([p.offset, p.key, a]);
      else this.unreadable++;
    }
    keyed.sort((a, b) => a[0] - b[0]);
    for (const [, key, entry] of keyed) idem.push([key, entry]);
    return recent;
  }

  /** Remembered answers whose records could not be found (damage); the caller says so. */
  unreadable = 0;

  private answerOf(
    p: PendingAnswer,
    lineRecord: Map<number, Sidecar>,
    records: Map<string, Sidecar>,
  ): Answer | null {
    if (p.sources === null) {
      // Format 1: the answer carries its records; share the loaded ones of the same version.
      const line = p.line as { req?: unknown; at?: unknown; outcome?: unknown };
      if (typeof line.req !== "string" || typeof line.at !== "number" || !line.outcome) return null;
      const a = fromOutcome(line.outcome as Parameters<typeof fromOutcome>[0], line.req, line.at);
      a.recs = a.recs.map((r) => {
        const cur = r ? records.get(r.path) : undefined;
        return cur && r && cur.version === r.version ? cur : r;
      });
      return a;
    }
    const sources = p.sources;
    return fromWire(p.line, (e: WireElement, i: number) => {
      const src = sources[i];
      const rec = typeof src === "number" ? (lineRecord.get(src) ?? null) : src;
      if (!rec) return null;
      // noop and conflict name the version they showed: the line found must hold exactly it.
      if (kindOf(e[0] as number) !== KIND_APPLIED && rec.version !== e[2]) return null;
      return rec;
    });
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
    this.applyGroup(group.units);
    this.group = null;
  }

  private applyGroup(units: Unit[]): void {
    this.groupLineOf = new Map();
    this.beforeGroup = new Map();
    for (const u of units) this.apply(u);
    this.groupLineOf = null;
    this.beforeGroup = null;
  }

  private apply(unit: Unit): void {
    if (unit.kind === "set") {
      this.groupLineOf?.set(unit.ev, { offset: unit.offset, path: unit.path });
      if (this.beforeGroup && !this.beforeGroup.has(unit.path)) {
        this.beforeGroup.set(unit.path, this.lastLineOf.get(unit.path));
      }
      this.applySet(unit.offset, unit.ev, unit.at, unit.path);
      return;
    }
    const l = unit.line;
    if (!(typeof l.at === "number" && l.at >= this.idemSince)) return;
    const sources = Array.isArray(l.items) ? this.sourcesOf(l.items) : null;
    this.answers.push({ offset: unit.offset, key: l.key as string, line: l, sources });
  }

  /**
   * Where each element of a compact answer finds its record, as of this line:
   * an applied element's set line is in the same group (by event id); a
   * no-op or conflict showed the record current at that element, which is the
   * group's last line for the path so far, else the last line before the
   * group, else the snapshot's record, else the never-written record.
   */
  private sourcesOf(items: unknown[]): Source[] {
    const overlay = new Map<string, number>();
    return items.map((e): Source => {
      if (!Array.isArray(e) || typeof e[0] !== "number") return null;
      const kind = kindOf(e[0]);
      if (kind === KIND_REJECTED) return null;
      if (kind === KIND_APPLIED) {
        const line = this.groupLineOf?.get(e[1] as number);
        if (!line) return null;
        overlay.set(line.path, line.offset);
        return line.offset;
      }
      const path = e[1] as string;
      const version = e[2] as number;
      const inGroup = overlay.get(path);
      if (inGroup !== undefined) return inGroup;
      const before = this.beforeGroup?.has(path)
        ? this.beforeGroup.get(path)
        : this.lastLineOf.get(path);
      if (before !== undefined) return before;
      const snap = this.snapRecords.get(path);
      if (snap) return snap.version === version ? snap : null;
      return version === 1 ? emptySidecar(path) : null;
    });
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
