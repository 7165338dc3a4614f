/**
 * What a label write resulted in, as plain data. The store returns these, the
 * idempotency cache and the journal keep them, and the routes render them:
 * one outcome always renders to the same HTTP response, which is what makes a
 * replayed Idempotency-Key answer identical.
 */
import type { ChangedField, Sidecar } from "./schema.ts";

/** How an accepted write is kept: fsync'd ("saved"), written and fsync'd within a second ("relaxed"), or in memory only. */
export type Persistence = "saved" | "relaxed" | "memory";
export type Durability = "strict" | "relaxed" | "memory";

export function persistenceOf(durability: Durability): Persistence {
  return durability === "strict" ? "saved" : durability;
}

export type ItemOutcome =
  | {
      kind: "applied";
      sidecar: Sidecar;
      event_id: number;
      merged: boolean;
      changed: ChangedField[];
      persistence: Persistence;
    }
  | { kind: "noop"; sidecar: Sidecar; merged: boolean; persistence: Persistence }
  | { kind: "conflict"; current: Sidecar; base_version: number }
  | {
      kind: "rejected";
      path: string;
      status: 400 | 404;
      error: string;
      message: string;
      field?: string;
    };

export interface BatchOutcome {
  kind: "batch";
  results: ItemOutcome[];
  persistence: Persistence;
}

export type Outcome = ItemOutcome | BatchOutcome;
