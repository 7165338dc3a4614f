/**
 * LabelStore: the single label store of a workspace.
 *
 * A write is one step per item as seen by every other request: take the item
 * (PathLocks), check the version, apply the patch, bump, reserve an event id,
 * append to the journal, and only once the journal says durable update memory
 * and publish. A failed append or fsync leaves memory untouched and answers
 * nothing but an error. Writes to different items share group commits.
 *
 * Modes: "strict" (answer after fsync), "relaxed" (answer after write(),
 * fsync every second), "memory" (no files: --no-write or an unwritable workspace).
 */
import fs from "node:fs";
import type { Logger } from "../core/logger.ts";
import { realTimers, type Timers } from "../core/timers.ts";
import { fromOutcome, toJournalWire, toOutcome } from "./answers.ts";
import { ChangeFeed } from "./change-feed.ts";
import {
  type BatchItem,
  batchOf,
  batchPaths,
  type PatchRequest,
  type PutRequest,
  patchOne,
  putOne,
  Stage,
  type StagedWrite,
  type WriteContext,
} from "./compute.ts";
import type { ItemUpdated, JournaledEvent, LabelEvents } from "./events.ts";
import { type FaultSource, faultsFromEnv, faultyIo, fileSinkIo, realIo } from "./faults.ts";
import { IdFloor } from "./id-floor.ts";
import { IdempotencyKeyReused, IdempotencyTable, IdempotencyTableFull } from "./idempotency.ts";
import { type BodyLine, type RespLine, type SetLine, toStored } from "./journal-format.ts";
import { JournalWriter } from "./journal-writer.ts";
import type { BatchOutcome, Durability, ItemOutcome, Outcome } from "./outcome.ts";
import { persistenceOf } from "./outcome.ts";
import { emptySidecar, isCommuting, isMetricsOnly } from "./patch.ts";
import { PathLocks } from "./path-locks.ts";
import { JOURNAL_FILE, recoverLabels, SNAPSHOT_FILE } from "./recovery.ts";
import { LabelRefusal, MissingBaseVersion, PersistenceError } from "./refusals.ts";
import type { LabelsHealth, Sidecar } from "./schema.ts";
import { compactJournal, writeSnapshot } from "./snapshot.ts";
import type { LabelStoreApi, WriteResult } from "./store-api.ts";

export type { BatchItem, PatchRequest, PutRequest, RejectedItem, WriteContext } from "./compute.ts";
export type { LabelStoreApi, WriteResult } from "./store-api.ts";
export {
  IdempotencyKeyReused,
  IdempotencyTableFull,
  LabelRefusal,
  MissingBaseVersion,
  PersistenceError,
};

export interface LabelStoreOptions {
  /** Folder holding labels.log.jsonl, labels.snapshot.json and events.hwm (the workspace); null in memory mode. */
  dir: string | null;
  mode: Durability;
  log: Logger;
  /** Snapshot + compact after this many journal lines (default 50,000). */
  snapshotEvery?: number;
  /** …or this long after the first line since the last snapshot (default 60 s). */
  snapshotIntervalMs?: number;
  /** Fault injection for append/fsync/snapshot; default: from LENSLET_FAULTS / LENSLET_FAULTS_FILE, else none. */
  faults?: FaultSource | null;
  /** Item-updated events kept from the journal for the bus's replay ring (default 10,000). */
  recentCapacity?: number;
  idempotencyTtlMs?: number;
  /** Bytes the idempotency table may keep before new keyed writes are refused (default 64 MiB). */
  idempotencyBudgetBytes?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Timers (snapshot schedule, relaxed fsync, disk probe), for tests. */
  timers?: Timers;
  /** `--accept-label-loss`: start from what is left when the files show lost writes (recorded). */
  acceptLoss?: boolean;
  /** How appends reach the file: writeSync (default) or a Bun FileSink; see bench/labels.ts. */
  appendWith?: "write" | "filesink";
  /** Write a final snapshot on close (default true; tests turn it off to inspect the journal). */
  snapshotOnClose?: boolean;
  /** Writes the change feed keeps (default CHANGE_FEED; tests make it small to see it run out). */
  changeFeed?: number;
}

export interface StoreHooks {
  /** Metrics-only writes go here instead of item-updated (the live coalescer publishes metrics-updated). */
  onMetricsChanged?: (path: string, version: number, metrics: Record<string, number>) => void;
}

const NOTHING: readonly BodyLine[] = [];

export class LabelStore implements LabelStoreApi {
  readonly durability: Durability;
  readonly journalPath: string | null;
  readonly snapshotPath: string | null;
  private readonly records: Map<string, Sidecar>;
  private readonly idem: IdempotencyTable;
  private readonly inflight = new Map<string, { req: string | null; done: Promise<Outcome> }>();
  private readonly locks = new PathLocks();
  private readonly writer: JournalWriter | null;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly snapshotEvery: number;
  private readonly faults: FaultSource | null;
  private readonly floor: IdFloor;
  private readonly snapshotOnClose: boolean;
  private bus: LabelEvents | null = null;
  private hooks: StoreHooks = {};
  private rev = 0;
  /** Paths written, with the revision each write made: the change feed of derived data (the query engine). */
  private readonly feed: ChangeFeed;
  private lastEv: number;
  private recent: JournaledEvent[];
  private linesSinceSnapshot: number;
  private snapshotBytes: number;
  private lastSnapshotAt: string | null = null;
  private snapshotting: Promise<void> | null = null;
  /** After a failed snapshot, automatic ones wait until then (the journal keeps everything meanwhile). */
  private snapshotRetryAt = 0;
  private stopSnapshotTimer: (() => void) | null = null;
  private readonly timers: Timers;
  private lastErrorText: string | null = null;
  private closed = false;

  private constructor(opts: LabelStoreOptions, recovered: ReturnType<typeof recoverLabels> | null) {
    this.durability = opts.mode;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.feed = new ChangeFeed(opts.changeFeed);
    this.snapshotEvery = opts.snapshotEvery ?? 50_000;
    // Unset → LENSLET_FAULTS / LENSLET_FAULTS_FILE (end-to-end tests of a running server), usually none.
    this.faults = opts.faults === undefined ? faultsFromEnv() : opts.faults;
    this.snapshotOnClose = opts.snapshotOnClose ?? true;
    this.records = recovered?.records ?? new Map();
    this.idem = new IdempotencyTable({
      ttlMs: opts.idempotencyTtlMs,
      budgetBytes: opts.idempotencyBudgetBytes,
      isCurrent: (rec) => this.records.get(rec.path) === rec,
    });
    this.lastEv = recovered?.lastEventId ?? 0;
    this.recent = recovered?.recent ?? [];
    this.linesSinceSnapshot = recovered?.journalLines ?? 0;
    this.snapshotBytes = recovered?.snapshotBytes ?? 0;
    const now = this.now();
    for (const [key, entry] of recovered?.idem ?? []) this.idem.remember(key, entry, now);
    this.floor = IdFloor.open(opts.mode === "memory" ? null : opts.dir, opts.log);

    if (opts.mode === "memory" || opts.dir === null) {
      this.journalPath = null;
      this.snapshotPath = null;
      this.writer = null;
      return;
    }
    this.journalPath = `${opts.dir}/${JOURNAL_FILE}`;
    this.snapshotPath = `${opts.dir}/${SNAPSHOT_FILE}`;
    const baseIo = opts.appendWith === "filesink" ? fileSinkIo() : realIo;
    this.writer = new JournalWriter({
      path: this.journalPath,
      mode: opts.mode,
      io: this.faults ? faultyIo(baseIo, this.faults) : baseIo,
      onHealth: (ok, error) => this.onDiskHealth(ok, error),
      last: recovered?.journalLast,
      timers: this.timers,
    });
    const every = opts.snapshotIntervalMs ?? 60_000;
    this.stopSnapshotTimer = this.timers.every(every, () => {
      if (this.linesSinceSnapshot > 0 && this.now() >= this.snapshotRetryAt) void this.snapshot();
    });
  }

  /**
   * Opens the store: in strict/relaxed mode recovers the workspace's snapshot
   * and journal (throws RecoveryError, naming file and line, when that would
   * lose labels). Take the workspace lock (src/workspace/lock.ts) first.
   */
  static async open(opts: LabelStoreOptions): Promise<LabelStore> {
    if (opts.mode === "memory" || opts.dir === null) {
      return new LabelStore({ ...opts, mode: "memory", dir: null }, null);
    }
    fs.mkdirSync(opts.dir, { recursive: true });
    const recovered = recoverLabels(opts.dir, opts.log, {
      recentCapacity: opts.recentCapacity,
      idempotencyTtlMs: opts.idempotencyTtlMs,
      now: (opts.now ?? Date.now)(),
      acceptLoss: opts.acceptLoss,
    });
    return new LabelStore(opts, recovered);
  }

  /**
   * The id the event bus must start at: above every id in the journal and
   * above the persisted high-water mark (which covers events never journaled).
   */
  firstEventId(): number {
    return Math.max(this.lastEv + 1, this.floor.persisted, 1);
  }

  /**
   * Connects the event bus: `new EventBus({ firstId: store.firstEventId(),
   * seed: store.recentEvents(capacity), … })`, then attach it before anything
   * publishes. From then on every id the bus hands out first raises the
   * workspace's high-water mark when needed (IdFloor).
   */
  attach(bus: LabelEvents, hooks: StoreHooks = {}): void {
    this.bus = bus;
    this.hooks = hooks;
    this.floor.guard(bus);
  }

  /** The record of `path` (canonical); the default record when never written. */
  get(path: string): Sidecar {
    return this.records.get(path) ?? emptySidecar(path);
  }

  /** Written records. */
  entries(): Iterable<[string, Sidecar]> {
    return this.records.entries();
  }

  /** Increments on every accepted write (for caches of derived data). */
  get revision(): number {
    return this.rev;
  }

  /**
   * Paths written after `revision` (each once), or null when the feed no longer reaches back
   * that far (a cache then reads every record again). Keeps the last CHANGE_FEED writes (change-feed.ts).
   */
  changedSince(revision: number): string[] | null {
    return this.feed.since(revision, this.rev);
  }

  /** Highest event id in the snapshot, journal or written since (0 when none). */
  get lastEventId(): number {
    return this.lastEv;
  }

  /** The last `n` item-updated events from the journal at startup, in id order. */
  recentEvents(n: number): JournaledEvent[] {
    return n <= 0 ? [] : this.recent.slice(-n);
  }

  get state(): LabelsHealth["state"] {
    if (!this.writer) return "disabled";
    return this.writer.ok ? "saved" : "failed";
  }

  health(): LabelsHealth {
    this.idem.prune(this.now());
    return {
      durability: this.durability,
      state: this.state,
      journal: { path: this.journalPath, bytes: this.writer?.size ?? 0 },
      snapshot: { path: this.snapshotPath, bytes: this.snapshotBytes },
      last_error: this.lastErrorText,
      journal_lines: this.linesSinceSnapshot,
      last_snapshot_at: this.lastSnapshotAt,
      idempotency_keys: this.idem.size,
      idempotency_bytes: this.idem.bytes,
      idempotency_budget_bytes: this.idem.budgetBytes,
    };
  }

  /** PATCH /item. Throws a LabelRefusal (MissingBaseVersion, IdempotencyKeyReused, IdempotencyTableFull, PersistenceError). */
  async patch(req: PatchRequest, ctx: WriteContext): Promise<WriteResult<ItemOutcome>> {
    if (req.baseVersion === null && !isCommuting(req.fields)) throw new MissingBaseVersion();
    return this.write(ctx, [req.path], (stage) => patchOne(stage, req, this.durability));
  }

  /** PUT /item: full replace, versioned; the base version is checked when given. */
  put(req: PutRequest, ctx: WriteContext): Promise<WriteResult<ItemOutcome>> {
    return this.write(ctx, [req.path], (stage) => putOne(stage, req, this.durability));
  }

  /** POST /items/patch: one result per element, one journal group, one fsync. */
  batch(items: BatchItem[], ctx: WriteContext): Promise<WriteResult<BatchOutcome>> {
    return this.write(ctx, batchPaths(items), (stage) => batchOf(stage, items, this.durability));
  }

  /**
   * `lenslet migrate --from-redis`: takes records as they are (versions, authors,
   * times kept) into an empty store, journaled like any write (no events go out).
   */
  async importRecords(records: Sidecar[], client = "migrate"): Promise<void> {
    if (!this.writer) throw new Error("importing labels needs a writable workspace");
    if (this.records.size > 0)
      throw new Error(`the workspace already holds ${this.records.size} labelled items`);
    const bus = this.bus;
    if (!bus) throw new Error("LabelStore.attach(bus) must be called before writes");
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000);
      const at = this.now();
      const lines: SetLine[] = chunk.map((rec) => ({
        t: "set",
        ev: bus.reserve(),
        at,
        path: rec.path,
        rec: toStored(rec),
        cf: [],
        client,
      }));
      await (this.writer as JournalWriter).append(lines, () => {
        for (const rec of chunk) this.records.set(rec.path, rec);
        this.rev++;
        this.linesSinceSnapshot += lines.length;
      });
      for (const l of lines) bus.abandon(l.ev);
    }
  }

  /** Whether a snapshot is being written now (by the schedule or a caller). */
  get snapshotInFlight(): boolean {
    return this.snapshotting !== null;
  }

  /** Writes a snapshot and compacts the journal now (also runs by itself every N lines / T seconds). */
  snapshot(): Promise<void> {
    if (!this.writer || this.closed) return Promise.resolve();
    this.snapshotting ??= this.runSnapshot().finally(() => {
      this.snapshotting = null;
    });
    return this.snapshotting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopSnapshotTimer?.();
    await Promise.allSettled([...this.inflight.values()].map((f) => f.done));
    if (this.snapshotting) await this.snapshotting;
    if (this.snapshotOnClose && this.writer?.ok && this.linesSinceSnapshot > 0)
      await this.snapshot();
    this.closed = true;
    await this.writer?.close();
  }

  /** Idempotency, locking, compute, durable commit, publish: the one write path. */
  private async write<O extends Outcome>(
    ctx: WriteContext,
    paths: string[],
    compute: (stage: Stage) => O,
  ): Promise<WriteResult<O>> {
    if (this.closed) throw new PersistenceError(new Error("label store is closed"));
    const { key } = ctx;
    if (key !== null) {
      const now = this.now();
      const hit = this.idem.lookup(key, now);
      if (hit) {
        if (hit.req !== ctx.requestHash) throw new IdempotencyKeyReused(key);
        return { outcome: toOutcome(hit) as O, replayed: true };
      }
      const running = this.inflight.get(key);
      if (running) {
        if (running.req !== ctx.requestHash) throw new IdempotencyKeyReused(key);
        return { outcome: (await running.done) as O, replayed: true };
      }
      // A new key: refused while the table is full of keys younger than their lifetime.
      this.idem.admit(now);
    }
    const done = this.compute(ctx, paths, compute);
    if (key === null) return { outcome: await done, replayed: false };
    this.inflight.set(key, { req: ctx.requestHash, done });
    try {
      return { outcome: await done, replayed: false };
    } finally {
      this.inflight.delete(key);
    }
  }

  private async compute<O extends Outcome>(
    ctx: WriteContext,
    paths: string[],
    compute: (stage: Stage) => O,
  ): Promise<O> {
    const release = await this.locks.acquire(paths);
    try {
      const bus = this.bus;
      if (!bus) throw new Error("LabelStore.attach(bus) must be called before writes");
      const at = this.now();
      const stage = new Stage(
        (path) => this.get(path),
        () => bus.reserve(),
        ctx,
        new Date(at).toISOString(),
      );
      const outcome = compute(stage);
      await this.commit(stage, outcome, ctx, at);
      return outcome;
    } finally {
      release();
    }
  }

  /** Journal the stage (when there is anything to keep), then apply and publish it. */
  private async commit(
    stage: Stage,
    outcome: Outcome,
    ctx: WriteContext,
    at: number,
  ): Promise<void> {
    const lines = this.writer ? this.journalLines(stage, outcome, ctx, at) : NOTHING;
    const apply = () => this.applyStage(stage, outcome, ctx, at, lines.length);
    if (lines.length === 0) {
      apply();
      return;
    }
    try {
      await (this.writer as JournalWriter).append(lines, apply);
    } catch (err) {
      for (const w of stage.writes) this.bus?.abandon(w.ev);
      throw err;
    }
  }

  /** The journal lines of a write (each counts toward the next snapshot); the writer numbers them. */
  private journalLines(
    stage: Stage,
    outcome: Outcome,
    ctx: WriteContext,
    at: number,
  ): readonly BodyLine[] {
    const setLine = (w: StagedWrite): SetLine => ({
      t: "set",
      ev: w.ev,
      at,
      path: w.path,
      rec: toStored(w.next),
      cf: w.changed,
      client: ctx.clientId,
    });
    const keyed = ctx.key !== null && ctx.requestHash !== null;
    if (outcome.kind === "batch") {
      const lines: (SetLine | RespLine)[] = stage.writes.map(setLine);
      if (keyed) lines.push(this.respLine(ctx, outcome, at));
      const n = lines.length;
      // The group tag goes first (after the line number): replay reads it without parsing the line.
      return lines.map((l, i) => ({ g: [i, n], ...l }) as BodyLine);
    }
    if (stage.writes.length === 1) {
      const w = stage.writes[0];
      const line = setLine(w);
      if (keyed) {
        line.key = ctx.key as string;
        line.req = ctx.requestHash as string;
        line.merged = w.merged;
        const ps = persistenceOf(this.durability);
        if (ps !== "saved") line.ps = ps;
      }
      return [line];
    }
    // A no-op or a conflict changes nothing, but its answer must survive a restart too.
    return keyed ? [this.respLine(ctx, outcome, at)] : NOTHING;
  }

  /** The compact answer: records are referenced, not repeated (answers.ts). */
  private respLine(ctx: WriteContext, outcome: Outcome, at: number): RespLine {
    const key = ctx.key as string;
    return {
      t: "resp",
      ...toJournalWire(key, fromOutcome(outcome, ctx.requestHash as string, at)),
    };
  }

  /** Runs once the journal holds the stage: memory, idempotency, events. */
  private applyStage(
    stage: Stage,
    outcome: Outcome,
    ctx: WriteContext,
    at: number,
    lines: number,
  ): void {
    for (const w of stage.writes) {
      const prev = this.records.get(w.path);
      this.records.set(w.path, w.next);
      if (prev) this.idem.superseded(prev);
      if (w.ev > this.lastEv) this.lastEv = w.ev;
    }
    if (stage.writes.length > 0) {
      this.rev++;
      this.feed.record(
        this.rev,
        stage.writes.map((w) => w.path),
      );
    }
    if (ctx.key !== null && ctx.requestHash !== null) {
      this.idem.remember(ctx.key, fromOutcome(outcome, ctx.requestHash, at), this.now());
    }
    if (this.writer) {
      // Every line counts, keyed no-op and conflict answers too: they all make replay longer.
      this.linesSinceSnapshot += lines;
      if (
        this.linesSinceSnapshot >= this.snapshotEvery &&
        !this.snapshotting &&
        this.now() >= this.snapshotRetryAt
      ) {
        void this.snapshot();
      }
    }
    for (const w of stage.writes) this.publish(w, ctx);
  }

  private publish(w: StagedWrite, ctx: WriteContext): void {
    const bus = this.bus as LabelEvents;
    if (isMetricsOnly(w.changed)) {
      bus.abandon(w.ev);
      this.hooks.onMetricsChanged?.(w.path, w.next.version, w.next.metrics);
      return;
    }
    const data: ItemUpdated = {
      path: w.path,
      version: w.next.version,
      star: w.next.star,
      tags: w.next.tags,
      notes: w.next.notes,
      metrics: w.next.metrics,
      flag: w.next.flag,
      color: w.next.color,
      updated_at: w.next.updated_at,
      updated_by: w.next.updated_by,
      client_id: ctx.clientId,
      changed_fields: w.changed,
    };
    bus.commit(w.ev, { type: "item-updated", data });
  }

  private onDiskHealth(ok: boolean, error: Error | null): void {
    if (error) this.lastErrorText = error.message;
    if (ok) this.log.info("labels: the journal is writable again; label writes are saved");
    else
      this.log.error(
        `labels: cannot write the journal (${error?.message}); label writes get 503 until the disk works`,
      );
    this.bus?.publish({
      type: "persistence",
      data: {
        state: ok ? "saved" : "failed",
        durability: this.durability,
        last_error: this.lastErrorText,
      },
    });
  }

  private async runSnapshot(): Promise<void> {
    const writer = this.writer as JournalWriter;
    const snapPath = this.snapshotPath as string;
    const journalPath = this.journalPath as string;
    try {
      const cut = await writer.exclusive(() => ({
        offset: writer.size,
        lines: this.linesSinceSnapshot,
        state: {
          point: { ev: this.lastEv, ...writer.last },
          records: [...this.records.values()],
          idem: [...this.idem.live(this.now())],
        },
      }));
      // Relaxed mode writes ahead of fsync: the journal up to the cut is made durable before the
      // snapshot that names it, so a crash cannot leave the snapshot ahead of its journal.
      await writer.syncNow();
      const bytes = await writeSnapshot(snapPath, cut.state, this.faults);
      await writer.exclusive(() => {
        compactJournal(journalPath, cut.offset, writer.size, cut.state.point);
        writer.reopen();
        this.linesSinceSnapshot -= cut.lines;
      });
      this.snapshotBytes = bytes;
      this.lastSnapshotAt = new Date(this.now()).toISOString();
    } catch (err) {
      // The journal still holds everything; only startup time suffers. Retry on the next trigger.
      const message = err instanceof Error ? err.message : String(err);
      this.snapshotRetryAt = this.now() + 10_000;
      this.lastErrorText = `snapshot failed: ${message}`;
      this.log.error(
        `labels: snapshot failed (${message}); the journal keeps every write, will retry`,
      );
    }
  }
}
