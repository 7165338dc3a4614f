/**
 * The single event bus: assigns ids, keeps a bounded replay ring, fans out to
 * subscribers. No HTTP in here; the SSE route is a thin adapter over it.
 *
 * Ids are reserved before a write is made durable and committed after, so a
 * journal line can carry its event id. Delivery is strictly in id order: a
 * committed event waits until every lower reserved id is committed or abandoned.
 */
import type { Envelope, LiveEvent } from "./protocol.ts";

export interface Subscriber {
  /** Called for each event in id order. Returns false to say "I can't keep up": the bus drops it. */
  send(env: Envelope): boolean;
  /** Called once when the bus drops this subscriber (backlog overflow or shutdown). */
  close(reason: "backlog" | "shutdown"): void;
}

export type ReplayResult =
  | { kind: "replay"; events: Envelope[] }
  | { kind: "resync"; reason: "too_old" | "future" | "restart" };

export interface EventBusOptions {
  /** Ring buffer size (events kept for replay). */
  capacity: number;
  /** The first id this process hands out (one past anything issued before a restart). */
  firstId: number;
  /** Events from before a restart to seed the ring with (e.g. the journal's tail), in id order. */
  seed?: Envelope[];
}

export class EventBus {
  private readonly capacity: number;
  private readonly ring: (Envelope | undefined)[];
  private ringStart = 0;
  private ringLength = 0;
  private nextId: number;
  /** Lowest id not yet delivered. */
  private deliverFrom: number;
  private readonly pending = new Map<number, LiveEvent | null>();
  private readonly subscribers = new Set<Subscriber>();
  /** Ids below this were issued by an earlier process; replay across it works only via the seed. */
  readonly bootId: number;
  private readonly listeners = new Set<(env: Envelope) => void>();

  constructor(opts: EventBusOptions) {
    this.capacity = Math.max(1, opts.capacity);
    this.ring = new Array(this.capacity);
    this.nextId = opts.firstId;
    this.deliverFrom = opts.firstId;
    this.bootId = opts.firstId;
    for (const env of opts.seed ?? []) if (env.id < opts.firstId) this.remember(env);
  }

  /** Highest id delivered so far (0 when none). */
  get lastId(): number {
    const last = this.ringLength ? this.at(this.ringLength - 1) : undefined;
    return Math.max(last?.id ?? 0, this.deliverFrom - 1);
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
    if (!this.pending.has(id)) throw new Error(`event id ${id} was not reserved`);
    this.pending.set(id, event);
    this.drain();
  }

  abandon(id: number): void {
    if (!this.pending.delete(id)) return;
    // Mark as a hole so delivery can move past it.
    this.holes.add(id);
    this.drain();
  }

  publish(event: LiveEvent): number {
    const id = this.reserve();
    this.commit(id, event);
    return id;
  }

  /** In-process listener (coalescers, presence); sees every delivered event. */
  onEvent(fn: (env: Envelope) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * What a client that last saw `lastEventId` missed. null means a fresh
   * connection: nothing to replay, the page was rendered from current state.
   */
  replaySince(lastEventId: number | null): ReplayResult {
    if (lastEventId === null) return { kind: "replay", events: [] };
    const last = this.lastId;
    if (lastEventId > last) return { kind: "resync", reason: "future" };
    if (lastEventId === last) return { kind: "replay", events: [] };
    const oldest = this.oldestId;
    // The ring must hold lastEventId+1 onward. Ids may skip (abandoned), so
    // being covered means the client's id is at or after the event before the oldest.
    if (oldest === null || lastEventId < oldest - 1) {
      return { kind: "resync", reason: lastEventId < this.bootId && oldest === null ? "restart" : "too_old" };
    }
    const events: Envelope[] = [];
    for (let i = 0; i < this.ringLength; i++) {
      const env = this.at(i)!;
      if (env.id > lastEventId) events.push(env);
    }
    return { kind: "replay", events };
  }

  /**
   * Subscribe and get the replay atomically: nothing is delivered between the
   * replay snapshot and the first live event, so there is no gap and no duplicate.
   */
  subscribe(lastEventId: number | null, sub: Subscriber): { replay: ReplayResult; unsubscribe: () => void } {
    const replay = this.replaySince(lastEventId);
    this.subscribers.add(sub);
    return { replay, unsubscribe: () => this.subscribers.delete(sub) };
  }

  close(): void {
    for (const sub of this.subscribers) sub.close("shutdown");
    this.subscribers.clear();
  }

  private readonly holes = new Set<number>();

  private drain(): void {
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
      for (const fn of this.listeners) fn(env);
      for (const sub of this.subscribers) {
        if (!sub.send(env)) {
          this.subscribers.delete(sub);
          sub.close("backlog");
        }
      }
    }
  }

  private remember(env: Envelope): void {
    if (this.ringLength < this.capacity) {
      this.ring[(this.ringStart + this.ringLength) % this.capacity] = env;
      this.ringLength++;
    } else {
      this.ring[this.ringStart] = env;
      this.ringStart = (this.ringStart + 1) % this.capacity;
    }
  }

  private at(i: number): Envelope | undefined {
    return this.ring[(this.ringStart + i) % this.capacity];
  }
}
