/**
 * Pure patch rules: what a patch or a full replace does to one record.
 * No I/O, no clocks: the store stamps version, time and author.
 */
import {
  type ChangedField,
  type Metrics,
  newMetrics,
  type PatchFields,
  type PutBody,
  type Sidecar,
} from "./schema.ts";

/** The label content of a record, without its bookkeeping fields. */
export type Labels = Pick<Sidecar, "star" | "tags" | "notes" | "metrics" | "flag" | "color">;

export interface LabelChange {
  labels: Labels;
  /** Fields whose value differs from the current record; empty means no-op. */
  changed: ChangedField[];
}

/** The record of an item nobody has written yet. */
export function emptySidecar(path: string): Sidecar {
  return {
    path,
    star: null,
    tags: [],
    notes: "",
    metrics: newMetrics(),
    flag: null,
    color: null,
    version: 1,
    updated_at: null,
    updated_by: null,
  };
}

/** Trim, drop empties, de-duplicate keeping the first occurrence. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of tags) {
    const tag = raw.trim();
    if (tag === "" || seen.has(tag)) continue;
    seen.add(tag);
    out.push(tag);
  }
  return out;
}

const COMMUTING_FIELDS = new Set<string>(["add_tags", "remove_tags", "set_metrics"]);

/**
 * A patch that only adds/removes tags and/or sets metrics keeps its intent on
 * top of any version, so the server applies it to the current record instead
 * of answering 409. Star, notes and set_tags overwrite a value the writer saw,
 * so they need the writer's base version. So do flag and colour: like a star,
 * each is one value a person chose after seeing the one before.
 */
export function isCommuting(fields: PatchFields): boolean {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && !COMMUTING_FIELDS.has(name)) return false;
  }
  return true;
}

/** True when only set_metrics is present: such writes go to the metrics coalescer, not item-updated. */
export function isMetricsOnly(changed: readonly ChangedField[]): boolean {
  return changed.length === 1 && changed[0] === "metrics";
}

/**
 * Applies a patch. Order: set_tags replaces, then remove_tags, then add_tags
 * appends what is missing. A tag in both add_tags and remove_tags is kept
 * (add wins) without moving, so applying a patch twice equals applying it once.
 * set_metrics merges; a null value removes that metric.
 */
export function applyPatch(current: Labels, fields: PatchFields): LabelChange {
  const changed: ChangedField[] = [];
  let { star, tags, notes, metrics, flag, color } = current;

  if (fields.set_star !== undefined && fields.set_star !== star) {
    star = fields.set_star;
    changed.push("star");
  }

  if (
    fields.set_tags !== undefined ||
    fields.add_tags !== undefined ||
    fields.remove_tags !== undefined
  ) {
    let next = fields.set_tags !== undefined ? normalizeTags(fields.set_tags) : tags;
    const add = normalizeTags(fields.add_tags ?? []);
    if (fields.remove_tags !== undefined) {
      // A tag both removed and added stays where it is: add wins, and a replay changes nothing.
      const keep = new Set(add);
      const drop = new Set(normalizeTags(fields.remove_tags).filter((t) => !keep.has(t)));
      if (drop.size > 0) next = next.filter((t) => !drop.has(t));
    }
    if (add.length > 0) {
      const have = new Set(next);
      const missing = add.filter((t) => !have.has(t));
      if (missing.length > 0) next = [...next, ...missing];
    }
    if (!sameList(next, tags)) {
      tags = next;
      changed.push("tags");
    }
  }

  if (fields.set_notes !== undefined && fields.set_notes !== notes) {
    notes = fields.set_notes;
    changed.push("notes");
  }

  if (fields.set_metrics !== undefined) {
    const next = mergeMetrics(metrics, fields.set_metrics);
    if (next !== metrics) {
      metrics = next;
      changed.push("metrics");
    }
  }

  // After metrics: changed fields keep ChangedField's order (answers.ts packs them by it).
  if (fields.set_flag !== undefined && fields.set_flag !== flag) {
    flag = fields.set_flag;
    changed.push("flag");
  }
  if (fields.set_color !== undefined && fields.set_color !== color) {
    color = fields.set_color;
    changed.push("color");
  }

  return { labels: { star, tags, notes, metrics, flag, color }, changed };
}

/**
 * Full replace (PUT): star, tags and notes take the body's value or their
 * empty value. Metrics are machine data, so they are replaced only when the
 * body carries them: an old client PUTting labels does not wipe them.
 */
export function applyReplace(current: Labels, body: PutBody): LabelChange {
  const star = body.star ?? null;
  const tags = normalizeTags(body.tags ?? []);
  const notes = body.notes ?? "";
  // PUT is the original Lenslet's call, whose clients know no flags or colours: like metrics,
  // they are replaced only when the body names them, so such a client never wipes them.
  const flag = body.flag !== undefined ? body.flag : current.flag;
  const color = body.color !== undefined ? body.color : current.color;
  const metrics =
    body.metrics !== undefined ? newMetrics(Object.entries(body.metrics)) : current.metrics;
  const changed: ChangedField[] = [];
  if (star !== current.star) changed.push("star");
  if (!sameList(tags, current.tags)) changed.push("tags");
  if (notes !== current.notes) changed.push("notes");
  if (!sameMetrics(metrics, current.metrics)) changed.push("metrics");
  if (flag !== current.flag) changed.push("flag");
  if (color !== current.color) changed.push("color");
  return { labels: { star, tags, notes, metrics, flag, color }, changed };
}

/** Returns `current` itself when nothing changes, so callers can compare by identity. */
export function mergeMetrics(current: Metrics, patch: Record<string, number | null>): Metrics {
  let next: Metrics | null = null;
  for (const name of Object.keys(patch)) {
    const value = patch[name];
    const has = Object.hasOwn(current, name);
    if (value === null) {
      if (!has && !(next && Object.hasOwn(next, name))) continue;
      next ??= newMetrics(Object.entries(current));
      delete next[name];
    } else {
      if (has && current[name] === value && !next) continue;
      // No prototype: a metric named "__proto__" or "constructor" is a plain key.
      next ??= newMetrics(Object.entries(current));
      next[name] = value;
    }
  }
  return next === null || sameMetrics(next, current) ? current : next;
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameMetrics(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  return true;
}
