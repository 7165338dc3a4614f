/**
 * Wire shapes for labels: one zod schema each, types derived from them.
 * Routes validate with these; the store and journal speak these types.
 */
import { z } from "zod";
import { COLORS, FLAGS } from "../core/cull.ts";

export const MAX_TAGS = 64;
export const MAX_TAG_LENGTH = 128;
export const MAX_NOTES_LENGTH = 20_000;
export const MAX_METRICS = 256;
export const MAX_BATCH_PATCHES = 1000;

export const Star = z.number().int().min(0).max(5);
export const Tag = z.string().max(MAX_TAG_LENGTH);
export const TagList = z.array(Tag).max(MAX_TAGS);
export const MetricName = z.string().min(1).max(128);
export const MetricValue = z.number().refine(Number.isFinite, "must be a finite number");
/** Lightroom's flags: a pick or a reject (null: unflagged). */
export const Flag = z.enum(FLAGS);
export type Flag = z.infer<typeof Flag>;
/** Lightroom's colour labels, in its key order (6–9, then purple). */
export const Color = z.enum(COLORS);
export type Color = z.infer<typeof Color>;

/** Metric name → value. Built without a prototype (newMetrics), so every name is an ordinary own key. */
export type Metrics = Record<string, number>;

/** An empty metrics object, or one holding `entries`: no prototype, so `__proto__` or `toString` are plain names. */
export function newMetrics(entries: Iterable<[string, number]> = []): Metrics {
  const m = Object.create(null) as Metrics;
  for (const [k, v] of entries) m[k] = v;
  return m;
}

/**
 * A JSON object of metrics. z.record skips a key named `__proto__` without a
 * word, so this reads the object's own keys itself (names by MetricName,
 * values by `value`, issues at `<field>.<name>`) into a prototype-free object.
 * The JSON Schema is the one of the equivalent z.record.
 */
function metricMap<V extends z.ZodType<number | null>>(value: V) {
  const { $schema: _drop, ...doc } = z.toJSONSchema(z.record(MetricName, value));
  return z
    .custom<Record<string, unknown>>(
      (v) => typeof v === "object" && v !== null && !Array.isArray(v),
      "expected an object of metric name → number",
    )
    .transform((input, ctx) => {
      const out = Object.create(null) as Record<string, z.output<V>>;
      for (const name of Object.keys(input)) {
        const key = MetricName.safeParse(name);
        if (!key.success) {
          ctx.addIssue({ code: "custom", message: key.error.issues[0].message, path: [name] });
          continue;
        }
        const v = value.safeParse(input[name]);
        if (!v.success) {
          for (const issue of v.error.issues) {
            ctx.addIssue({ code: "custom", message: issue.message, path: [name, ...issue.path] });
          }
          continue;
        }
        out[name] = v.data;
      }
      return out;
    })
    .meta(doc);
}

/** The per-item record ("sidecar"). */
export const Sidecar = z.object({
  path: z.string(),
  star: Star.nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  metrics: z.record(z.string(), z.number()),
  flag: Flag.nullable(),
  color: Color.nullable(),
  version: z.number().int().min(1),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
export type Sidecar = z.infer<typeof Sidecar>;

/** Fields of a patch; each applies only when present. */
export const PatchFields = z
  .object({
    set_star: Star.nullable().optional(),
    set_notes: z.string().max(MAX_NOTES_LENGTH).optional(),
    set_tags: TagList.optional(),
    add_tags: TagList.optional(),
    remove_tags: TagList.optional(),
    set_metrics: metricMap(MetricValue.nullable()).optional(),
    /** null clears the flag (Lightroom's U). */
    set_flag: Flag.nullable().optional(),
    set_color: Color.nullable().optional(),
  })
  .strict();
export type PatchFields = z.infer<typeof PatchFields>;

export const PatchBody = PatchFields.extend({
  base_version: z.number().int().min(1).optional(),
}).strict();
export type PatchBody = z.infer<typeof PatchBody>;

/** PUT /item: full replace (compatibility). */
export const PutBody = z
  .object({
    star: Star.nullable().optional(),
    tags: TagList.optional(),
    notes: z.string().max(MAX_NOTES_LENGTH).optional(),
    metrics: metricMap(MetricValue).optional(),
    flag: Flag.nullable().optional(),
    color: Color.nullable().optional(),
    base_version: z.number().int().min(1).optional(),
  })
  .strict();
export type PutBody = z.infer<typeof PutBody>;

export const BatchPatchBody = z
  .object({
    patches: z
      .array(PatchBody.extend({ path: z.string().min(1) }))
      .min(1)
      .max(MAX_BATCH_PATCHES),
  })
  .strict();
export type BatchPatchBody = z.infer<typeof BatchPatchBody>;

/** In the order the store lists them (answers.ts packs them into bits in this order). */
export const ChangedField = z.enum(["star", "tags", "notes", "metrics", "flag", "color"]);
export type ChangedField = z.infer<typeof ChangedField>;

// --- Response shapes (added with the label store; used by the routes' OpenAPI document) ---

export const Persistence = z.enum(["saved", "relaxed", "memory"]);

/** 200 answer of PATCH/PUT /item: the record after the write. */
export const WriteResponse = Sidecar.extend({
  /** Id of the item-updated event this write published (the journal line carries it); null for a no-op. */
  event_id: z.number().int().nullable(),
  /** True when the server applied a commuting patch on a version other than the client's base. */
  merged: z.boolean(),
  changed_fields: z.array(ChangedField),
  /** "saved": fsync'd before this answer; "relaxed": written, fsync'd within a second; "memory": not on disk. */
  persistence: Persistence,
});
export type WriteResponse = z.infer<typeof WriteResponse>;

export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const VersionConflictBody = ErrorBody.extend({
  error: z.literal("version_conflict"),
  current: Sidecar,
});

/** One element of a POST /items/patch answer, in request order. */
export const BatchResult = z.union([
  WriteResponse.omit({ persistence: true }).extend({ status: z.literal(200) }),
  VersionConflictBody.extend({ path: z.string(), status: z.literal(409) }),
  ErrorBody.extend({ path: z.string(), status: z.union([z.literal(400), z.literal(404)]) }),
]);

export const BatchResponse = z.object({
  results: z.array(BatchResult),
  applied: z.number().int(),
  persistence: Persistence,
});
export type BatchResponse = z.infer<typeof BatchResponse>;

/** One row of GET /export. */
export const ExportRow = z.object({
  path: z.string(),
  folder: z.string(),
  name: z.string(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  star: Star.nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  metrics: z.record(z.string(), z.number()),
  flag: Flag.nullable(),
  color: Color.nullable(),
  version: z.number().int(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
export type ExportRow = z.infer<typeof ExportRow>;

export const ExportSelection = z
  .object({
    paths: z.array(z.string().min(1)).min(1).max(1_000_000),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .strict();

/** The `labels` part of GET /health. */
export const LabelsHealth = z.object({
  durability: z.enum(["strict", "relaxed", "memory"]),
  state: z.enum(["saved", "failed", "disabled"]),
  journal: z.object({ path: z.string().nullable(), bytes: z.number() }),
  snapshot: z.object({ path: z.string().nullable(), bytes: z.number() }),
  last_error: z.string().nullable(),
  /** Journal lines since the last snapshot. */
  journal_lines: z.number(),
  last_snapshot_at: z.string().nullable(),
  idempotency_keys: z.number(),
  /** Estimated bytes the remembered answers keep, and the budget past which new keyed writes get 503. */
  idempotency_bytes: z.number(),
  idempotency_budget_bytes: z.number(),
});
export type LabelsHealth = z.infer<typeof LabelsHealth>;
