/**
 * An export as Parquet (issue 11 item 7, D21): one row per image with the export's own columns (the same as
 * CSV's), every pushed metric as `metrics.<name>`, and for a table every source column under its own name
 * (metrics as DOUBLE, categories and text as STRING, dates as TIMESTAMP, embeddings as a JSON array). Written
 * by hyparquet-writer into one buffer: a Parquet file's footer needs every column first, so the answer is not
 * streamed (≈ the rows' values once more in memory while it is written).
 */
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";
import type { Table } from "../query/columns.ts";
import { CSV_COLUMNS, metricColumns } from "./export.ts";
import type { ExportRow } from "./schema.ts";

/** A table's rows for the export: its columns and the table row of each exported image (-1: none). */
export interface ExportSource {
  table: Table;
  rows: readonly number[];
}

const TEXT = new Set<string>([
  "path",
  "folder",
  "name",
  "notes",
  "flag",
  "color",
  "updated_at",
  "updated_by",
]);

function baseColumn(name: (typeof CSV_COLUMNS)[number], rows: readonly ExportRow[]): ColumnSource {
  if (name === "tags") return { name, data: rows.map((r) => JSON.stringify(r.tags)), type: "JSON" };
  if (TEXT.has(name))
    return { name, data: rows.map((r) => r[name] as string | null), type: "STRING" };
  if (name === "size" || name === "version")
    return { name, data: rows.map((r) => r[name]), type: "DOUBLE" };
  return { name, data: rows.map((r) => r[name] as number | null), type: "INT32" };
}

function sourceColumns(src: ExportSource, taken: Set<string>): ColumnSource[] {
  const out: ColumnSource[] = [];
  for (const c of src.table.columns.values()) {
    // Star and tags columns seeded the labels once (the journal owns them since): exported as labels.
    if (c.kind === "star" || c.kind === "tags") continue;
    const name = taken.has(c.name) ? `source.${c.name}` : c.name;
    taken.add(name);
    const at = <T>(get: (r: number) => T) => src.rows.map((r) => (r < 0 ? null : get(r)));
    const num = (v: number) => (Number.isNaN(v) ? null : v);
    if (c.kind === "metric") out.push({ name, data: at((r) => num(c.values[r]!)), type: "DOUBLE" });
    else if (c.kind === "date")
      out.push({
        name,
        data: at((r) => (Number.isNaN(c.values[r]!) ? null : new Date(c.values[r]!))),
        type: "TIMESTAMP",
      });
    else if (c.kind === "category")
      out.push({ name, data: at((r) => c.dict[c.codes[r]!] ?? null), type: "STRING" });
    else if (c.kind === "text")
      out.push({ name, data: at((r) => c.values[r] ?? null), type: "STRING" });
    else if (c.kind === "embedding")
      out.push({
        name,
        data: at((r) => JSON.stringify(Array.from(c.values.subarray(r * c.dim, (r + 1) * c.dim)))),
        type: "JSON",
      });
  }
  return out;
}

export function exportParquet(
  rows: readonly ExportRow[],
  source: ExportSource | null,
): ArrayBuffer {
  const columnData: ColumnSource[] = CSV_COLUMNS.map((name) => baseColumn(name, rows));
  const taken = new Set<string>(CSV_COLUMNS);
  for (const m of metricColumns(rows)) {
    const name = `metrics.${m}`;
    taken.add(name);
    columnData.push({ name, data: rows.map((r) => r.metrics[m] ?? null), type: "DOUBLE" });
  }
  if (source) columnData.push(...sourceColumns(source, taken));
  return parquetWriteBuffer({ columnData });
}
