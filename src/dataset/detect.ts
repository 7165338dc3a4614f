/**
 * Field detection: each column of a raw table becomes an engine column by
 * what its values are (D4). Numbers → metric; ISO-8601 text or timestamps →
 * date; text with few distinct values → category, else text; booleans →
 * category; fixed-length lists of numbers → embedding (unit length); columns
 * named like labels (star/rating, tags, notes) → seeds for the label journal
 * (src/dataset/seed-labels.ts); objects and lists of text → ignored, said in /health.
 * Mixed value types in a typed format (JSONL, Parquet) are an error naming the
 * column and the rows.
 */
import {
  type Column,
  categoryFrom,
  type EmbeddingColumn,
  type MetricColumn,
} from "../query/columns.ts";
import type { RawColumn, RawTable } from "./raw-table.ts";
import { TableError } from "./table-error.ts";

/** A category has at most this many distinct values… */
export const MAX_CATEGORY_VALUES = 1000;
/** …and at most this share of its values distinct (or at most MIN_CATEGORY_VALUES). */
export const MAX_CATEGORY_SHARE = 0.05;
export const MIN_CATEGORY_VALUES = 10;

export type SeedKind = "star" | "tags" | "notes";
const SEED_NAMES: Record<string, SeedKind> = {
  star: "star",
  stars: "star",
  rating: "star",
  tags: "tags",
  notes: "notes",
};

export interface FieldInfo {
  name: string;
  kind: Column["kind"] | "path" | "seed" | "ignored";
  /** For seeds: which label the column seeds. */
  seed?: SeedKind;
  /** For ignored columns: why. */
  reason?: string;
  /** Embedding length. */
  dim?: number;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_NUMBER: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
};
/**
 * 2026-11-22, 2026-11-22T10:00, …:00Z, …:00.123+01:00, …:00+0100 and …:00+01 (as PostgreSQL and DuckDB
 * write them); a space for the T is fine.
 */
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?\s?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/** Text → number, or undefined when it is not one (empty text is missing: NaN). */
export function parseNumberText(s: string): number | undefined {
  const t = s.trim();
  if (t === "") return Number.NaN;
  if (NUMBER_TEXT.test(t)) return Number(t);
  const special = SPECIAL_NUMBER[t.toLowerCase()];
  return special;
}

export function parseDateText(s: string): number | undefined {
  const t = s.trim();
  if (t === "") return Number.NaN;
  if (!ISO_DATE.test(t)) return undefined;
  // Date.parse wants the T, no space before the zone, and an offset with minutes.
  const iso =
    t.length === 10
      ? t
      : t
          .replace(" ", "T")
          .replace(/\s(?=[Z+-])/, "")
          .replace(/(T[\d:.]+[+-]\d{2})$/, "$1:00");
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

type ValueType = "number" | "string" | "boolean" | "date" | "vector";

function typeOf(v: unknown): ValueType | "other" | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
    case "boolean":
      return "boolean";
  }
  if (v instanceof Date) return "date";
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return "vector";
  return "other";
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/** One type for the whole column, or an error naming the first two rows that disagree. */
function columnType(raw: RawTable, col: RawColumn): ValueType | null {
  let type: ValueType | null = null;
  let firstRow = -1;
  const v = col.values;
  // Typed arrays hold one type by construction.
  if (ArrayBuffer.isView(v)) return "number";
  for (let i = 0; i < v.length; i++) {
    const t = typeOf(v[i]);
    if (t === null) continue;
    if (t === "other")
      throw new TableError(raw.file, raw.where(i), `column '${col.name}' holds an object`);
    if (type === null) {
      type = t;
      firstRow = i;
    } else if (t !== type) {
      throw new TableError(
        raw.file,
        raw.where(i),
        `column '${col.name}' holds a ${t} here but a ${type} at ${raw.where(firstRow)}`,
      );
    }
  }
  return type;
}

function toMetric(name: string, values: ArrayLike<unknown>): MetricColumn {
  if (values instanceof Float32Array || values instanceof Float64Array)
    return { kind: "metric", name, values, version: 0 };
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? Number.NaN : Number(v as number | bigint);
  }
  return { kind: "metric", name, values: out, version: 0 };
}

function toEmbedding(raw: RawTable, col: RawColumn): EmbeddingColumn {
  const v = col.values;
  let dim = -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as ArrayLike<number> | null | undefined;
    if (x === null || x === undefined) continue;
    if (dim < 0) dim = x.length;
    else if (x.length !== dim)
      throw new TableError(
        raw.file,
        raw.where(i),
        `column '${col.name}' has a list of ${x.length} numbers here, ${dim} above`,
      );
  }
  const d = Math.max(dim, 0);
  const out = new Float32Array(v.length * d);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as ArrayLike<number | bigint | null> | null | undefined;
    if (!x) continue;
    let norm = 0;
    for (let k = 0; k < d; k++) {
      const f = Number(x[k] ?? 0);
      if (!Number.isFinite(f))
        throw new TableError(raw.file, raw.where(i), `column '${col.name}' holds ${f}`);
      norm += f * f;
    }
    // Normalised once here, so similarity is a dot product (a zero vector stays zero: no similarity).
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < d; k++) out[i * d + k] = Number(x[k] ?? 0) * scale;
  }
  return { kind: "embedding", name: col.name, dim: d, values: out, version: 0 };
}

/** Strings → category when few distinct values (D4), else text. */
function fromStrings(name: string, values: ArrayLike<unknown>): Column {
  const n = values.length;
  const distinct = new Set<string>();
  let present = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i];
    if (typeof s !== "string" || s === "") continue;
    present++;
    if (distinct.size <= MAX_CATEGORY_VALUES) distinct.add(s);
  }
  const limit = Math.max(MIN_CATEGORY_VALUES, Math.floor(present * MAX_CATEGORY_SHARE));
  const asStrings = Array.from({ length: n }, (_, i) => {
    const s = values[i];
    return typeof s === "string" && s !== "" ? s : null;
  });
  if (distinct.size <= MAX_CATEGORY_VALUES && distinct.size <= limit)
    return categoryFrom(name, asStrings);
  return { kind: "text", name, values: asStrings, version: 0 };
}

/** A text (CSV) column: numbers if all parse, dates if all are ISO-8601, else strings. */
function fromText(name: string, values: ArrayLike<unknown>, decimalComma = false): Column | null {
  const n = values.length;
  let present = false;
  for (let i = 0; i < n && !present; i++) {
    const s = values[i];
    present = typeof s === "string" && s.trim() !== "";
  }
  if (!present) return null;
  const parsers: [(s: string) => number | undefined, "metric" | "date"][] = [
    // A semicolon CSV's numbers may be written 0,37 (one comma, no point): the decimal comma.
    [
      decimalComma
        ? (s) => parseNumberText(s.replace(/^([^,.]*),([^,.]*)$/, "$1.$2"))
        : parseNumberText,
      "metric",
    ],
    [parseDateText, "date"],
  ];
  for (const [parse, kind] of parsers) {
    const out = new Float64Array(n);
    let any = false;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const s = values[i];
      const x = typeof s === "string" ? parse(s) : Number.NaN;
      if (x === undefined) ok = false;
      else {
        out[i] = x;
        if (!Number.isNaN(x)) any = true;
      }
    }
    if (ok && any) return { kind, name, values: out, version: 0 };
  }
  return fromStrings(name, values);
}

export interface Detected {
  columns: Column[];
  fields: FieldInfo[];
  /** Raw values of seed columns, kept for seeding the labels once. */
  seeds: { kind: SeedKind; name: string; values: ArrayLike<unknown> }[];
}

/** Detects every column but the path column. */
export function detectFields(raw: RawTable, pathColumn: string): Detected {
  const out: Detected = { columns: [], fields: [], seeds: [] };
  for (const col of raw.columns) {
    if (col.name === pathColumn) {
      out.fields.push({ name: col.name, kind: "path" });
      continue;
    }
    if (col.unsupported) {
      out.fields.push({ name: col.name, kind: "ignored", reason: col.unsupported });
      continue;
    }
    const seed = SEED_NAMES[col.name.toLowerCase()];
    if (seed) {
      out.fields.push({ name: col.name, kind: "seed", seed });
      out.seeds.push({ kind: seed, name: col.name, values: col.values });
      continue;
    }
    const notField = notAField(col);
    if (notField) {
      out.fields.push({ name: col.name, kind: "ignored", reason: notField });
      continue;
    }
    const column = detectColumn(raw, col);
    if (!column) {
      out.fields.push({ name: col.name, kind: "ignored", reason: "no values" });
      continue;
    }
    out.columns.push(column);
    out.fields.push({
      name: col.name,
      kind: column.kind,
      ...(column.kind === "embedding" ? { dim: column.dim } : {}),
    });
  }
  return out;
}

/** The shape of a typed value that reads fine but is no field: an object, or a list holding text. */
function shapeOf(v: unknown): "nested column" | "list of text" | null {
  if (Array.isArray(v)) return v.some((x) => typeof x === "string") ? "list of text" : null;
  if (typeof v === "object" && v !== null && !(v instanceof Date) && !ArrayBuffer.isView(v))
    return "nested column";
  return null;
}

/**
 * Why a typed column (JSONL, Parquet) is listed as ignored rather than read: every value is an object,
 * or a list with text in it (tags-like lists, outside the `tags` seed column). A column that mixes such
 * values with others is left to columnType, which names the rows that disagree.
 */
function notAField(col: RawColumn): string | null {
  const v = col.values;
  if (col.text || ArrayBuffer.isView(v)) return null;
  let shape: string | null = null;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null || x === undefined) continue;
    // An empty list says nothing about its kind.
    if (Array.isArray(x) && x.length === 0) continue;
    const s = shapeOf(x);
    if (s === null || (shape !== null && s !== shape)) return null;
    shape = s;
  }
  return shape;
}

function detectColumn(raw: RawTable, col: RawColumn): Column | null {
  if (col.text) return fromText(col.name, col.values, col.decimalComma);
  const type = columnType(raw, col);
  switch (type) {
    case null:
      return null;
    case "number":
      return toMetric(col.name, col.values);
    case "date": {
      const v = col.values;
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const d = v[i];
        out[i] = d instanceof Date ? d.getTime() : Number.NaN;
      }
      return { kind: "date", name: col.name, values: out, version: 0 };
    }
    case "boolean":
      return categoryFrom(
        col.name,
        Array.from({ length: col.values.length }, (_, i) => {
          const b = col.values[i];
          return typeof b === "boolean" ? String(b) : null;
        }),
      );
    case "vector":
      return toEmbedding(raw, col);
    case "string": {
      // ISO strings in JSONL are dates too.
      const v = col.values;
      let allDates = true;
      let any = false;
      for (let i = 0; i < v.length && allDates; i++) {
        if (isMissing(v[i])) continue;
        any = true;
        if (parseDateText(v[i] as string) === undefined) allDates = false;
      }
      return any && allDates ? fromText(col.name, v) : fromStrings(col.name, v);
    }
  }
}
