/**
 * The remembered answer of a keyed write, in compact form: per element only
 * what the record cannot tell — a code (kind, merged, changed fields), a
 * number (event id or base version) and a reference to the record it showed.
 * In memory that reference is the record object itself, shared with the
 * store while the record is current; on disk it points at the line that
 * already holds the record (the journal's set line, the snapshot's item or
 * `ver` line), so no record is written twice. `toOutcome` rebuilds the very
 * Outcome the first answer rendered, so the replayed response is identical.
 */
import type { ItemOutcome, Outcome, Persistence } from "./outcome.ts";
import { ChangedField, type Sidecar } from "./schema.ts";

export type RejectedOutcome = Extract<ItemOutcome, { kind: "rejected" }>;

export interface Answer {
  /** Hash of the request (requestHash): the same key on another request is refused. */
  req: string;
  /** Acceptance time, ms since epoch: the lifetime counts from it. */
  at: number;
  /** A batch answer (POST /items/patch) rather than one item's. */
  batch: boolean;
  persistence: Persistence;
  /** Per element: the record it showed (produced, unchanged or current); null for a rejected element. */
  recs: (Sidecar | null)[];
  /** Per element: event id (applied), base version (conflict), else 0. */
  nums: number[];
  /** Per element: kind | merged | changed fields (see code()). */
  codes: number[];
  /** The rejected elements' outcomes, in order (rare: refused paths of a batch). */
  rejected: RejectedOutcome[] | null;
}

export const KIND_APPLIED = 0;
export const KIND_NOOP = 1;
export const KIND_CONFLICT = 2;
export const KIND_REJECTED = 3;
const MERGED = 4;
/** The store always lists changed fields in this order (patch.ts), so a bit set rebuilds the list. */
const FIELDS: readonly ChangedField[] = ChangedField.options;

export function kindOf(code: number): number {
  return code & 3;
}

function code(kind: number, merged: boolean, changed: readonly ChangedField[]): number {
  let c = kind | (merged ? MERGED : 0);
  for (const f of changed) c |= 8 << FIELDS.indexOf(f);
  return c;
}

function changedOf(c: number): ChangedField[] {
  const out: ChangedField[] = [];
  for (let i = 0; i < FIELDS.length; i++) if (c & (8 << i)) out.push(FIELDS[i]);
  return out;
}

/** The compact form of `outcome` (its records are shared, not copied). */
export function fromOutcome(outcome: Outcome, req: string, at: number): Answer {
  const items = outcome.kind === "batch" ? outcome.results : [outcome];
  const a: Answer = {
    req,
    at,
    batch: outcome.kind === "batch",
    persistence: outcome.kind === "batch" ? outcome.persistence : persistenceOfItem(outcome),
    recs: new Array(items.length),
    nums: new Array(items.length),
    codes: new Array(items.length),
    rejected: null,
  };
  items.forEach((o, i) => {
    switch (o.kind) {
      case "applied":
        a.recs[i] = o.sidecar;
        a.nums[i] = o.event_id;
        a.codes[i] = code(KIND_APPLIED, o.merged, o.changed);
        break;
      case "noop":
        a.recs[i] = o.sidecar;
        a.nums[i] = 0;
        a.codes[i] = code(KIND_NOOP, o.merged, []);
        break;
      case "conflict":
        a.recs[i] = o.current;
        a.nums[i] = o.base_version;
        a.codes[i] = KIND_CONFLICT;
        break;
      case "rejected":
        a.recs[i] = null;
        a.nums[i] = 0;
        a.codes[i] = KIND_REJECTED;
        a.rejected ??= [];
        a.rejected.push(o);
        break;
    }
  });
  return a;
}

function persistenceOfItem(o: ItemOutcome): Persistence {
  return o.kind === "applied" || o.kind === "noop" ? o.persistence : "saved";
}

/** The Outcome `a` was made from. */
export function toOutcome(a: Answer): Outcome {
  let r = 0;
  const items: ItemOutcome[] = a.codes.map((c, i): ItemOutcome => {
    const rec = a.recs[i] as Sidecar;
    switch (kindOf(c)) {
      case KIND_APPLIED:
        return {
          kind: "applied",
          sidecar: rec,
          event_id: a.nums[i],
          merged: (c & MERGED) !== 0,
          changed: changedOf(c),
          persistence: a.persistence,
        };
      case KIND_NOOP:
        return {
          kind: "noop",
          sidecar: rec,
          merged: (c & MERGED) !== 0,
          persistence: a.persistence,
        };
      case KIND_CONFLICT:
        return { kind: "conflict", current: rec, base_version: a.nums[i] };
      default:
        return (a.rejected as RejectedOutcome[])[r++];
    }
  });
  return a.batch ? { kind: "batch", results: items, persistence: a.persistence } : items[0];
}

/**
 * Approximate bytes `a` keeps in memory besides its records (the table counts
 * a record only once it is no longer the current one, see IdempotencyTable).
 * Fitted to the heap Bun measures (bench/labels.ts, mem): ≈ 450 bytes for a
 * one-item answer with its table entry, ≈ 80 bytes per further element.
 */
export function answerBytes(key: string, a: Answer): number {
  let n = 370 + key.length + a.req.length + 80 * a.codes.length;
  for (const r of a.rejected ?? [])
    n += 96 + 2 * (r.path.length + r.error.length + r.message.length);
  return n;
}

/** Approximate bytes of a record in memory (≈ 350 for a small one; strings at 2 bytes a character). */
export function recordBytes(s: Sidecar): number {
  let n = 240 + 2 * (s.path.length + s.notes.length) + (s.updated_by?.length ?? 0);
  for (const t of s.tags) n += 32 + 2 * t.length;
  for (const k of Object.keys(s.metrics)) n += 40 + k.length;
  return n;
}

// --- On disk -------------------------------------------------------------------------------------

/**
 * One element of an answer as written: `[code, …]` where the rest is
 * - applied: `[ev]` in the journal (the set line of that event holds the record) or `[recIndex]` in the snapshot;
 * - noop: `[path, version]` in the journal, `[recIndex]` in the snapshot;
 * - conflict: `[path, version, base]` in the journal, `[recIndex, base]` in the snapshot;
 * - rejected: `[path, status, error, message, field?]`.
 */
export type WireElement = (string | number)[];

/** The fields a journal `resp` or snapshot `idem` line carries besides its elements. */
export interface WireAnswer {
  key: string;
  req: string;
  at: number;
  /** 1 for a batch answer. */
  b?: 1;
  /** Persistence when not "saved". */
  ps?: Persistence;
  items: WireElement[];
}

function wireHead(key: string, a: Answer): Omit<WireAnswer, "items"> {
  const w: Omit<WireAnswer, "items"> = { key, req: a.req, at: a.at };
  if (a.batch) w.b = 1;
  if (a.persistence !== "saved") w.ps = a.persistence;
  return w;
}

function rejectedWire(c: number, r: RejectedOutcome): WireElement {
  const e: WireElement = [c, r.path, r.status, r.error, r.message];
  if (r.field !== undefined) e.push(r.field);
  return e;
}

/** For a journal `resp` line: applied elements point at their set line by event id. */
export function toJournalWire(key: string, a: Answer): WireAnswer {
  let r = 0;
  const items = a.codes.map((c, i): WireElement => {
    const rec = a.recs[i] as Sidecar;
    switch (kindOf(c)) {
      case KIND_APPLIED:
        return [c, a.nums[i]];
      case KIND_NOOP:
        return [c, rec.path, rec.version];
      case KIND_CONFLICT:
        return [c, rec.path, rec.version, a.nums[i]];
      default:
        return rejectedWire(c, (a.rejected as RejectedOutcome[])[r++]);
    }
  });
  return { ...wireHead(key, a), items };
}

/** For a snapshot `idem` line: records point at the snapshot's item/ver lines by index. */
export function toSnapshotWire(
  key: string,
  a: Answer,
  indexOf: (rec: Sidecar) => number,
): WireAnswer {
  let r = 0;
  const items = a.codes.map((c, i): WireElement => {
    const k = kindOf(c);
    if (k === KIND_REJECTED) return rejectedWire(c, (a.rejected as RejectedOutcome[])[r++]);
    const at = indexOf(a.recs[i] as Sidecar);
    return k === KIND_APPLIED || k === KIND_CONFLICT ? [c, at, a.nums[i]] : [c, at];
  });
  return { ...wireHead(key, a), items };
}

/** A wire element's record reference, resolved by the reader. Null when it cannot be resolved. */
export type Resolve = (element: WireElement, index: number) => Sidecar | null;

/**
 * Rebuilds an answer read from disk; `resolve` finds each element's record.
 * Returns null when the line is malformed or a record is missing.
 */
export function fromWire(w: Record<string, unknown>, resolve: Resolve): Answer | null {
  if (typeof w.req !== "string" || typeof w.at !== "number" || !Array.isArray(w.items)) return null;
  const elements = w.items as unknown[];
  const a: Answer = {
    req: w.req,
    at: w.at,
    batch: w.b === 1,
    persistence: w.ps === "relaxed" || w.ps === "memory" ? w.ps : "saved",
    recs: new Array(elements.length),
    nums: new Array(elements.length),
    codes: new Array(elements.length),
    rejected: null,
  };
  if (!a.batch && elements.length !== 1) return null;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    if (!Array.isArray(e) || typeof e[0] !== "number") return null;
    const c = e[0];
    a.codes[i] = c;
    if (kindOf(c) === KIND_REJECTED) {
      const [, path, status, error, message, field] = e;
      if (typeof path !== "string" || (status !== 400 && status !== 404)) return null;
      const o: RejectedOutcome = {
        kind: "rejected",
        path,
        status,
        error: String(error),
        message: String(message),
      };
      if (typeof field === "string") o.field = field;
      a.rejected ??= [];
      a.rejected.push(o);
      a.recs[i] = null;
      a.nums[i] = 0;
      continue;
    }
    const rec = resolve(e as WireElement, i);
    if (!rec) return null;
    a.recs[i] = rec;
    a.nums[i] = kindOf(c) === KIND_NOOP ? 0 : Number(e[e.length - 1]);
  }
  return a;
}
