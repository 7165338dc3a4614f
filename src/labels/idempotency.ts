/**
 * Idempotency keys: key → compact answer (answers.ts). A retried request with
 * the same key gets the same answer and applies nothing again; the same key
 * on a different request is refused. Every key lives its full lifetime
 * (`ttlMs`, 10 minutes): the table is bounded by an estimate of the bytes it
 * keeps (`budgetBytes`, 128 MiB), and when that is reached new keyed writes
 * are refused (IdempotencyTableFull, 503 with Retry-After) rather than a
 * young key forgotten, after which a retry would apply twice.
 *
 * A remembered record costs nothing while it is the store's current record
 * (the answer shares the object); once a later write supersedes it, the
 * table counts its bytes until the last answer showing it expires.
 */
import { type Answer, answerBytes, recordBytes } from "./answers.ts";
import { LabelRefusal } from "./refusals.ts";
import type { Sidecar } from "./schema.ts";

export const IDEMPOTENCY_TTL_MS = 10 * 60 * 1000;
/**
 * 128 MiB: ≈ 150,000 one-item answers whose records were overwritten since
 * (≈ 850 bytes each), or ≈ 1.6 million batch elements whose records are current.
 */
export const IDEMPOTENCY_BUDGET_BYTES = 128 * 1024 * 1024;

export class IdempotencyKeyReused extends LabelRefusal {
  constructor(readonly key: string) {
    super("key_reused", "this Idempotency-Key was already used for a different request");
    this.name = "IdempotencyKeyReused";
  }
}

export class IdempotencyTableFull extends LabelRefusal {
  constructor(retryAfterSeconds: number, budgetBytes: number) {
    super(
      "idempotency_full",
      `the idempotency table is full (${Math.round(budgetBytes / 1048576)} MiB of answers younger than their lifetime); nothing was changed. Retry this request in ${retryAfterSeconds} s, when the oldest key expires`,
      retryAfterSeconds,
    );
    this.name = "IdempotencyTableFull";
  }
}

interface Entry {
  answer: Answer;
  /** answerBytes, fixed at insertion. */
  bytes: number;
}

export interface IdempotencyTableOptions {
  ttlMs?: number;
  budgetBytes?: number;
  /** Whether `rec` is still the store's current record of its path. */
  isCurrent: (rec: Sidecar) => boolean;
}

export class IdempotencyTable {
  readonly ttlMs: number;
  readonly budgetBytes: number;
  private readonly isCurrent: (rec: Sidecar) => boolean;
  /** Insertion order is acceptance order, so the oldest entries are at the front. */
  private readonly entries = new Map<string, Entry>();
  /** Live answers showing each record. */
  private readonly refs = new Map<Sidecar, number>();
  /** Referenced records no longer current: their bytes count. */
  private readonly orphans = new Set<Sidecar>();
  private total = 0;

  constructor(opts: IdempotencyTableOptions) {
    this.ttlMs = opts.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.budgetBytes = opts.budgetBytes ?? IDEMPOTENCY_BUDGET_BYTES;
    this.isCurrent = opts.isCurrent;
  }

  /** The answer for `key`, or undefined (also when expired). */
  lookup(key: string, now: number): Answer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (now - hit.answer.at > this.ttlMs) {
      this.forget(key, hit);
      return undefined;
    }
    return hit.answer;
  }

  /**
   * Throws IdempotencyTableFull when a new key may not be taken now: the
   * budget is used by keys still within their lifetime. Expired keys go first.
   */
  admit(now: number): void {
    this.prune(now);
    if (this.total < this.budgetBytes) return;
    const oldest = this.entries.values().next().value as Entry | undefined;
    const waitMs = oldest ? oldest.answer.at + this.ttlMs - now : 1000;
    throw new IdempotencyTableFull(Math.max(1, Math.ceil(waitMs / 1000)), this.budgetBytes);
  }

  /** Keeps `answer` under `key` (replacing an earlier one), unless it is already expired. */
  remember(key: string, answer: Answer, now: number): void {
    if (now - answer.at > this.ttlMs) return;
    const old = this.entries.get(key);
    if (old) this.forget(key, old);
    const entry = { answer, bytes: answerBytes(key, answer) };
    this.entries.set(key, entry);
    this.total += entry.bytes;
    for (const rec of answer.recs) {
      if (!rec) continue;
      const n = this.refs.get(rec) ?? 0;
      this.refs.set(rec, n + 1);
      if (n === 0 && !this.isCurrent(rec)) this.orphan(rec);
    }
    this.prune(now);
  }

  /** The store replaced `rec` by a newer record: from now on the table alone keeps it. */
  superseded(rec: Sidecar): void {
    if (this.refs.has(rec) && !this.orphans.has(rec)) this.orphan(rec);
  }

  /** Drops expired entries (the oldest are at the front). */
  prune(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.answer.at <= this.ttlMs) break;
      this.forget(key, e);
    }
  }

  /** Unexpired entries, oldest first (for the snapshot). */
  *live(now: number): Iterable<[string, Answer]> {
    for (const [k, e] of this.entries) if (now - e.answer.at <= this.ttlMs) yield [k, e.answer];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes kept: answers plus the superseded records only they keep. */
  get bytes(): number {
    return this.total;
  }

  private orphan(rec: Sidecar): void {
    this.orphans.add(rec);
    this.total += recordBytes(rec);
  }

  private forget(key: string, e: Entry): void {
    this.entries.delete(key);
    this.total -= e.bytes;
    for (const rec of e.answer.recs) {
      if (!rec) continue;
      const n = (this.refs.get(rec) ?? 1) - 1;
      if (n > 0) {
        this.refs.set(rec, n);
        continue;
      }
      this.refs.delete(rec);
      if (this.orphans.delete(rec)) this.total -= recordBytes(rec);
    }
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
