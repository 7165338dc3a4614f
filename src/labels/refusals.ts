/**
 * Why the store refuses a write, as values the routes map to HTTP statuses in
 * one table (src/routes/items.ts). Every refusal changed nothing. The store
 * throws them as LabelRefusal (subclasses for the ones callers tell apart).
 */
export type RefusalReason =
  /** A patch that overwrites (star, notes, set_tags) came without its base version. */
  | "missing_base_version"
  /** The Idempotency-Key was used for a different request. */
  | "key_reused"
  /** The idempotency table is full of keys younger than their lifetime. */
  | "idempotency_full"
  /** The journal could not be written or fsync'd (or the store is closed). */
  | "persistence_unavailable";

export class LabelRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** When a retry may succeed, in seconds (Retry-After); null when retrying the same request cannot help. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "LabelRefusal";
  }
}

export class MissingBaseVersion extends LabelRefusal {
  constructor() {
    super(
      "missing_base_version",
      "base_version (or If-Match) is required unless the patch only adds/removes tags or sets metrics",
    );
    this.name = "MissingBaseVersion";
  }
}

export class PersistenceError extends LabelRefusal {
  constructor(override readonly cause: unknown) {
    super(
      "persistence_unavailable",
      `labels could not be saved: ${cause instanceof Error ? cause.message : String(cause)}`,
      1,
    );
    this.name = "PersistenceError";
  }
}
