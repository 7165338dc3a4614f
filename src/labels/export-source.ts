/**
 * A table's own columns in an export (issue 11 item 7): every format (CSV, JSON, Parquet) carries them after
 * the export's own columns and the pushed metrics, under the same names in each. A name the export already
 * uses (`name`, `size`, `notes`, `metrics`, `metrics.x`…) becomes `source.<name>`. Label-like columns are not carried: they
 * seeded the labels once (D24), and the labels are exported as labels.
 */
import type { Column, Table } from "../query/columns.ts";
import { CSV_COLUMNS } from "./export.ts";

/** A table's rows for an export: its columns and the table row of each exported image (-1: none). */
export interface ExportSource {
  table: Table;
  rows: readonly number[];
}

export interface SourceField {
  /** Its name in the export. */
  name: string;
  column: Exclude<Column, { kind: "star" | "tags" }>;
}

/** The names an export uses before a table's columns: its own columns, `metrics` (JSON), `metrics.<m>`. */
export function exportNames(metricNames: Iterable<string>): Set<string> {
  const names = new Set<string>([...CSV_COLUMNS, "metrics"]);
  for (const m of metricNames) names.add(`metrics.${m}`);
  return names;
}

/** The table's columns an export carries, named; `taken` (the export's own names) gains them. */
export function sourceFields(table: Table, taken: Set<string>): SourceField[] {
  const out: SourceField[] = [];
  for (const c of table.columns.values()) {
    if (c.kind === "star" || c.kind === "tags" || c.name.startsWith("@")) continue;
    const name = taken.has(c.name) ? `source.${c.name}` : c.name;
    taken.add(name);
    out.push({ name, column: c });
  }
  return out;
}

/**
 * One cell as JSON and CSV carry it: a number (NaN: null), text, a date as ISO-8601, an embedding as its
 * numbers; null when missing or when the image has no table row.
 */
export function sourceValue(f: SourceField, row: number): number | string | number[] | null {
  if (row < 0) return null;
  const c = f.column;
  switch (c.kind) {
    case "metric": {
      const v = c.values[row]!;
      return Number.isNaN(v) ? null : v;
    }
    case "date": {
      const v = c.values[row]!;
      return Number.isNaN(v) ? null : new Date(v).toISOString();
    }
    case "category":
      return c.dict[c.codes[row]!] ?? null;
    case "text":
      return c.values[row] ?? null;
    case "embedding":
      return embeddingAt(c.values, c.dim, row);
  }
}

/** The shortest decimal that is exactly this float32 (0.6, not 0.6000000238418579): 6 to 9 digits. */
export function shortFloat32(x: number): number {
  for (let p = 6; p < 9; p++) {
    const n = Number(x.toPrecision(p));
    if (Math.fround(n) === x) return n;
  }
  return Number(x.toPrecision(9));
}

/** A row's embedding (stored as unit-length float32) as numbers that read back to the same floats. */
export function embeddingAt(values: Float32Array, dim: number, row: number): number[] {
  return Array.from(values.subarray(row * dim, (row + 1) * dim), shortFloat32);
}

/** One cell of a source column in CSV: numbers stay numbers; text, dates and embeddings (as JSON) are text. */
export function sourceCell(f: SourceField, row: number): string | number | null {
  const v = sourceValue(f, row);
  return Array.isArray(v) ? JSON.stringify(v) : v;
}

/** A row's source columns as JSON keys. */
export function sourceObject(fields: readonly SourceField[], row: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = sourceValue(f, row);
  return out;
}
