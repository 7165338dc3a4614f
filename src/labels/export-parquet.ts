/**
 * An export as Parquet (issue 11 item 7, D21): one row per image with the export's own columns (the same as
 * CSV's), every pushed metric as `metrics.<name>`, and for a table every source column under its own name
 * (metrics as DOUBLE, categories and text as STRING, dates as TIMESTAMP, embeddings as a JSON array). Written
 * by hyparquet-writer into one buffer: a Parquet file's footer needs every column first, so the answer is not
 * streamed (≈ the rows' values once more in memory while it is written).
 */
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";
import { CSV_COLUMNS, metricColumns } from "./export.ts";
import { type ExportSource, embeddingAt, exportNames, sourceFields } from "./export-source.ts";
import type { ExportRow } from "./schema.ts";

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
  return sourceFields(src.table, taken).map(({ name, column: c }) => {
    const at = <T>(get: (r: number) => T) => src.rows.map((r) => (r < 0 ? null : get(r)));
    const num = (v: number) => (Number.isNaN(v) ? null : v);
    switch (c.kind) {
      case "metric":
        return { name, data: at((r) => num(c.values[r]!)), type: "DOUBLE" };
      case "date":
        return {
          name,
          data: at((r) => (Number.isNaN(c.values[r]!) ? null : new Date(c.values[r]!))),
          type: "TIMESTAMP",
        };
      case "category":
        return { name, data: at((r) => c.dict[c.codes[r]!] ?? null), type: "STRING" };
      case "text":
        return { name, data: at((r) => c.values[r] ?? null), type: "STRING" };
      default: // embedding
        return {
          name,
          data: at((r) => JSON.stringify(embeddingAt(c.values, c.dim, r))),
          type: "JSON",
        };
    }
  });
}

export function exportParquet(
  rows: readonly ExportRow[],
  source: ExportSource | null,
): ArrayBuffer {
  const columnData: ColumnSource[] = CSV_COLUMNS.map((name) => baseColumn(name, rows));
  const metricNames = metricColumns(rows);
  for (const m of metricNames)
    columnData.push({
      name: `metrics.${m}`,
      data: rows.map((r) => r.metrics[m] ?? null),
      type: "DOUBLE",
    });
  if (source) columnData.push(...sourceColumns(source, exportNames(metricNames)));
  return parquetWriteBuffer({ columnData });
}
