/**
 * Idempotency keys: key → (hash of the request, outcome). A retried request
 * with the same key gets the same outcome and applies nothing again; the same
 * key on a different request is refused. Entries live at least `ttlMs`
 * (10 minutes) unless more than `capacity` newer keys push them out first.
 * The store rebuilds the cache from the snapshot and journal at startup.
 */
import type { Outcome } from "./outcome.ts";

export const IDEMPOTENCY_TTL_MS = 10 * 60 * 1000;
export const IDEMPOTENCY_CAPACITY = 100_000;

export interface IdemEntry {
  /** Hash of method, path, If-Match and body (requestHash). */
  req: string;
  /** When the request was accepted, ms since epoch. */
  at: number;
  outcome: Outcome;
}

export class IdempotencyKeyReused extends Error {
  constructor(readonly key: string) {
    super("this Idempotency-Key was already used for a different request");
    this.name = "IdempotencyKeyReused";
  }
}

export class IdempotencyCache {
  /** Insertion order is acceptance order, so the oldest entries are at the front. */
  private readonly entries = new Map<string, IdemEntry>();
  private evictedEarly = 0;

  constructor(
    readonly ttlMs = IDEMPOTENCY_TTL_MS,
    readonly capacity = IDEMPOTENCY_CAPACITY,
  ) {}

  /** The entry for `key`, or undefined (also when expired). */
  lookup(key: string, now = Date.now()): IdemEntry | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (now - hit.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return hit;
  }

  remember(key: string, entry: IdemEntry, now = Date.now()): void {
    if (now - entry.at > this.ttlMs) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const [k, e] of this.entries) {
      if (now - e.at > this.ttlMs) this.entries.delete(k);
      else if (this.entries.size > this.capacity) {
        this.entries.delete(k);
        this.evictedEarly++;
      } else break;
    }
  }

  /** Unexpired entries, oldest first (for the snapshot). */
  *live(now = Date.now()): Iterable<[string, IdemEntry]> {
    for (const [k, e] of this.entries) if (now - e.at <= this.ttlMs) yield [k, e];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keys dropped before their TTL because the cache was full. */
  get evicted(): number {
    return this.evictedEarly;
  }
}

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` hash alike. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
}

/** Identifies "the same request" for an idempotency key: method, canonical path, If-Match, body. */
export function requestHash(
  method: string,
  path: string,
  ifMatch: number | null,
  body: unknown,
): string {
  const text = `${method}\n${path}\n${ifMatch ?? ""}\n${stableStringify(body)}`;
  return Bun.hash(text).toString(16).padStart(16, "0");
}
