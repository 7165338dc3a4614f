/**
 * The label store's contract, as the routes and pages use it. Two stores keep
 * it: LabelStore (store.ts: memory plus the local fsync'd journal, one process)
 * and RedisLabelStore (redis-store.ts: Redis, any number of processes). One
 * test suite runs against both (test/labels/contract.ts).
 */
import type { BatchItem, PatchRequest, PutRequest, WriteContext } from "./compute.ts";
import type { BatchOutcome, Durability, ItemOutcome, Outcome } from "./outcome.ts";
import type { LabelsHealth, Sidecar } from "./schema.ts";

export interface WriteResult<O extends Outcome> {
  outcome: O;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

export interface LabelStoreApi {
  readonly durability: Durability;
  /** The record of `path` (canonical); the default record when never written. Synchronous: pages read it per card. */
  get(path: string): Sidecar;
  /** Written records. */
  entries(): Iterable<[string, Sidecar]>;
  /** Changes whenever a record changes (for caches of derived data). */
  readonly revision: number;
  /**
   * Paths whose records changed after `revision` (each once), or null when the store's change
   * feed no longer reaches back that far (the caller then reads every record again).
   */
  changedSince(revision: number): string[] | null;
  health(): LabelsHealth;
  /** Throw a LabelRefusal (refusals.ts) when nothing was changed. */
  patch(req: PatchRequest, ctx: WriteContext): Promise<WriteResult<ItemOutcome>>;
  put(req: PutRequest, ctx: WriteContext): Promise<WriteResult<ItemOutcome>>;
  batch(items: BatchItem[], ctx: WriteContext): Promise<WriteResult<BatchOutcome>>;
  close(): Promise<void>;
}
