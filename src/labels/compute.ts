/**
 * What a write does, as data: a request's outcome and the records it
 * produces, computed against a view of the current records. Pure (no I/O, no
 * clock, no ids of its own): both stores run it — the local one under its path
 * locks before the journal, the Redis one before its compare-and-set script —
 * so the rules of a write live here once, and the rules of a patch in patch.ts.
 */
import type { BatchOutcome, Durability, ItemOutcome } from "./outcome.ts";
import { persistenceOf } from "./outcome.ts";
import { applyPatch, applyReplace, isCommuting, type LabelChange } from "./patch.ts";
import { MissingBaseVersion } from "./refusals.ts";
import type { ChangedField, PatchFields, PutBody, Sidecar } from "./schema.ts";

/** Who writes, and how the request is identified for idempotency. */
export interface WriteContext {
  /** Stored as updated_by, e.g. "Ana (k3f9)". */
  updatedBy: string;
  clientId: string;
  /** Idempotency-Key and requestHash(), or null for un-keyed writes (PUT without a key). */
  key: string | null;
  requestHash: string | null;
}

export interface PatchRequest {
  path: string;
  fields: PatchFields;
  baseVersion: number | null;
}

export interface PutRequest {
  path: string;
  body: PutBody;
  baseVersion: number | null;
}

/** A batch element the route already refused (bad path, not in the gallery); kept in its place. */
export interface RejectedItem {
  path: string;
  reject: { status: 400 | 404; error: string; message: string; field?: string };
}

export type BatchItem = PatchRequest | RejectedItem;

export interface StagedWrite {
  path: string;
  next: Sidecar;
  changed: ChangedField[];
  merged: boolean;
  ev: number;
}

/** The writes of one request, computed against current + earlier staged records. */
export class Stage {
  readonly writes: StagedWrite[] = [];
  /** Every path the request read, with the version it saw first (what a compare-and-set checks). */
  readonly read = new Map<string, number>();
  private readonly overlay = new Map<string, Sidecar>();
  constructor(
    private readonly view: (path: string) => Sidecar,
    private readonly reserve: () => number,
    private readonly ctx: WriteContext,
    private readonly at: string,
  ) {}

  current(path: string): Sidecar {
    const staged = this.overlay.get(path);
    if (staged) return staged;
    const cur = this.view(path);
    if (!this.read.has(path)) this.read.set(path, cur.version);
    return cur;
  }

  write(cur: Sidecar, change: LabelChange, merged: boolean): StagedWrite {
    const next: Sidecar = {
      path: cur.path,
      ...change.labels,
      version: cur.version + 1,
      updated_at: this.at,
      updated_by: this.ctx.updatedBy,
    };
    const w = { path: cur.path, next, changed: change.changed, merged, ev: this.reserve() };
    this.overlay.set(cur.path, next);
    this.writes.push(w);
    return w;
  }
}

/** PATCH of one item (also each element of a batch). */
export function patchOne(stage: Stage, req: PatchRequest, durability: Durability): ItemOutcome {
  const cur = stage.current(req.path);
  const commuting = isCommuting(req.fields);
  const stale = req.baseVersion !== null && req.baseVersion !== cur.version;
  if (stale && !commuting) {
    return { kind: "conflict", current: cur, base_version: req.baseVersion as number };
  }
  // A commuting patch without a base, or on a newer version, is merged onto the current record.
  const merged = req.baseVersion === null || stale;
  const change = applyPatch(cur, req.fields);
  const persistence = persistenceOf(durability);
  if (change.changed.length === 0) return { kind: "noop", sidecar: cur, merged, persistence };
  const w = stage.write(cur, change, merged);
  return {
    kind: "applied",
    sidecar: w.next,
    event_id: w.ev,
    merged,
    changed: w.changed,
    persistence,
  };
}

/** PUT: full replace, versioned; the base version is checked when given. */
export function putOne(stage: Stage, req: PutRequest, durability: Durability): ItemOutcome {
  const cur = stage.current(req.path);
  if (req.baseVersion !== null && req.baseVersion !== cur.version) {
    return { kind: "conflict", current: cur, base_version: req.baseVersion };
  }
  const change = applyReplace(cur, req.body);
  const persistence = persistenceOf(durability);
  if (change.changed.length === 0)
    return { kind: "noop", sidecar: cur, merged: false, persistence };
  const w = stage.write(cur, change, false);
  return {
    kind: "applied",
    sidecar: w.next,
    event_id: w.ev,
    merged: false,
    changed: w.changed,
    persistence,
  };
}

/** POST /items/patch: one result per element, in order. */
export function batchOf(stage: Stage, items: BatchItem[], durability: Durability): BatchOutcome {
  const results: ItemOutcome[] = items.map((item) => {
    if ("reject" in item) return { kind: "rejected", path: item.path, ...item.reject };
    if (item.baseVersion === null && !isCommuting(item.fields)) {
      return {
        kind: "rejected",
        path: item.path,
        status: 400,
        error: "missing_base_version",
        message: new MissingBaseVersion().message,
        field: "base_version",
      };
    }
    return patchOne(stage, item, durability);
  });
  return { kind: "batch", results, persistence: persistenceOf(durability) };
}

/** The distinct item paths of a batch that a write may touch. */
export function batchPaths(items: BatchItem[]): string[] {
  return [...new Set(items.filter((i) => !("reject" in i)).map((i) => i.path))];
}
