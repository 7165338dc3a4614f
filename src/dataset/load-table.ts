/**
 * `lenslet TABLE`: which files are tables (D1), reading one with the right
 * reader, finding its image column (D2) and detecting its fields (D4). Tables
 * are only ever read.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { Table } from "../query/columns.ts";
import { type Detected, detectFields, type FieldInfo } from "./detect.ts";
import type { RawTable } from "./raw-table.ts";
import { csvDelimiter, readCsv } from "./read-csv.ts";
import { readJsonl } from "./read-jsonl.ts";
import { readParquet } from "./read-parquet.ts";
import { TableError } from "./table-error.ts";

export const TABLE_EXTENSIONS = [".parquet", ".csv", ".tsv", ".jsonl", ".ndjson"] as const;
/** The table a folder stands for when given instead of a file. */
export const FOLDER_TABLE = "items.parquet";
/** Image column names, in the order they are looked for (case-insensitive). */
export const PATH_COLUMNS = ["path", "image", "file", "filepath", "filename", "url"] as const;

/** The table file an argument names, or null when it is not a table (a plain image folder). */
export function tableFileOf(arg: string): string | null {
  const isTableName = (TABLE_EXTENSIONS as readonly string[]).includes(extname(arg).toLowerCase());
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(arg);
  } catch {
    // A table that cannot be read is still a table: loading it says why (exit 2).
    return isTableName ? arg : null;
  }
  if (st.isDirectory()) {
    const inner = join(arg, FOLDER_TABLE);
    return existsSync(inner) ? inner : null;
  }
  return isTableName ? arg : null;
}

export interface LoadedTable {
  file: string;
  /** The folder paths are resolved against by default: the table's own. */
  folder: string;
  rows: number;
  pathColumn: string;
  paths: ArrayLike<unknown>;
  table: Table;
  fields: FieldInfo[];
  seeds: Detected["seeds"];
  readMs: number;
}

function readRaw(file: string): Promise<RawTable> {
  // One check for every reader (a stream piped into a parser would lose the open error).
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
  } catch (err) {
    throw new TableError(file, null, `cannot read (${(err as { code?: string }).code ?? "error"})`);
  }
  switch (extname(file).toLowerCase()) {
    case ".parquet":
      return readParquet(file);
    case ".csv":
      return readCsv(file, csvDelimiter(file));
    case ".tsv":
      return readCsv(file, "\t");
    case ".jsonl":
    case ".ndjson":
      return readJsonl(file);
    default:
      throw new TableError(file, null, `not a table (use ${TABLE_EXTENSIONS.join(", ")})`);
  }
}

export function findPathColumn(raw: RawTable, wanted?: string): string {
  const names = raw.columns.map((c) => c.name);
  if (wanted !== undefined) {
    if (names.includes(wanted)) return wanted;
    throw new TableError(raw.file, null, `no column '${wanted}' (columns: ${names.join(", ")})`);
  }
  for (const candidate of PATH_COLUMNS) {
    const hit = names.find((n) => n.toLowerCase() === candidate);
    if (hit !== undefined) return hit;
  }
  throw new TableError(
    raw.file,
    null,
    `no image column (looked for ${PATH_COLUMNS.join(", ")}; name one with --path-column)`,
  );
}

export async function loadTable(
  file: string,
  opts: { pathColumn?: string } = {},
): Promise<LoadedTable> {
  const t0 = performance.now();
  const raw = await readRaw(file);
  const pathColumn = findPathColumn(raw, opts.pathColumn);
  const pathCol = raw.columns.find((c) => c.name === pathColumn)!;
  for (let i = 0; i < pathCol.values.length; i++) {
    const v = pathCol.values[i];
    if (v !== null && v !== undefined && typeof v !== "string")
      throw new TableError(
        file,
        raw.where(i),
        `column '${pathColumn}' holds a ${typeof v}, not a path`,
      );
  }
  const detected = detectFields(raw, pathColumn);
  const table = new Table(raw.rows);
  for (const c of detected.columns) table.add(c);
  return {
    file,
    folder: dirname(file),
    rows: raw.rows,
    pathColumn,
    paths: pathCol.values,
    table,
    fields: detected.fields,
    seeds: detected.seeds,
    readMs: performance.now() - t0,
  };
}
