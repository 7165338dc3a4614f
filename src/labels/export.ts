/**
 * Export rows (image facts + labels) and their CSV form. Pure: the route
 * picks the images and sends the answer. CSV is written by csv-stringify;
 * tags are joined with "|" (the usual multi-value cell), one column per metric.
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

export function exportCsv(rows: ExportRow[]): string {
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = [...CSV_COLUMNS, ...metricNames.map((m) => `metrics.${m}`)];
  const records = rows.map((r) => [
    r.path,
    r.folder,
    r.name,
    r.size,
    r.width ?? "",
    r.height ?? "",
    r.star ?? "",
    r.tags.join("|"),
    r.notes,
    r.version,
    r.updated_at ?? "",
    r.updated_by ?? "",
    ...metricNames.map((m) => (Object.hasOwn(r.metrics, m) ? r.metrics[m] : "")),
  ]);
  return stringify([header, ...records]);
}
