/**
 * What the label store publishes, and the small port it publishes through.
 * The store reserves an event id before a write is made durable (the journal
 * line carries it), then commits the event once the write is visible, or
 * abandons the id when the write failed or is announced another way (metric
 * changes go to the coalescer). The live event bus satisfies this port; the
 * wiring (src/server.ts) hands it in. Event shapes are defined here, and the
 * live protocol (src/live/protocol.ts) takes them from here, not the reverse.
 */
import type { ChangedField, Color, Flag } from "./schema.ts";

export interface ItemUpdated {
  path: string;
  version: number;
  star: number | null;
  tags: string[];
  notes: string;
  metrics: Record<string, number>;
  flag: Flag | null;
  color: Color | null;
  updated_at: string | null;
  updated_by: string | null;
  /** Writer's tab id, so the writer can tell its own echo apart. */
  client_id: string | null;
  changed_fields: ChangedField[];
}

export interface PersistenceState {
  state: "saved" | "failed" | "disabled";
  durability: "strict" | "relaxed" | "memory";
  last_error: string | null;
}

export type LabelEvent =
  | { type: "item-updated"; data: ItemUpdated }
  | { type: "persistence"; data: PersistenceState };

/** An item-updated event rebuilt from the journal, with the id its line carries. */
export interface JournaledEvent {
  id: number;
  event: { type: "item-updated"; data: ItemUpdated };
}

export interface LabelEvents {
  /** A fresh id, in order; the event comes later (commit) or never (abandon). */
  reserve(): number;
  commit(id: number, event: LabelEvent): void;
  abandon(id: number): void;
  /** An event not tied to a write (the persistence state); returns its id. */
  publish(event: LabelEvent): number;
}
