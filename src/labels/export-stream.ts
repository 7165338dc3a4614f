/**
 * An export as a stream of bytes, written chunk by chunk: each chunk of
 * images first gets its missing dimensions filled (header reads, done by the
 * caller's `fillDims`), then is written as JSON or CSV. So a 10,000-image
 * export starts arriving at once, holds one chunk of rows at a time, and every
 * row has width and height when the image can be decoded at all.
 */
import type { ImageEntry } from "../gallery/types.ts";
import type { Table } from "../query/columns.ts";
import { csvHeader, csvLines, exportRow, metricColumns } from "./export.ts";
import { exportNames, sourceCell, sourceFields, sourceObject } from "./export-source.ts";
import type { Sidecar } from "./schema.ts";

export interface ExportStreamInput {
  images: readonly ImageEntry[];
  labels: { get(path: string): Sidecar };
  format: "json" | "csv";
  /** Fills `width`/`height` of the images that lack them; awaited before their rows are written. */
  fillDims(images: readonly ImageEntry[]): Promise<void>;
  /** Images per chunk (default 256). */
  chunk?: number;
  /** A table's own columns, carried after the labels (`rowOf`: an image's table row, -1 for none). */
  source?: { table: Table; rowOf(img: ImageEntry): number } | null;
}

export function exportStream(input: ExportStreamInput): ReadableStream<Uint8Array> {
  const { images, labels, format } = input;
  const chunk = Math.max(1, input.chunk ?? 256);
  const encoder = new TextEncoder();
  // The CSV header names every metric, so it needs them all before the first row.
  const metricNames =
    format === "csv" ? metricColumns(images.map((img) => labels.get(img.path))) : [];
  const fields = input.source ? sourceFields(input.source.table, exportNames(metricNames)) : [];
  const rowOf = (img: ImageEntry) => input.source?.rowOf(img) ?? -1;
  let at = 0;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(
            encoder.encode(
              format === "csv"
                ? csvHeader(
                    metricNames,
                    fields.map((f) => f.name),
                  )
                : "[",
            ),
          );
          if (images.length === 0 && format === "json") {
            controller.enqueue(encoder.encode("]"));
            controller.close();
          } else if (images.length === 0) controller.close();
          return;
        }
        const part = images.slice(at, at + chunk);
        await input.fillDims(part);
        const rows = part.map((img) => exportRow(img, labels.get(img.path)));
        const text =
          format === "csv"
            ? csvLines(
                rows,
                metricNames,
                part.map((img) => fields.map((f) => sourceCell(f, rowOf(img)))),
              )
            : rows
                .map((r, i) => {
                  const row = fields.length
                    ? { ...r, ...sourceObject(fields, rowOf(part[i]!)) }
                    : r;
                  return (at + i === 0 ? "" : ",") + JSON.stringify(row);
                })
                .join("");
        at += part.length;
        const end = at >= images.length;
        controller.enqueue(encoder.encode(end && format === "json" ? `${text}]` : text));
        if (end) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}
