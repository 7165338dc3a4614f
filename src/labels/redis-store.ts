/**
 * RedisLabelStore: the label store of a gallery served by several processes.
 *
 * A write is computed here by the same rules as the local store (compute.ts,
 * patch.ts) against this process's copy of the records, then made real by ONE
 * script on the Redis server that, atomically: checks the Idempotency-Key
 * (the stored answer, its request hash, its lifetime, the byte budget),
 * compares every version the computation read (compare-and-set), stores the
 * new records, appends their events to the gallery's stream (ids from one
 * counter) and remembers the answer. A version that moved on meanwhile (a
 * write through another process) sends back the current records, and the
 * write is computed again on them. So a write is applied once, whichever
 * process gets it or its retry.
 *
 * Reads are this process's copy, kept current by its own writes and by the
 * stream (SharedEventLog hands every record entry to `applyRemote`): a write
 * through another process shows here within the stream's delivery time.
 */
import type { Logger } from "../core/logger.ts";
import type { Redis } from "../redis/client.ts";
import { Script } from "../redis/client.ts";
import type { GalleryKeys } from "../redis/keys.ts";
import { APPEND_LUA } from "../redis/stream-lua.ts";
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
  type WriteContext,
} from "./compute.ts";
import type { ItemUpdated } from "./events.ts";
import {
  IDEMPOTENCY_BUDGET_BYTES,
  IDEMPOTENCY_TTL_MS,
  IdempotencyKeyReused,
  IdempotencyTableFull,
} from "./idempotency.ts";
import type { BatchOutcome, ItemOutcome, Outcome, Persistence } from "./outcome.ts";
import { emptySidecar, isCommuting, isMetricsOnly } from "./patch.ts";
import { parseRecord } from "./record-json.ts";
import { MissingBaseVersion, PersistenceError } from "./refusals.ts";
import type { LabelsHealth, Sidecar } from "./schema.ts";
import type { LabelStoreApi, WriteResult } from "./store-api.ts";

/** How many times a write is recomputed when other processes keep moving its items on. */
const MAX_ATTEMPTS = 64;
/** Items read per HSCAN page at start. */
const SCAN_COUNT = 2_000;

/**
 * KEYS: records, versions, idemAnswers, idemTimes, idemBytes, seq, stream, epoch.
 * ARGV: key ('' = none), req, now, ttl, budget, maxlen, nRead, nRead × (path, version),
 *       nWrites, nWrites × (path, version, record, type, data), answer.
 * → {'ok', id…} | {'hit', stored} | {'full', oldestAt} | {'stale', path, record|'', …} | {'noepoch'}
 */
const WRITE = new Script(`${APPEND_LUA}
local function forget(k)
  local a = redis.call('HGET', KEYS[3], k)
  if a then
    redis.call('DECRBY', KEYS[5], #a + #k)
    redis.call('HDEL', KEYS[3], k)
  end
  redis.call('ZREM', KEYS[4], k)
end
local key = ARGV[1]
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local epoch = redis.call('GET', KEYS[8])
if not epoch then return {'noepoch'} end
if key ~= '' then
  local hit = redis.call('HGET', KEYS[3], key)
  if hit then
    local at = tonumber(redis.call('ZSCORE', KEYS[4], key) or '0')
    if now - at <= ttl then return {'hit', hit} end
    forget(key)
  end
  local old = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - ttl), 'LIMIT', 0, 512)
  for _, k in ipairs(old) do forget(k) end
  if tonumber(redis.call('GET', KEYS[5]) or '0') >= tonumber(ARGV[5]) then
    local first = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
    return {'full', first[2] or tostring(now)}
  end
end
local i = 8
local stale = {'stale'}
for j = 1, tonumber(ARGV[7]) do
  local p = ARGV[i]
  local v = tonumber(ARGV[i + 1])
  i = i + 2
  if tonumber(redis.call('HGET', KEYS[2], p) or '1') ~= v then
    stale[#stale + 1] = p
    stale[#stale + 1] = redis.call('HGET', KEYS[1], p) or ''
  end
end
if #stale > 1 then return stale end
local m = tonumber(ARGV[i])
i = i + 1
local out = {'ok'}
for j = 1, m do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  out[#out + 1] = append(KEYS[6], KEYS[7], epoch, ARGV[6], ARGV[i + 3], ARGV[i + 4])
  i = i + 5
end
if key ~= '' then
  local ids = {}
  for j = 2, #out do ids[#ids + 1] = out[j] end
  local stored = ARGV[2] .. '\\n' .. table.concat(ids, ',') .. '\\n' .. ARGV[i]
  redis.call('HSET', KEYS[3], key, stored)
  redis.call('ZADD', KEYS[4], now, key)
  redis.call('INCRBY', KEYS[5], #stored + #key)
end
return out
`);

export interface RedisLabelStoreOptions {
  redis: Redis;
  keys: GalleryKeys;
  log: Logger;
  /** "saved" when the server fsyncs every write (appendfsync always), else "relaxed" (src/redis/durability.ts). */
  persistence: Persistence;
  /** Stream entries kept (≈ the replay ring). */
  streamMaxLen: number;
  idempotencyTtlMs?: number;
  idempotencyBudgetBytes?: number;
  now?: () => number;
  /** Called when the script finds no epoch (Redis lost its data): makes a new one (SharedEventLog). */
  ensureEpoch: () => Promise<void>;
  /** Writes the change feed keeps (default CHANGE_FEED; tests make it small to see it run out). */
  changeFeed?: number;
}

export interface RedisStoreHooks {
  onMetricsChanged?: (path: string, version: number, metrics: Record<string, number>) => void;
  /** The link to Redis failed or came back (a `persistence` event for this process's pages). */
  onHealth?: (state: "saved" | "failed", lastError: string | null) => void;
}

export class RedisLabelStore implements LabelStoreApi {
  readonly durability = "strict" as const;
  private readonly redis: Redis;
  private readonly keys: GalleryKeys;
  private readonly log: Logger;
  private readonly persistence: Persistence;
  private readonly maxLen: number;
  private readonly ttlMs: number;
  private readonly budgetBytes: number;
  private readonly now: () => number;
  private readonly ensureEpoch: () => Promise<void>;
  private readonly records = new Map<string, Sidecar>();
  private hooks: RedisStoreHooks = {};
  private rev = 0;
  /** Paths each revision changed (this process's writes, the stream's, a reload's), for changedSince. */
  private readonly feed: ChangeFeed;
  private ok = true;
  private lastError: string | null = null;
  private closed = false;
  private stats = { keys: 0, bytes: 0 };
  private probing: ReturnType<typeof setInterval> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();

  private constructor(opts: RedisLabelStoreOptions) {
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.log = opts.log;
    this.persistence = opts.persistence;
    this.maxLen = opts.streamMaxLen;
    this.ttlMs = opts.idempotencyTtlMs ?? IDEMPOTENCY_TTL_MS;
    this.budgetBytes = opts.idempotencyBudgetBytes ?? IDEMPOTENCY_BUDGET_BYTES;
    this.now = opts.now ?? Date.now;
    this.ensureEpoch = opts.ensureEpoch;
    this.feed = new ChangeFeed(opts.changeFeed);
  }

  /** Loads every record of the gallery from Redis into this process's copy. */
  static async open(opts: RedisLabelStoreOptions): Promise<RedisLabelStore> {
    const store = new RedisLabelStore(opts);
    await store.reload();
    return store;
  }

  attach(hooks: RedisStoreHooks): void {
    this.hooks = hooks;
  }

  /** Reads all records again (at start, and after this process missed part of the stream). */
  async reload(): Promise<void> {
    let cursor = "0";
    const seen = new Set<string>();
    const changed: string[] = [];
    do {
      const [next, flat] = (await this.redis.send("HSCAN", [
        this.keys.records,
        cursor,
        "COUNT",
        SCAN_COUNT,
      ])) as [string, string[]];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const rec = parseRecord(flat[i + 1]);
        seen.add(rec.path);
        if (this.adopt(rec, true)) changed.push(rec.path);
      }
      cursor = String(next);
    } while (cursor !== "0");
    for (const path of [...this.records.keys()])
      if (!seen.has(path)) {
        this.records.delete(path);
        changed.push(path);
      }
    this.rev++;
    // More than the feed keeps (a first load of many records) trims it: readers then read all.
    this.feed.record(this.rev, changed);
  }

  /** A record from the stream (a write through any process): kept when newer than ours. */
  applyRemote(rec: Sidecar): void {
    this.adopt(rec, false);
  }

  get(path: string): Sidecar {
    return this.records.get(path) ?? emptySidecar(path);
  }

  entries(): Iterable<[string, Sidecar]> {
    return this.records.entries();
  }

  get revision(): number {
    return this.rev;
  }

  /**
   * Paths changed after `revision` (each once): this process's writes, other processes' from the
   * stream and what a reload found different; null when the feed no longer reaches back that far.
   */
  changedSince(revision: number): string[] | null {
    return this.feed.since(revision, this.rev);
  }

  health(): LabelsHealth {
    return {
      durability: this.durability,
      state: this.ok ? "saved" : "failed",
      journal: { path: null, bytes: 0 },
      snapshot: { path: null, bytes: 0 },
      last_error: this.lastError,
      journal_lines: 0,
      last_snapshot_at: null,
      idempotency_keys: this.stats.keys,
      idempotency_bytes: this.stats.bytes,
      idempotency_budget_bytes: this.budgetBytes,
    };
  }

  /** Refreshes what health() reports from Redis (the /health route calls it first). */
  async refreshStats(): Promise<void> {
    try {
      const [keys, bytes] = await Promise.all([
        this.redis.send("HLEN", [this.keys.idemAnswers]),
        this.redis.send("GET", [this.keys.idemBytes]),
      ]);
      this.stats = { keys: Number(keys ?? 0), bytes: Number(bytes ?? 0) };
    } catch {
      // Health still answers, with the last figures and state "failed" from the writes.
    }
  }

  patch(req: PatchRequest, ctx: WriteContext): Promise<WriteResult<ItemOutcome>> {
    if (req.baseVersion === null && !isCommuting(req.fields)) throw new MissingBaseVersion();
    return this.write(ctx, [req.path], (stage) => patchOne(stage, req, "strict"));
  }

  put(req: PutRequest, ctx: WriteContext): Promise<WriteResult<ItemOutcome>> {
    return this.write(ctx, [req.path], (stage) => putOne(stage, req, "strict"));
  }

  batch(items: BatchItem[], ctx: WriteContext): Promise<WriteResult<BatchOutcome>> {
    return this.write(ctx, batchPaths(items), (stage) => batchOf(stage, items, "strict"));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probing) clearInterval(this.probing);
    this.probing = null;
    await Promise.allSettled([...this.inflight]);
  }

  private adopt(rec: Sidecar, fromScan: boolean): boolean {
    const cur = this.records.get(rec.path);
    if (cur && cur.version >= rec.version && !(fromScan && cur.version !== rec.version))
      return false;
    this.records.set(rec.path, rec);
    if (!fromScan) {
      this.rev++;
      this.feed.record(this.rev, [rec.path]);
    }
    return true;
  }

  private write<O extends Outcome>(
    ctx: WriteContext,
    paths: string[],
    compute: (stage: Stage) => O,
  ): Promise<WriteResult<O>> {
    if (this.closed) throw new PersistenceError(new Error("label store is closed"));
    const p = this.attempt(ctx, paths, compute);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  private async attempt<O extends Outcome>(
    ctx: WriteContext,
    _paths: string[],
    compute: (stage: Stage) => O,
  ): Promise<WriteResult<O>> {
    // Records the server sent back because ours were behind: used for the next computation.
    const fresh = new Map<string, Sidecar>();
    const view = (path: string) => fresh.get(path) ?? this.get(path);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const at = this.now();
      let placeholder = 0;
      const stage = new Stage(view, () => --placeholder, ctx, new Date(at).toISOString());
      // Persistence is the server's, not the local durability mode.
      const outcome = withPersistence(compute(stage), this.persistence);
      const reply = await this.run(ctx, stage, outcome, at);
      switch (reply[0]) {
        case "ok": {
          const ids = reply.slice(1).map(Number);
          const final = withIds(outcome, ids);
          for (let j = 0; j < stage.writes.length; j++) {
            const w = stage.writes[j];
            this.adopt(w.next, false);
            if (isMetricsOnly(w.changed))
              this.hooks.onMetricsChanged?.(w.path, w.next.version, w.next.metrics);
          }
          return { outcome: final, replayed: false };
        }
        case "hit":
          return { outcome: this.replay(String(reply[1]), ctx) as O, replayed: true };
        case "full": {
          const oldest = Number(reply[1]);
          const wait = Math.max(1, Math.ceil((oldest + this.ttlMs - at) / 1000));
          throw new IdempotencyTableFull(wait, this.budgetBytes);
        }
        case "stale":
          for (let i = 1; i + 1 < reply.length; i += 2) {
            const json = String(reply[i + 1]);
            const rec = json === "" ? emptySidecar(String(reply[i])) : parseRecord(json);
            fresh.set(rec.path, rec);
            this.adopt(rec, false);
          }
          continue;
        case "noepoch":
          await this.guard(() => this.ensureEpoch());
          continue;
        default:
          throw new PersistenceError(
            new Error(`unexpected answer from Redis: ${String(reply[0])}`),
          );
      }
    }
    throw new PersistenceError(
      new Error(`the items kept changing under this write (${MAX_ATTEMPTS} attempts)`),
    );
  }

  private async run(
    ctx: WriteContext,
    stage: Stage,
    outcome: Outcome,
    at: number,
  ): Promise<unknown[]> {
    const k = this.keys;
    const args: (string | number)[] = [
      ctx.key ?? "",
      ctx.requestHash ?? "",
      at,
      this.ttlMs,
      this.budgetBytes,
      this.maxLen,
      stage.read.size,
    ];
    for (const [path, version] of stage.read) args.push(path, version);
    args.push(stage.writes.length);
    for (const w of stage.writes) {
      const metricsOnly = isMetricsOnly(w.changed);
      args.push(
        w.path,
        w.next.version,
        JSON.stringify(w.next),
        metricsOnly ? "rec" : "item-updated",
        metricsOnly ? JSON.stringify(w.next) : JSON.stringify(itemUpdated(w.next, w.changed, ctx)),
      );
    }
    args.push(JSON.stringify(outcome));
    const reply = await this.guard(() =>
      WRITE.run(
        this.redis,
        [k.records, k.versions, k.idemAnswers, k.idemTimes, k.idemBytes, k.seq, k.stream, k.epoch],
        args,
      ),
    );
    return reply as unknown[];
  }

  /** The stored answer of a key, if this request is the one that made it. */
  private replay(stored: string, ctx: WriteContext): Outcome {
    const a = stored.indexOf("\n");
    const b = stored.indexOf("\n", a + 1);
    const req = stored.slice(0, a);
    if (req !== ctx.requestHash) throw new IdempotencyKeyReused(ctx.key as string);
    const idText = stored.slice(a + 1, b);
    const ids = idText === "" ? [] : idText.split(",").map(Number);
    return withIds(JSON.parse(stored.slice(b + 1)) as Outcome, ids);
  }

  /** Runs a Redis step; a failure of the link is a PersistenceError (503, retry with the same key). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      if (!this.ok) this.setHealth(true, null);
      return out;
    } catch (err) {
      if (err instanceof PersistenceError) throw err;
      const message = (err as Error).message;
      // A script error is a bug, not an outage; both refuse the write.
      this.setHealth(false, message);
      throw new PersistenceError(err);
    }
  }

  private setHealth(ok: boolean, error: string | null): void {
    if (error) this.lastError = error;
    if (ok === this.ok) return;
    this.ok = ok;
    if (ok) {
      this.log.info("labels: Redis answers again; label writes are saved");
      if (this.probing) clearInterval(this.probing);
      this.probing = null;
    } else {
      this.log.error(
        `labels: cannot write to Redis (${error}); label writes get 503 until it answers`,
      );
      // Heal by itself, even when nobody writes: a page's "Not saved" clears when Redis is back.
      this.probing ??= setInterval(() => {
        void this.redis.rtt().then(
          () => this.setHealth(true, null),
          () => {},
        );
      }, 500);
      this.probing.unref?.();
    }
    this.hooks.onHealth?.(ok ? "saved" : "failed", this.lastError);
  }
}

function itemUpdated(
  next: Sidecar,
  changed: ItemUpdated["changed_fields"],
  ctx: WriteContext,
): ItemUpdated {
  return {
    path: next.path,
    version: next.version,
    star: next.star,
    tags: next.tags,
    notes: next.notes,
    metrics: next.metrics,
    flag: next.flag,
    color: next.color,
    updated_at: next.updated_at,
    updated_by: next.updated_by,
    client_id: ctx.clientId,
    changed_fields: changed,
  };
}

function withPersistence<O extends Outcome>(o: O, p: Persistence): O {
  if (o.kind === "batch") {
    return {
      ...o,
      persistence: p,
      results: o.results.map((r) => withPersistence(r, p)),
    } as O;
  }
  if (o.kind === "applied" || o.kind === "noop") return { ...o, persistence: p } as O;
  return o;
}

/** Replaces the placeholder event ids (-1, -2, … in write order) by the ids the server gave. */
function withIds<O extends Outcome>(o: O, ids: number[]): O {
  const fix = (r: ItemOutcome): ItemOutcome =>
    r.kind === "applied" && r.event_id < 0 ? { ...r, event_id: ids[-r.event_id - 1] ?? 0 } : r;
  if (o.kind === "batch") return { ...o, results: o.results.map(fix) } as O;
  return fix(o as ItemOutcome) as O;
}
