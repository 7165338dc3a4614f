/**
 * Export rows (image facts + labels) and their CSV form. Pure: the route
 * picks the images and sends the answer. CSV is written by csv-stringify,
 * one column per metric.
 *
 * Two rules keep the CSV safe and exact (docs/api.md, spec L13):
 * - Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that
 *   starts with = + - @ tab or CR. Every text cell that starts with one of
 *   those, or with ' itself, gets one ' in front and is quoted, so it shows as
 *   text; a reader drops one leading ' to get the value back. Number cells
 *   (size, star, metrics…) stay numbers.
 * - Tags: joined with "|", each tag's "\" and "|" escaped as "\\" and "\|",
 *   so tags that contain "|" cannot run into each other.
 */
import { stringify } from "csv-stringify/sync";
import type { ImageEntry } from "../gallery/types.ts";
import type { ExportRow, Sidecar } from "./schema.ts";

export function exportRow(img: ImageEntry, s: Sidecar): ExportRow {
  return {
    path: img.path,
    folder: img.folder,
    name: img.name,
    size: img.size,
    width: img.width || null,
    height: img.height || null,
    star: s.star,
    tags: s.tags,
    notes: s.notes,
    metrics: s.metrics,
    flag: s.flag,
    color: s.color,
    version: s.version,
    updated_at: s.updated_at,
    updated_by: s.updated_by,
  };
}

export const CSV_COLUMNS = [
  "path",
  "folder",
  "name",
  "size",
  "width",
  "height",
  "star",
  "tags",
  "notes",
  "flag",
  "color",
  "version",
  "updated_at",
  "updated_by",
] as const;

export function exportRows(
  images: ImageEntry[],
  labels: { get(path: string): Sidecar },
): ExportRow[] {
  return images.map((img) => exportRow(img, labels.get(img.path)));
}

/** Cells a spreadsheet would evaluate, and ' (so the one added ' can always be dropped again). */
const FORMULA_START = /^[=+\-@\t\r']/;

/** A user-text cell as written: neutralised when a spreadsheet would run it. */
export function csvText(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Tags as one cell: "|" between tags, "\" and "|" inside a tag escaped with "\". */
export function encodeTags(tags: readonly string[]): string {
  return tags.map((t) => t.replace(/[\\|]/g, (ch) => `\\${ch}`)).join("|");
}

/** The inverse of encodeTags: one cell back to its tags ("" is none). */
export function decodeTags(cell: string): string[] {
  if (cell === "") return [];
  const tags: string[] = [];
  let cur = "";
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i]!;
    if (ch === "\\" && i + 1 < cell.length) cur += cell[++i];
    else if (ch === "|") {
      tags.push(cur);
      cur = "";
    } else cur += ch;
  }
  tags.push(cur);
  return tags;
}

/** Metric names of the rows, sorted: one CSV column each. */
export function metricColumns(rows: Iterable<{ metrics: Record<string, number> }>): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const m in r.metrics) names.add(m);
  return [...names].sort();
}

/** A table's cells of a row (src/labels/export-source.ts), in the order of `csvHeader`'s `sourceNames`. */
export type SourceCells = readonly (string | number | null)[];

function csvCells(
  r: ExportRow,
  metricNames: readonly string[],
  source: SourceCells = [],
): (string | number)[] {
  return [
    csvText(r.path),
    csvText(r.folder),
    csvText(r.name),
    r.size,
    r.width ?? "",
    r.height ?? "",
    r.star ?? "",
    csvText(encodeTags(r.tags)),
    csvText(r.notes),
    r.flag ?? "",
    r.color ?? "",
    r.version,
    csvText(r.updated_at ?? ""),
    csvText(r.updated_by ?? ""),
    ...metricNames.map((m) => (Object.hasOwn(r.metrics, m) ? r.metrics[m]! : "")),
    ...source.map((v) => (v === null ? "" : typeof v === "string" ? csvText(v) : v)),
  ];
}

// Metric names are user text too: in the header they follow "metrics.", so they never start a cell.
// Neutralised cells are always quoted (OWASP), whatever else they contain.
const CSV_OPTIONS = { quoted_match: /^'/ };

/** The CSV header line (with its line break); a table's own columns (`sourceNames`) come last. */
export function csvHeader(
  metricNames: readonly string[],
  sourceNames: readonly string[] = [],
): string {
  const names = [...CSV_COLUMNS, ...metricNames.map((m) => `metrics.${m}`), ...sourceNames];
  // A table's column names are user text in the header: neutralised like any cell.
  return stringify([names.map((n, i) => (i < CSV_COLUMNS.length ? n : csvText(n)))], CSV_OPTIONS);
}

/** CSV lines of some rows, in the columns of `csvHeader(metricNames, …)`; `source[i]` is row i's table cells. */
export function csvLines(
  rows: readonly ExportRow[],
  metricNames: readonly string[],
  source: readonly SourceCells[] = [],
): string {
  if (rows.length === 0) return "";
  return stringify(
    rows.map((r, i) => csvCells(r, metricNames, source[i])),
    CSV_OPTIONS,
  );
}

export function exportCsv(rows: ExportRow[]): string {
  const metricNames = metricColumns(rows);
  return csvHeader(metricNames) + csvLines(rows, metricNames);
}
