/**
 * Recent edits by others across the whole gallery, read from the bus's replay
 * ring (which a restart seeds from the journal): who, what, which image, when.
 * Pure over the events given; no HTTP.
 */
import { type Envelope, EventName } from "./protocol.ts";

/** One change of an entry; the view puts it in words. */
export type ActivityChange =
  | { field: "star"; star: number | null }
  | { field: "tags"; tags: string[] }
  | { field: "notes"; cleared: boolean }
  | { field: "metrics"; names: string[] };

export interface ActivityEntry {
  id: number;
  /** Display name (the stable id in `updated_by` dropped), or null for an unnamed script. */
  who: string | null;
  /** The image edited (for a batch of metrics: the first of them). */
  path: string;
  changes: ActivityChange[];
  /** More images changed by the same event (metrics batches). */
  more: number;
  /** ISO time of the change, when known. */
  at: string | null;
}

/** Who the asker is, so their own edits are left out: their tab, and with access on their person. */
export interface Asker {
  clientId?: string | null;
  personId?: string | null;
}

export interface ActivityOptions {
  asker: Asker;
  limit: number;
  /** Current `updated_by`/`updated_at` of an item: what a metrics event (which names no writer) is told from. */
  record(path: string): { updated_by: string | null; updated_at: string | null };
}

/** `"Ana (per_x1)"` → `["Ana", "per_x1"]`; the id is the tab (access off) or the person (access on). */
export function splitUpdatedBy(by: string | null): [string | null, string | null] {
  if (!by) return [null, null];
  const m = /^(.*) \(([^()]*)\)$/.exec(by);
  return m ? [m[1]!, m[2]!] : [by, null];
}

function isMine(asker: Asker, clientId: string | null, by: string | null): boolean {
  const [, id] = splitUpdatedBy(by);
  if (asker.clientId && (clientId === asker.clientId || id === asker.clientId)) return true;
  return !!asker.personId && id === asker.personId;
}

/** Newest first, at most `limit`, leaving out the asker's own edits. */
export function recentActivity(events: Iterable<Envelope>, opts: ActivityOptions): ActivityEntry[] {
  const out: ActivityEntry[] = [];
  for (const env of events) {
    if (out.length >= opts.limit) break;
    const ev = env.event;
    if (ev.type === EventName.itemUpdated) {
      const d = ev.data;
      if (isMine(opts.asker, d.client_id, d.updated_by)) continue;
      const changes = d.changed_fields.map((f): ActivityChange => {
        if (f === "star") return { field: "star", star: d.star };
        if (f === "tags") return { field: "tags", tags: d.tags };
        if (f === "notes") return { field: "notes", cleared: d.notes === "" };
        return { field: "metrics", names: Object.keys(d.metrics) };
      });
      out.push({
        id: env.id,
        who: splitUpdatedBy(d.updated_by)[0],
        path: d.path,
        changes,
        more: 0,
        at: d.updated_at,
      });
    } else if (ev.type === EventName.metricsUpdated) {
      const first = ev.data.items[0];
      if (!first) continue;
      const rec = opts.record(first.path);
      if (isMine(opts.asker, null, rec.updated_by)) continue;
      const names = [...new Set(ev.data.items.flatMap((it) => Object.keys(it.metrics)))];
      out.push({
        id: env.id,
        who: splitUpdatedBy(rec.updated_by)[0],
        path: first.path,
        changes: [{ field: "metrics", names }],
        more: Math.max(0, ev.data.count - 1),
        at: rec.updated_at,
      });
    }
  }
  return out;
}
