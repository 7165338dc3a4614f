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
import type { Logger } from "../deps.ts";
import type { Envelope } from "../live/protocol.ts";
import type { IdemEntry } from "./idempotency.ts";
import { createJournalFile, fsyncDir, type RespLine, type SetLine } from "./journal.ts";
import { type LineProblem, type RawLine, scanLines } from "./lines.ts";
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

export function recoverLabels(dir: string, log: Logger, recentCapacity = 10_000): Recovered {
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
  const replay = new JournalReplay(snapBad ? 0 : snapEv, records, idem, recentCapacity);
  const scan = scanLines(journalPath, (raw) => replay.visit(raw));
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
      recent: replay.recentEvents(),
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
    recent: replay.recentEvents(),
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

interface OpenGroup {
  start: number;
  count: number;
  lines: (SetLine | RespLine)[];
}

/** Streams journal lines into the state, applying whole commit units only. */
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
  private readonly recent: Envelope[] = [];
  private group: OpenGroup | null = null;

  constructor(
    applyAfter: number,
    private readonly records: Map<string, Sidecar>,
    private readonly idem: [string, IdemEntry][],
    private readonly recentCapacity: number,
  ) {
    this.lastApplied = applyAfter;
  }

  visit(raw: RawLine): void {
    if (!raw.decoded.ok) {
      this.noteBad(raw.no, raw.offset, raw.decoded.problem);
      return;
    }
    const v = raw.decoded.value;
    if (raw.no === 1) {
      if (v.t === "head" && typeof v.base_ev === "number") {
        this.headBase = v.base_ev;
        this.committedEnd = raw.next;
        this.tornLine = 2;
      } else {
        this.noteBad(1, 0, "structure");
      }
      return;
    }
    const isSet = isSetLine(v);
    if (!isSet && !(v.t === "resp" && typeof v.key === "string")) {
      this.noteBad(raw.no, raw.offset, "structure");
      return;
    }
    const line = v as unknown as SetLine | RespLine;
    this.lines++;
    if (line.t === "set") {
      for (let i = this.bad.length - 1; i >= 0 && this.bad[i].nextEv === null; i--) {
        this.bad[i].nextEv = line.ev;
      }
    }
    const g = line.g;
    if (!isGroupTag(g)) {
      if (this.group) this.closeBrokenGroup(raw.no);
      this.apply(line);
      this.committedEnd = raw.next;
      this.tornLine = raw.no + 1;
      return;
    }
    if (g[0] === 0 || !this.group || this.group.count !== g[1]) {
      if (this.group) this.closeBrokenGroup(raw.no);
      // A group whose first line was damaged still opens here; that bad line is already noted.
      this.group = { start: raw.offset, count: g[1], lines: [] };
    }
    this.group.lines.push(line);
    if (g[0] === g[1] - 1) {
      for (const l of this.group.lines) this.apply(l);
      this.group = null;
      this.committedEnd = raw.next;
      this.tornLine = raw.no + 1;
    }
  }

  recentEvents(): Envelope[] {
    return this.recent.slice(-this.recentCapacity);
  }

  private noteBad(no: number, offset: number, problem: BadLine["problem"]): void {
    this.bad.push({ no, offset, problem, nextEv: null });
  }

  /** A group that lost lines in the middle of the file: keep the lines that are good. */
  private closeBrokenGroup(no: number): void {
    const group = this.group as OpenGroup;
    this.noteBad(no, group.start, "structure");
    for (const l of group.lines) this.apply(l);
    this.group = null;
  }

  private apply(line: SetLine | RespLine): void {
    if (line.t === "resp") {
      this.idem.push([line.key, { req: line.req, at: line.at, outcome: line.outcome }]);
      return;
    }
    if (line.ev > this.lastSeen) {
      this.lastSeen = line.ev;
      // Metric-only changes too: the coalescer re-announces the last window's at boot (E6).
      this.recent.push(setLineEvent(line));
      if (this.recent.length > this.recentCapacity * 2) {
        this.recent.splice(0, this.recent.length - this.recentCapacity);
      }
    }
    const entry = setLineIdem(line);
    if (entry && line.key) this.idem.push([line.key, entry]);
    if (line.ev <= this.lastApplied) {
      this.duplicates++;
      return;
    }
    this.lastApplied = line.ev;
    this.records.set(line.path, { path: line.path, ...line.rec });
  }
}
