/**
 * SharedEventLog: the event stream of a gallery served by several processes,
 * kept in one Redis Stream (src/redis/stream-lua.ts). Every event any process
 * publishes is appended there and numbered by one counter; each process reads
 * the stream once (a blocking XREAD on its own connection) and hands each
 * entry to its own EventBus, which fans out to its own subscribers and keeps
 * the replay ring. So ids are integers, in one order, the same in every
 * process: a page may reconnect to any of them with its Last-Event-ID.
 *
 * What this process cannot join up with what it held — entries trimmed before
 * it read them, or a new epoch (Redis flushed, restored, replaced) — becomes a
 * `resync-required` for its pages (EventBus.discontinuity) and a reload of its
 * copy of the records.
 */
import type { Logger } from "../core/logger.ts";
import type { ItemUpdated } from "../labels/events.ts";
import { parseRecord, recordOfEvent } from "../labels/record-json.ts";
import type { Sidecar } from "../labels/schema.ts";
import type { Redis } from "../redis/client.ts";
import type { GalleryKeys } from "../redis/keys.ts";
import { ensureEpochScript, publishScript } from "../redis/stream-lua.ts";
import { EventBus } from "./bus.ts";
import type { Envelope, LiveEvent } from "./protocol.ts";

/** How long one XREAD blocks; on a quiet stream the epoch is checked this often. */
const BLOCK_MS = 2_000;
const READ_COUNT = 1_000;

export interface SharedLogOptions {
  /** Commands (appends, checks). */
  redis: Redis;
  /** Its own connection for the blocking read. */
  reader: Redis;
  keys: GalleryKeys;
  /** Replay ring of each process; the stream keeps about as many entries (MAXLEN ~). */
  capacity: number;
  log: Logger;
  /** Every record an entry carries (a write through any process). */
  onRecord?: (rec: Sidecar) => void;
  /** This process missed records (a gap or a new epoch): read them all again. */
  onReload?: () => Promise<void>;
  /** Shapes an event read from the stream as pages expect it (presence names sorted for people). */
  normalize?: (event: LiveEvent) => LiveEvent;
}

interface Entry {
  sid: string;
  id: number;
  epoch: string;
  type: string;
  data: string;
}

function parseEntry(sid: string, fields: string[]): Entry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return { sid, id: Number(f.i), epoch: f.p ?? "", type: f.t ?? "", data: f.d ?? "null" };
}

function newEpoch(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString("base64url");
}

export class SharedEventLog {
  readonly bus: EventBus;
  private readonly opts: SharedLogOptions;
  private epoch: string;
  private lastSid: string;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readerOk = true;
  /** Appends that failed (Redis down): presence and metrics events that no page got. */
  private appendFailures = 0;

  private constructor(opts: SharedLogOptions, epoch: string, tail: Entry[], lastId: number) {
    this.opts = opts;
    this.epoch = epoch;
    this.lastSid = tail.at(-1)?.sid ?? "0-0";
    const seed: Envelope[] = [];
    for (const e of tail) {
      const event = this.eventOf(e, false);
      if (event) seed.push({ id: e.id, event });
    }
    this.bus = new EventBus({
      capacity: opts.capacity,
      firstId: lastId + 1,
      seed,
      seedCoversFrom: tail.length ? tail[0].id - 1 : lastId,
      sink: (event) => void this.append(event),
    });
  }

  /** Makes sure the gallery has an epoch, reads the stream's tail into a new bus. Call start() next. */
  static async open(opts: SharedLogOptions): Promise<SharedEventLog> {
    const epoch = await SharedEventLog.ensure(opts, 1);
    const { tail, lastId } = await SharedEventLog.readTail(opts);
    return new SharedEventLog(opts, epoch, tail, lastId);
  }

  private static async ensure(opts: SharedLogOptions, floor: number): Promise<string> {
    const [epoch, created] = (await ensureEpochScript.run(
      opts.redis,
      [opts.keys.epoch, opts.keys.seq],
      [newEpoch(), floor],
    )) as [string, number];
    if (Number(created) === 1 && floor > 1) {
      opts.log.error(
        "redis: the gallery's history is gone from Redis (no epoch: flushed, restored from an old copy, or a new server); pages re-fetch, and labels written before are lost unless Redis is restored",
      );
    }
    return String(epoch);
  }

  private static async readTail(
    opts: SharedLogOptions,
  ): Promise<{ tail: Entry[]; lastId: number }> {
    const raw = (await opts.redis.send("XREVRANGE", [
      opts.keys.stream,
      "+",
      "-",
      "COUNT",
      opts.capacity,
    ])) as [string, string[]][];
    const tail = raw.map(([sid, f]) => parseEntry(sid, f)).reverse();
    const seq = Number((await opts.redis.send("GET", [opts.keys.seq])) ?? 0);
    return { tail, lastId: Math.max(tail.at(-1)?.id ?? 0, seq) };
  }

  /** Starts the one blocking reader of this process. */
  start(): void {
    this.loop ??= this.readLoop();
  }

  /** Makes a new epoch if Redis lost it (the label store calls this when its script finds none). */
  async ensureEpoch(): Promise<void> {
    await SharedEventLog.ensure(this.opts, this.bus.lastId + 1);
  }

  /** Appends an event for every process; its id comes back through the stream. */
  async append(event: LiveEvent): Promise<void> {
    const { redis, keys, capacity } = this.opts;
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await publishScript.run(
          redis,
          [keys.seq, keys.stream, keys.epoch],
          [capacity, event.type, JSON.stringify(event.data)],
        );
        if (!Array.isArray(r)) return;
        await this.ensureEpoch();
      }
    } catch (err) {
      // Presence and metrics announcements are not acknowledged writes: the next change says it again.
      if (this.appendFailures++ % 100 === 0)
        this.opts.log.warn(`redis: an event could not be published: ${(err as Error).message}`);
    }
  }

  /** Entries in the stream now (for /health). */
  async length(): Promise<number> {
    return Number(await this.opts.redis.send("XLEN", [this.opts.keys.stream]));
  }

  get currentEpoch(): string {
    return this.epoch;
  }

  get readerConnected(): boolean {
    return this.readerOk;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.reader.close();
    await this.loop?.catch(() => {});
  }

  private async readLoop(): Promise<void> {
    const { reader, keys, log } = this.opts;
    while (!this.stopped) {
      let reply: unknown;
      try {
        reply = await reader.send(
          "XREAD",
          ["BLOCK", BLOCK_MS, "COUNT", READ_COUNT, "STREAMS", keys.stream, this.lastSid],
          BLOCK_MS + 3_000,
        );
        if (!this.readerOk) {
          this.readerOk = true;
          log.info("redis: the event stream is readable again");
          await this.checkEpoch();
        }
      } catch (err) {
        if (this.stopped) return;
        if (this.readerOk)
          log.warn(`redis: cannot read the event stream: ${(err as Error).message}`);
        this.readerOk = false;
        await Bun.sleep(200);
        continue;
      }
      if (reply === null || reply === undefined) {
        await this.checkEpoch().catch(() => {});
        continue;
      }
      const flat = streamEntries(reply, keys.stream);
      for (const [sid, fields] of flat) {
        try {
          await this.handle(parseEntry(sid, fields));
        } catch (err) {
          log.error(`redis: a stream entry could not be read (${sid}): ${(err as Error).message}`);
        }
        this.lastSid = sid;
      }
    }
  }

  /** A quiet stream does not tell that the epoch changed: ask. */
  private async checkEpoch(): Promise<void> {
    const cur = (await this.opts.redis.send("GET", [this.opts.keys.epoch])) as string | null;
    if (cur === null) {
      await this.ensureEpoch();
      return this.checkEpoch();
    }
    if (cur !== this.epoch) await this.restart(String(cur));
  }

  private async handle(e: Entry): Promise<void> {
    if (e.epoch !== this.epoch) {
      await this.restart(e.epoch);
      // restart() read the tail again, this entry included.
      return;
    }
    const bus = this.bus;
    if (e.id <= bus.lastId) return;
    if (e.id !== bus.lastId + 1) {
      // Trimmed before this process read it (it was cut off longer than the stream keeps).
      this.opts.log.warn(
        `redis: events ${bus.lastId + 1}…${e.id - 1} were trimmed before this process read them; its pages re-fetch`,
      );
      bus.discontinuity("too_old");
      await this.opts.onReload?.();
    }
    bus.ingest(e.id, this.eventOf(e, true));
  }

  /** A new history: pages re-fetch, ids go on from the new one, records are read again. */
  private async restart(epoch: string): Promise<void> {
    this.opts.log.warn(
      "redis: the gallery's history in Redis was replaced (a new epoch); pages re-fetch",
    );
    this.epoch = epoch;
    const { tail, lastId } = await SharedEventLog.readTail(this.opts);
    const first = tail.length ? tail[0].id : lastId + 1;
    this.bus.discontinuity("restart", first);
    await this.opts.onReload?.();
    for (const e of tail) if (e.epoch === epoch) this.bus.ingest(e.id, this.eventOf(e, false));
    this.lastSid = tail.at(-1)?.sid ?? "0-0";
  }

  /** The entry's event (null for a record only), handing its record to onRecord when `live`. */
  private eventOf(e: Entry, live: boolean): LiveEvent | null {
    if (e.type === "rec") {
      if (live) this.opts.onRecord?.(parseRecord(e.data));
      return null;
    }
    const data = JSON.parse(e.data);
    if (e.type === "item-updated" && live) this.opts.onRecord?.(recordOfEvent(data as ItemUpdated));
    const event = { type: e.type, data } as LiveEvent;
    return this.opts.normalize ? this.opts.normalize(event) : event;
  }
}

/** XREAD's answer (RESP3: a map of stream → entries; RESP2: a list of [stream, entries]). */
function streamEntries(reply: unknown, stream: string): [string, string[]][] {
  if (Array.isArray(reply)) {
    const hit = (reply as [string, [string, string[]][]][]).find((r) => r[0] === stream);
    return hit?.[1] ?? [];
  }
  return ((reply as Record<string, [string, string[]][]>)[stream] ?? []) as [string, string[]][];
}
