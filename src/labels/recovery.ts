/**
 * Startup: rebuild the label state from the snapshot and the journal.
 *
 * Reads the snapshot whole and the journal in a first pass (checksums, line
 * numbering, commit units: JournalReplay), sums both up, and lets
 * planRecovery (recovery-plan.ts, pure) decide: start fresh, load (cutting a
 * torn tail, or writing both files afresh after repairable damage or from an
 * older format), or refuse naming the file, the line and the remedy. Then it
 * carries the plan out: a second pass parses only the lines still needed,
 * damaged files are renamed, never overwritten, and an accepted loss is
 * recorded in labels.losses.jsonl. A refusal touches nothing on disk.
 */
import fs from "node:fs";
import { fsyncDir, writeAll } from "../core/durable-file.ts";
import type { Logger } from "../core/logger.ts";
import {
  type Answer,
  fromOutcome,
  fromWire,
  KIND_APPLIED,
  KIND_REJECTED,
  kindOf,
  type WireElement,
} from "./answers.ts";
import type { JournaledEvent } from "./events.ts";
import { IDEMPOTENCY_TTL_MS } from "./idempotency.ts";
import {
  createJournalFile,
  fromStored,
  peekLineNo,
  peekRecord,
  peekSetHeader,
  type SetLine,
} from "./journal-format.ts";
import {
  checkLine,
  encodeLine,
  type LineProblem,
  parseLine,
  readLinesAt,
  scanRawLines,
} from "./lines.ts";
import { emptySidecar } from "./patch.ts";
import {
  type JournalDamage,
  type JournalSummary,
  planRecovery,
  type SnapshotSummary,
} from "./recovery-plan.ts";
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
  /** The journal's last line (number and checksum): where the writer's numbering goes on. */
  journalLast: { seq: number; crc: string };
  /** Last item-updated events of the journal (metric-only ones included), in id order, for the bus's replay ring. */
  recent: JournaledEvent[];
  /** Journal lines after the head: how much the next snapshot would compact. */
  journalLines: number;
  snapshotBytes: number;
}

export function setLineEvent(line: SetLine): JournaledEvent {
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
        flag: line.rec.flag ?? null,
        color: line.rec.color ?? null,
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
  /** Keyed lines older than this are not needed for the idempotency table. */
  idempotencyTtlMs?: number;
  now?: number;
  /** `--accept-label-loss`: start from what is left instead of refusing, and record the loss. */
  acceptLoss?: boolean;
}

export const LOSSES_FILE = "labels.losses.jsonl";

/**
 * Reads the snapshot and the journal, asks planRecovery what to do, and does
 * it: refuse (RecoveryError, nothing touched), or load and then cut a torn
 * tail or write both files afresh (damaged files are renamed, never overwritten).
 */
export function recoverLabels(dir: string, log: Logger, options: RecoveryOptions = {}): Recovered {
  const recentCapacity = options.recentCapacity ?? 10_000;
  const now = options.now ?? Date.now();
  const ttl = options.idempotencyTtlMs ?? IDEMPOTENCY_TTL_MS;
  const snapPath = `${dir}/${SNAPSHOT_FILE}`;
  const journalPath = `${dir}/${JOURNAL_FILE}`;

  // 1. Read: the snapshot whole, the journal's first pass (checksums, numbering, commit units).
  const snap = fs.existsSync(snapPath) ? readSnapshot(snapPath) : null;
  const snapshot: SnapshotSummary = {
    path: snapPath,
    state: snap === null ? "absent" : snap.ok ? "ok" : "damaged",
    problem:
      snap && !snap.ok
        ? `${snapPath} line ${snap.line} is unusable (${snap.problem}: ${snap.detail})`
        : null,
    format: snap?.ok ? snap.format : 0,
    ev: snap?.ok ? snap.point.ev : 0,
    seq: snap?.ok ? snap.point.seq : null,
    crc: snap?.ok ? snap.point.crc : null,
  };
  const good = snap?.ok ? snap : null;
  const journalBytes = fs.existsSync(journalPath) ? fs.statSync(journalPath).size : null;
  const replay = new JournalReplay(
    good ? { ev: good.point.ev, seq: good.point.seq } : { ev: 0, seq: null },
    now - ttl,
    recentCapacity,
    good?.records ?? new Map(),
  );
  const scan =
    journalBytes !== null && journalBytes > 0
      ? scanRawLines(journalPath, (buf, start, end, no, offset) =>
          replay.visit(buf, start, end, no, offset),
        )
      : null;
  const committedEnd = replay.committedEnd;
  const journal: JournalSummary = {
    path: journalPath,
    state: journalBytes === null ? "absent" : journalBytes === 0 ? "empty" : "read",
    head: replay.head,
    last: replay.head?.seq != null ? { seq: replay.lastSeq, crc: replay.lastCrc } : null,
    crcAtSnapshot: replay.crcAtSnapshot,
    damage: replay.bad.filter((b) => b.offset < committedEnd),
    torn: scan && committedEnd < scan.size ? { line: replay.tornLine } : null,
  };

  // 2. Decide, before touching anything on disk.
  const plan = planRecovery(snapshot, journal, { acceptLoss: options.acceptLoss ?? false });
  if (plan.kind === "refuse") throw new RecoveryError(plan.message);
  if (plan.kind === "create") {
    createJournalFile(journalPath);
    return {
      records: new Map(),
      idem: [],
      lastEventId: 0,
      recent: [],
      journalLines: 0,
      snapshotBytes: 0,
      journalLast: { seq: 0, crc: "" },
    };
  }

  // 3. Load what the plan uses.
  const records = plan.useSnapshot && good ? good.records : new Map<string, Sidecar>();
  const idem: [string, Answer][] = plan.useSnapshot && good ? good.idem : [];
  const recent = plan.useJournal && scan ? replay.finish(journalPath, records, idem) : [];
  if (replay.unreadable > 0) {
    log.warn(
      `labels: ${replay.unreadable} remembered idempotency answers in ${journalPath} point at records that are not there; those keys are forgotten`,
    );
  }
  if (plan.useJournal && replay.duplicates > 0) {
    log.info(
      `labels: skipped ${replay.duplicates} journal lines already applied (duplicate event ids)`,
    );
  }
  const snapEv = plan.useSnapshot && good ? good.point.ev : 0;
  const lastEventId = Math.max(
    snapEv,
    plan.useJournal ? Math.max(replay.lastSeen, replay.lastApplied) : 0,
  );
  const evidence = stamp();

  // 4. Repair.
  if (plan.rewrite) {
    const kept: string[] = [];
    const keep = (path: string, as: string | null) => {
      if (as === null || !fs.existsSync(path)) return;
      const to = `${path}.${as}-${evidence}`;
      fs.renameSync(path, to);
      fsyncDir(path);
      kept.push(to);
    };
    keep(snapPath, plan.rewrite.keepSnapshot);
    // The numbering goes on from the highest line known, so no later file repeats a number.
    const seq = Math.max(
      plan.useJournal ? (journal.last?.seq ?? 0) : 0,
      plan.useSnapshot ? (snapshot.seq ?? 0) : 0,
    );
    // No line holds this point: the fresh head and snapshot share a checksum of their own.
    const crc = Bun.hash.crc32(`rewritten ${evidence} ${seq}`).toString(16).padStart(8, "0");
    const point = { ev: lastEventId, seq, crc };
    const snapshotBytes = writeSnapshotSync(snapPath, {
      point,
      records: [...records.values()],
      idem,
    });
    keep(journalPath, plan.rewrite.keepJournal);
    createJournalFile(journalPath, point);
    for (const note of plan.notes) {
      log.warn(`labels: ${note}.${kept.length ? ` Kept: ${kept.join(", ")}` : ""}`);
    }
    if (plan.loss) recordLoss(dir, plan.loss, kept, log);
    return {
      records,
      idem,
      lastEventId,
      recent,
      journalLines: 0,
      snapshotBytes,
      journalLast: { seq: point.seq, crc: point.crc },
    };
  }

  if (plan.cutTail && scan) {
    const saved = `${journalPath}.torn-${evidence}`;
    const length = scan.size - committedEnd;
    const fd = fs.openSync(journalPath, "r+");
    try {
      const bytes = Buffer.alloc(length);
      fs.readSync(fd, bytes, 0, length, committedEnd);
      fs.writeFileSync(saved, bytes);
      fs.ftruncateSync(fd, committedEnd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    log.warn(
      `labels: cut a torn tail of ${length} bytes (journal line ${replay.tornLine} onward) from ${journalPath}: a write the crash interrupted, never acknowledged. The bytes are kept in ${saved}`,
    );
  }
  for (const note of plan.notes) log.warn(`labels: ${note}`);

  return {
    records,
    idem,
    lastEventId,
    recent,
    journalLines: replay.lines,
    snapshotBytes: good?.bytes ?? 0,
    journalLast: journal.last ?? { seq: 0, crc: "" },
  };
}

/** Appends what was lost to labels.losses.jsonl (fsync'd) and says so loudly. */
function recordLoss(dir: string, what: string, kept: string[], log: Logger): void {
  const path = `${dir}/${LOSSES_FILE}`;
  const fd = fs.openSync(path, "a");
  try {
    writeAll(fd, encodeLine({ at: new Date().toISOString(), lost: what, kept }));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  log.error(`labels: started with --accept-label-loss: ${what}. Recorded in ${path}`);
}

/** The 8 hex digits at `i` (a checked line's crc) as a number. */
function hex8(buf: Buffer, i: number): number {
  let n = 0;
  for (let k = i; k < i + 8; k++) {
    const c = buf[k];
    n = n * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return n;
}

interface BadLine extends JournalDamage {
  offset: number;
}

/** A line as the first pass sees it: a set line's header, or a fully parsed resp line. */
type Unit =
  | { kind: "set"; offset: number; ev: number; at: number; path: string; covered: boolean }
  | {
      kind: "resp";
      offset: number;
      line: Record<string, unknown> & { key: string };
      covered: boolean;
    };

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
  head: JournalSummary["head"] = null;
  /** Highest line number seen (format 2), and that line's checksum. */
  lastSeq = 0;
  private headCrc = "";
  /** The last numbered line's checksum as a number (no string per line); -1 before any. */
  private lastCrcNum = -1;
  get lastCrc(): string {
    return this.lastCrcNum < 0 ? this.headCrc : this.lastCrcNum.toString(16).padStart(8, "0");
  }
  /** Checksum of the line numbered like the snapshot's point. */
  crcAtSnapshot: string | null = null;
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
    private readonly snap: { ev: number; seq: number | null },
    private readonly idemSince: number,
    private readonly recentCapacity: number,
    /** The snapshot's records; pass 1 does not change them (pass 2 does). */
    private readonly snapRecords: Map<string, Sidecar>,
  ) {
    this.lastApplied = snap.ev;
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
      const parsed = parseLine(buf, start, end);
      const h = parsed.ok ? parsed.value : null;
      if (h && h.t === "head" && typeof h.base_ev === "number") {
        const format = typeof h.format === "number" ? h.format : 1;
        const seq = format >= 2 && typeof h.base_seq === "number" ? h.base_seq : null;
        const crc = typeof h.base_crc === "string" ? h.base_crc : null;
        this.head = { format, ev: h.base_ev, seq, crc };
        this.lastSeq = seq ?? 0;
        this.headCrc = crc ?? "";
        if (seq !== null && seq === this.snap.seq) this.crcAtSnapshot = crc;
        this.committedEnd = next;
        this.tornLine = 2;
      } else {
        this.noteBad(1, 0, "structure");
      }
      return;
    }
    const header = peekSetHeader(buf, start, end);
    let covered = false;
    if (this.head?.seq != null) {
      // Format 2: every line is numbered, one more than the last.
      const n = header ? header.n : peekLineNo(buf, start, end);
      if (n === null) {
        this.noteBad(no, offset, "structure");
        return;
      }
      if (n <= this.lastSeq) {
        // A line already read (a copy appended twice): nothing new.
        this.duplicates++;
        this.committedEnd = next;
        this.tornLine = no + 1;
        return;
      }
      this.noteSeq(n);
      if (n > this.lastSeq + 1) {
        this.bad.push({
          line: no,
          offset,
          problem: "gap",
          nextEv: null,
          nextSeq: n,
          missing: [this.lastSeq + 1, n - 1],
        });
      }
      this.lastSeq = n;
      this.lastCrcNum = hex8(buf, end - 10);
      if (n === this.snap.seq) this.crcAtSnapshot = buf.toString("latin1", end - 10, end - 2);
      // In the snapshot already: its records and keys are there.
      covered = this.snap.seq !== null && n <= this.snap.seq;
    }
    let unit: Unit;
    let g: unknown;
    if (header && header.g === null && this.group === null) {
      // The common case, without allocating: a single-line commit unit.
      this.lines++;
      this.noteEv(header.ev);
      this.applySet(offset, header.ev, header.at, header.path, covered);
      this.committedEnd = next;
      this.tornLine = no + 1;
      return;
    }
    if (header) {
      unit = { kind: "set", offset, ev: header.ev, at: header.at, path: header.path, covered };
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
          covered,
        };
      } else if (v && v.t === "resp" && typeof v.key === "string") {
        const line = v as Record<string, unknown> & { key: string };
        unit = { kind: "resp", offset, line, covered };
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
  finish(
    journalPath: string,
    records: Map<string, Sidecar>,
    idem: [string, Answer][],
  ): JournaledEvent[] {
    const need = new Map<number, number>();
    const mark = (offset: number, flag: number) => need.set(offset, (need.get(offset) ?? 0) | flag);
    for (const offset of this.lastLineOf.values()) mark(offset, NEED_RECORD);
    for (const offset of this.idemLines) mark(offset, NEED_IDEM);
    for (const offset of this.recentLines.slice(-this.recentCapacity)) mark(offset, NEED_RECENT);
    for (const p of this.answers) {
      for (const src of p.sources ?? []) if (typeof src === "number") mark(src, NEED_VERSION);
    }
    const recent: JournaledEvent[] = [];
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
          if (r) sidecar = fromStored(r.path, r.rec);
        }
        if (!sidecar) {
          const parsed = parseLine(buf, start, end);
          if (!parsed.ok || !isSetLine(parsed.value)) return;
          line = parsed.value as unknown as SetLine;
          sidecar = fromStored(line.path, line.rec);
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
        return cur && r && cur.version === r.version ? cur : r && fromStored(r.path, r);
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

  private noteBad(no: number, offset: number, problem: LineProblem | "structure"): void {
    this.bad.push({ line: no, offset, problem, nextEv: null, nextSeq: null, missing: null });
  }

  /** A good numbered line: the next line number of every bad line still waiting for one. */
  private noteSeq(n: number): void {
    for (let i = this.bad.length - 1; i >= 0 && this.bad[i].nextSeq === null; i--)
      this.bad[i].nextSeq = n;
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
      this.applySet(unit.offset, unit.ev, unit.at, unit.path, unit.covered);
      return;
    }
    const l = unit.line;
    // A line the snapshot contains: its key, if still live, is in the snapshot.
    if (unit.covered || !(typeof l.at === "number" && l.at >= this.idemSince)) return;
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

  private applySet(offset: number, ev: number, at: number, path: string, covered: boolean): void {
    if (ev > this.lastSeen) {
      // Metric-only changes too: the coalescer re-announces the last window's at boot (E6).
      this.lastSeen = ev;
      this.recentLines.push(offset);
      if (this.recentLines.length > this.recentCapacity * 2) {
        this.recentLines = this.recentLines.slice(-this.recentCapacity);
      }
    }
    if (at >= this.idemSince && !covered) this.idemLines.push(offset);
    if (ev <= this.lastApplied) {
      this.duplicates++;
      return;
    }
    this.lastApplied = ev;
    this.lastLineOf.set(path, offset);
  }
}
