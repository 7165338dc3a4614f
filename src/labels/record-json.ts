/** Records as the Redis store and its stream carry them (JSON), back to Sidecars. */
import type { ItemUpdated } from "./events.ts";
import { newMetrics, type Sidecar } from "./schema.ts";

/** A stored record back to a Sidecar with a prototype-free metrics object (a metric may be named `__proto__`). */
export function parseRecord(json: string): Sidecar {
  const r = JSON.parse(json) as Sidecar;
  return {
    path: r.path,
    star: r.star,
    tags: r.tags,
    notes: r.notes,
    metrics: newMetrics(Object.entries(r.metrics ?? {})),
    // Records written before flags and colours existed have neither.
    flag: r.flag ?? null,
    color: r.color ?? null,
    version: r.version,
    updated_at: r.updated_at,
    updated_by: r.updated_by,
  };
}

/** The record an item-updated event carries. */
export function recordOfEvent(d: ItemUpdated): Sidecar {
  return {
    path: d.path,
    star: d.star,
    tags: d.tags,
    notes: d.notes,
    metrics: newMetrics(Object.entries(d.metrics ?? {})),
    flag: d.flag ?? null,
    color: d.color ?? null,
    version: d.version,
    updated_at: d.updated_at,
    updated_by: d.updated_by,
  };
}
