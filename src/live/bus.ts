/**
 * The single event bus: assigns ids, keeps a bounded replay ring, fans out to
 * subscribers. No HTTP in here; the SSE route is a thin adapter over it.
 *
 * Ids are reserved before a write is made durable and committed after, so a
 * journal line can carry its event id. Delivery is strictly in id order: a
 * committed event waits until every lower reserved id is committed or abandoned.
 */
import type { Envelope, LiveEvent, ResyncRequired } from "./protocol.ts";

export interface Subscriber {
  /** Called for each event in id order. Returns false to say "I can't keep up": the bus drops it. */
  send(env: Envelope): boolean;
  /** Called once when the bus drops this subscriber (backlog overflow or shutdown). */
  close(reason: "backlog" | "shutdown"): void;
}

export type ResyncReason = Extract<
  ResyncRequired["reason"],
  "too_old" | "future" | "restart" | "invalid"
>;

export type ReplayResult =
  | { kind: "replay"; events: Envelope[] }
  | { kind: "resync"; reason: ResyncReason };

export interface EventBusOptions {
  /** Ring buffer size (events kept for replay). */
  capacity: number;
  /** The first id this process hands out (one past anything issued before a restart). */
  firstId: number;
  /** Events from before a restart to seed the ring with (e.g. the journal's tail), in id order. */
  seed?: Envelope[];
  /**
   * The seed holds every event a client needs with an id above this one.
   * Default: just below the first seeded id (or `firstId - 1` without a seed).
   */
  seedCoversFrom?: number;
  /** Where a throwing listener's error goes (default: console.error); delivery carries on. */
  onListenerError?: (err: unknown) => void;
  /**
   * Shared mode (several processes, src/live/shared-log.ts): `publish` hands the
   * event here instead of numbering it; it comes back, numbered by the shared
   * log, through `ingest`. Ids are then never reserved in this process.
   */
  sink?: (event: LiveEvent) => void;
}

/** Counters for /health and the presence diagnostics. */
export interface BusStats {
  subscribers: number;
  capacity: number;
  size: number;
  oldestId: number | null;
  lastId: number;
  bootId: number;
  /** Resyncs because the ring no longer held what the client missed (too_old + restart). */
  replayMissTotal: number;
  resyncTotal: Record<ResyncReason, number>;
  /** Subscribers dropped because they could not keep up. */
  backlogDropsTotal: number;
}

export class EventBus {
  private readonly capacity: number;
  private readonly ring: (Envelope | undefined)[];
  private ringStart = 0;
  private ringLength = 0;
  private nextId: number;
  /** Lowest id not yet delivered. */
  private deliverFrom: number;
  /** Reserved ids: null until committed. */
  private readonly pending = new Map<number, LiveEvent | null>();
  /** Abandoned ids not yet passed by delivery. */
  private readonly holes = new Set<number>();
  /**
   * Every event with an id above this is in the ring (ids may skip: abandoned
   * ids are holes). Moves up as the ring evicts.
   */
  private coveredFrom: number;
  private readonly subscribers = new Set<Subscriber>();

  private readonly listeners = new Set<(env: Envelope) => void>();
  private readonly onListenerError: (err: unknown) => void;
  private draining = false;
  private closed = false;
  private readonly sink: ((event: LiveEvent) => void) | null;
  /** Changes when the id sequence starts over (shared mode: the shared log's epoch changed). */
  private bootIdValue: number;
  private replayMissTotal = 0;
  private backlogDropsTotal = 0;
  private readonly resyncTotal: Record<ResyncReason, number> = {
    too_old: 0,
    future: 0,
    restart: 0,
    invalid: 0,
  };

  constructor(opts: EventBusOptions) {
    if (!Number.isSafeInteger(opts.firstId) || opts.firstId < 1) {
      throw new Error(`firstId must be a positive integer, got ${opts.firstId}`);
    }
    this.capacity = Math.max(1, Math.floor(opts.capacity));
    this.ring = new Array(this.capacity);
    this.nextId = opts.firstId;
    this.deliverFrom = opts.firstId;
    this.bootIdValue = opts.firstId;
    this.sink = opts.sink ?? null;
    const seed = (opts.seed ?? [])
      .filter((env) => Number.isSafeInteger(env.id) && env.id >= 1 && env.id < opts.firstId)
      .sort((a, b) => a.id - b.id)
      .filter((env, i, all) => i === 0 || all[i - 1].id !== env.id);
    const defaultFloor = seed.length ? seed[0].id - 1 : opts.firstId - 1;
    this.coveredFrom = Math.min(opts.seedCoversFrom ?? defaultFloor, opts.firstId - 1);
    this.onListenerError =
      opts.onListenerError ?? ((err) => console.error("event listener failed:", err));
    for (const env of seed) this.remember(env);
  }

  /** Ids below this were issued by an earlier process; replay across it works only via the seed. */
  get bootId(): number {
    return this.bootIdValue;
  }

  /** Highest id delivered so far (ids before a restart count: `firstId - 1` at boot). */
  get lastId(): number {
    return this.deliverFrom - 1;
  }

  /** Oldest id still in the ring, or null when empty. */
  get oldestId(): number | null {
    return this.ringLength ? this.at(0)!.id : null;
  }

  get size(): number {
    return this.ringLength;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  reserve(): number {
    const id = this.nextId++;
    this.pending.set(id, null);
    return id;
  }

  commit(id: number, event: LiveEvent): void {
    if (this.pending.get(id) !== null) {
      throw new Error(`event id ${id} was not reserved, or was already committed`);
    }
    this.pending.set(id, event);
    this.drain();
  }

  /** Gives up a reserved id (the write failed, or its change is announced another way). */
  abandon(id: number): void {
    // Only a reserved, uncommitted id can be abandoned; anything else is a no-op.
    if (this.pending.get(id) !== null) return;
    this.pending.delete(id);
    this.holes.add(id);
    this.drain();
  }

  /** Numbers and delivers `event`; in shared mode hands it to the shared log (returns 0: its id comes later). */
  publish(event: LiveEvent): number {
    if (this.sink) {
      this.sink(event);
      return 0;
    }
    const id = this.reserve();
    this.commit(id, event);
    return id;
  }

  /**
   * Shared mode: an event numbered by the shared log, in its order. Ids at or
   * below the last one delivered are ignored (seen already); ids skipped over
   * are holes. `event` null marks an id that carries no event (a record only).
   */
  ingest(id: number, event: LiveEvent | null): void {
    if (!Number.isSafeInteger(id) || id <= this.lastId) return;
    this.deliverFrom = id + 1;
    if (this.nextId <= id) this.nextId = id + 1;
    if (event === null) return;
    const env: Envelope = { id, event };
    this.remember(env);
    this.deliver(env);
  }

  /**
   * An event for this process's subscribers only, without an id (the SSE frame
   * then has no `id:` line, so a client's Last-Event-ID stays where it was);
   * never replayed. Shared mode uses it for what is per process: the state of
   * this process's link to the shared store, its own view of the folder.
   */
  publishLocal(event: LiveEvent): void {
    if (!this.sink) {
      this.publish(event);
      return;
    }
    this.deliver({ id: this.lastId, event, local: true });
  }

  /**
   * Shared mode: what this process holds no longer joins up with the shared log
   * (a gap it cannot fill, or the log started over). Every subscriber is told to
   * re-fetch (resync-required), the ring is emptied so no replay crosses the
   * break, and with `restartAt` the ids start again there (the old stream ends:
   * its clients reconnect and get resync-required, ids never go down within one).
   */
  discontinuity(reason: "too_old" | "restart", restartAt?: number): void {
    const last = this.lastId;
    this.deliver({
      id: last,
      event: { type: "resync-required", data: { reason, last_event_id: last } },
    });
    this.ringStart = 0;
    this.ringLength = 0;
    this.ring.fill(undefined);
    this.coveredFrom = last;
    if (restartAt !== undefined) {
      const subs = [...this.subscribers];
      this.subscribers.clear();
      for (const sub of subs) sub.close("shutdown");
      this.nextId = restartAt;
      this.deliverFrom = restartAt;
      this.bootIdValue = restartAt;
      this.coveredFrom = restartAt - 1;
      this.pending.clear();
      this.holes.clear();
    }
  }

  /** In-process listener (coalescers, presence); sees every delivered event, before subscribers. */
  onEvent(fn: (env: Envelope) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The ring's events from the newest back (at most `limit`), for views of recent activity. */
  *newestFirst(limit = this.ringLength): Generator<Envelope> {
    for (let i = this.ringLength - 1, n = 0; i >= 0 && n < limit; i--, n++) yield this.at(i)!;
  }

  /**
   * What a client that last saw `lastEventId` missed. null means the client
   * named no id: nothing to replay (the caller decides what a fresh client needs).
   */
  replaySince(lastEventId: number | null): ReplayResult {
    if (lastEventId === null) return { kind: "replay", events: [] };
    if (!Number.isSafeInteger(lastEventId) || lastEventId < 0) {
      return { kind: "resync", reason: "invalid" };
    }
    if (lastEventId > this.lastId) return { kind: "resync", reason: "future" };
    if (lastEventId < this.coveredFrom) {
      // "restart": the client saw less than the previous process issued, and the seed no longer covers it.
      return { kind: "resync", reason: lastEventId < this.bootId - 1 ? "restart" : "too_old" };
    }
    // Ids increase along the ring: binary search for the first one after lastEventId.
    let lo = 0;
    let hi = this.ringLength;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid)!.id <= lastEventId) lo = mid + 1;
      else hi = mid;
    }
    const events: Envelope[] = new Array(this.ringLength - lo);
    for (let i = lo; i < this.ringLength; i++) events[i - lo] = this.at(i)!;
    return { kind: "replay", events };
  }

  /**
   * Subscribe and get the replay atomically: nothing is delivered between the
   * replay snapshot and the first live event, so there is no gap and no duplicate.
   * After close(), the subscriber is closed at once with "shutdown".
   */
  subscribe(
    lastEventId: number | null,
    sub: Subscriber,
  ): { replay: ReplayResult; unsubscribe: () => void } {
    const replay = this.replaySince(lastEventId);
    if (replay.kind === "resync") {
      this.resyncTotal[replay.reason]++;
      if (replay.reason === "too_old" || replay.reason === "restart") this.replayMissTotal++;
    }
    if (this.closed) {
      sub.close("shutdown");
      return { replay, unsubscribe: () => {} };
    }
    this.subscribers.add(sub);
    return { replay, unsubscribe: () => this.subscribers.delete(sub) };
  }

  stats(): BusStats {
    return {
      subscribers: this.subscribers.size,
      capacity: this.capacity,
      size: this.ringLength,
      oldestId: this.oldestId,
      lastId: this.lastId,
      bootId: this.bootId,
      replayMissTotal: this.replayMissTotal,
      resyncTotal: { ...this.resyncTotal },
      backlogDropsTotal: this.backlogDropsTotal,
    };
  }

  /** Ends every subscription ("shutdown"); later subscribers are closed at once. Publishing still works. */
  close(): void {
    this.closed = true;
    const subs = [...this.subscribers];
    this.subscribers.clear();
    for (const sub of subs) sub.close("shutdown");
  }

  private drain(): void {
    // A listener or subscriber may publish while we deliver: the outer loop
    // picks that event up, so delivery stays in id order for everyone.
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const id = this.deliverFrom;
        if (this.holes.delete(id)) {
          this.deliverFrom++;
          continue;
        }
        const event = this.pending.get(id);
        if (event === undefined || event === null) return;
        this.pending.delete(id);
        this.deliverFrom++;
        const env: Envelope = { id, event };
        this.remember(env);
        this.deliver(env);
      }
    } finally {
      this.draining = false;
    }
  }

  private deliver(env: Envelope): void {
    for (const fn of this.listeners) {
      try {
        fn(env);
      } catch (err) {
        // One faulty listener must not stall delivery for everyone else.
        this.onListenerError(err);
      }
    }
    for (const sub of this.subscribers) {
      let ok: boolean;
      try {
        ok = sub.send(env);
      } catch {
        ok = false;
      }
      if (!ok) {
        this.subscribers.delete(sub);
        this.backlogDropsTotal++;
        try {
          sub.close("backlog");
        } catch {
          // Already gone.
        }
      }
    }
  }

  private remember(env: Envelope): void {
    if (this.ringLength < this.capacity) {
      this.ring[(this.ringStart + this.ringLength) % this.capacity] = env;
      this.ringLength++;
    } else {
      this.coveredFrom = Math.max(this.coveredFrom, this.ring[this.ringStart]!.id);
      this.ring[this.ringStart] = env;
      this.ringStart = (this.ringStart + 1) % this.capacity;
    }
  }

  private at(i: number): Envelope | undefined {
    return this.ring[(this.ringStart + i) % this.capacity];
  }
}
