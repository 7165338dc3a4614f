/**
 * Parquet tables through hyparquet (+ hyparquet-compressors for every codec):
 * read column by column with `onChunk`, each row group's values copied straight
 * into one array per column (a typed array for float columns), so no row
 * objects are ever built. Nested groups other than lists of numbers or text,
 * JSON and raw binary are listed as ignored fields.
 */

import type { ColumnData, SchemaTree } from "hyparquet";
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type { RawColumn, RawTable } from "./raw-table.ts";
import { TableError } from "./table-error.ts";

/** Why a top-level column is not read, or null when it is. */
function unsupported(node: SchemaTree): string | null {
  const e = node.element;
  const logical = e.logical_type?.type;
  if (node.children.length > 0) {
    // A list of numbers (an embedding) or of text (tags) is the one nested shape read.
    const isList = e.converted_type === "LIST" || logical === "LIST";
    let leaf = node;
    while (leaf.children.length === 1) leaf = leaf.children[0]!;
    const t = leaf.element.type;
    const text =
      t === "BYTE_ARRAY" &&
      (leaf.element.converted_type === "UTF8" || leaf.element.logical_type?.type === "STRING");
    // Lists of text are read too: a `tags` column seeds tags (src/dataset/seed-labels.ts).
    if (
      isList &&
      leaf.children.length === 0 &&
      (t === "FLOAT" || t === "DOUBLE" || t === "INT32" || t === "INT64" || text)
    )
      return null;
    return "nested column";
  }
  if (logical === "JSON" || e.converted_type === "JSON" || e.converted_type === "BSON")
    return "JSON column";
  if (logical === "GEOMETRY" || logical === "GEOGRAPHY") return "geometry column";
  if (e.type === "FIXED_LEN_BYTE_ARRAY" && !logical && e.converted_type !== "DECIMAL")
    return "binary column";
  return null;
}

/**
 * Where one column's values go: a Float32Array for FLOAT, a Float64Array for other plain
 * numbers (NaN = missing), a plain array for text, dates, lists and booleans.
 */
function destination(node: SchemaTree, rows: number): Float32Array | Float64Array | unknown[] {
  const e = node.element;
  if (node.children.length === 0) {
    const annotation = e.converted_type ?? e.logical_type?.type;
    const plain = !annotation || /^(INT_|UINT_|INTEGER|DECIMAL)/.test(annotation);
    if (e.type === "FLOAT" && !annotation) return new Float32Array(rows).fill(Number.NaN);
    if ((e.type === "DOUBLE" || e.type === "INT32" || e.type === "INT64") && plain)
      return new Float64Array(rows).fill(Number.NaN);
  }
  return new Array(rows).fill(null);
}

function copyChunk(dest: Float32Array | Float64Array | unknown[], chunk: ColumnData): void {
  const data = chunk.columnData as ArrayLike<unknown>;
  const end = Math.min(chunk.rowEnd, dest.length);
  if (Array.isArray(dest)) {
    for (let r = chunk.rowStart, k = 0; r < end; r++, k++) dest[r] = data[k] ?? null;
    return;
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    dest.set(data.subarray(0, end - chunk.rowStart), chunk.rowStart);
    return;
  }
  for (let r = chunk.rowStart, k = 0; r < end; r++, k++) {
    const v = data[k];
    dest[r] = v === null || v === undefined ? Number.NaN : Number(v as number | bigint);
  }
}

export async function readParquet(file: string): Promise<RawTable> {
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new TableError(
      file,
      null,
      code ? `cannot read (${code})` : `not a Parquet file (${(err as Error).message})`,
    );
  }
  const rows = Number(metadata.num_rows);
  const schema = parquetSchema(metadata);
  const columns: RawColumn[] = [];
  for (const node of schema.children) {
    const name = node.element.name;
    const why = unsupported(node);
    if (why) {
      columns.push({ name, values: [], text: false, unsupported: why });
      continue;
    }
    const dest = destination(node, rows);
    try {
      await parquetRead({
        file: buffer,
        metadata,
        columns: [name],
        compressors,
        onChunk(chunk) {
          if (chunk.columnName !== name) return;
          copyChunk(dest, chunk);
        },
      });
    } catch (err) {
      throw new TableError(file, `column '${name}'`, `cannot decode (${(err as Error).message})`);
    }
    columns.push({ name, values: dest, text: false });
  }
  return { file, rows, columns, where: (row) => `row ${row + 1}` };
}
