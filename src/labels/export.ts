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

export function exportCsv(rows: ExportRow[]): string {
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = [...CSV_COLUMNS, ...metricNames.map((m) => `metrics.${m}`)];
  const records = rows.map((r) => [
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
    ...metricNames.map((m) => (Object.hasOwn(r.metrics, m) ? r.metrics[m] : "")),
  ]);
  // Metric names are user text too: in the header they follow "metrics.", so they never start a cell.
  // Neutralised cells are always quoted (OWASP), whatever else they contain.
  return stringify([header, ...records], { quoted_match: /^'/ });
}
