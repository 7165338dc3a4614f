/**
 * A table's label-like columns (D4: star / stars / rating, tags, notes) seed Lenslet's labels once (D24):
 * for each served row whose image has no record yet, written through the label store like any write
 * (journaled, published), in batches of 10,000 on base version 1. So an image someone labelled is left alone, a
 * restart writes nothing again, and from then on the journal owns the labels, not the table.
 *
 * Accepted values: a star is a whole number 0–5 (a number, or text such as "4" or "4.0"); tags are a list
 * of text (Parquet, JSONL) or one text cell in Lenslet's CSV export form (`a|b`, `\|` and `\\` escaped);
 * notes are text. Anything else in a seed column is refused and counted by column (`/health.dataset.seeds`),
 * never guessed at and never silent.
 */

import { decodeTags } from "../labels/export.ts";
import { MAX_TAG_LENGTH, MAX_TAGS } from "../labels/schema.ts";
import type { LabelStoreApi, PatchRequest } from "../labels/store.ts";
import type { SeedKind } from "./detect.ts";

/** `updated_by` of a seeded record: the inspector says where the labels came from. */
export const FROM_TABLE = "Dataset table";
/** Notes longer than this are cut (the API's own bound). */
const MAX_NOTES = 20_000;
const BATCH = 10_000;

export interface SeedColumn {
  kind: SeedKind;
  name: string;
  values: ArrayLike<unknown>;
}

export interface SeedReport {
  /** Images whose labels this start seeded. */
  seeded: number;
  /** Rows with seed values whose image already had labels (seeded before, or labelled since). */
  kept: number;
  /** Cells refused, by column name. */
  refused: Record<string, number>;
  /** The first refused cell, for the log. */
  example: { column: string; row: number; value: string } | null;
}

type Fields = PatchRequest["fields"];

const WHOLE = /^[+-]?\d+(\.0*)?$/;

/** A star seed: 0–5, null for an empty cell, undefined when the value is not a star. */
export function starOf(v: unknown): number | null | undefined {
  if (v === null || v === undefined || v === "") return null;
  let n: number;
  if (typeof v === "number" || typeof v === "bigint") n = Number(v);
  else if (typeof v === "string" && WHOLE.test(v.trim())) n = Number(v.trim());
  else return undefined;
  if (Number.isNaN(n)) return null;
  return Number.isInteger(n) && n >= 0 && n <= 5 ? n : undefined;
}

/** A tags seed: the tags (possibly none), or undefined when the value is not tags. */
export function tagsOf(v: unknown): string[] | undefined {
  if (v === null || v === undefined) return [];
  const list =
    typeof v === "string" ? decodeTags(v) : Array.isArray(v) ? v.filter((t) => t !== null) : null;
  if (list === null || list.some((t) => typeof t !== "string")) return undefined;
  const tags = (list as string[]).map((t) => t.trim()).filter((t) => t !== "");
  if (tags.length > MAX_TAGS || tags.some((t) => t.length > MAX_TAG_LENGTH)) return undefined;
  return tags;
}

/** A notes seed: the text ("" for none), or undefined when the value is not text. */
export function notesOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v.slice(0, MAX_NOTES) : undefined;
}

/** One row's seed fields, or null when it has none; refused cells are passed to `refuse`. */
export function rowFields(
  columns: readonly SeedColumn[],
  row: number,
  refuse: (column: string, value: unknown) => void,
): Fields | null {
  const fields: Fields = {};
  let any = false;
  for (const c of columns) {
    const v = c.values[row];
    if (c.kind === "star") {
      const star = starOf(v);
      if (star === undefined) refuse(c.name, v);
      else if (star !== null) {
        fields.set_star = star;
        any = true;
      }
    } else if (c.kind === "tags") {
      const tags = tagsOf(v);
      if (tags === undefined) refuse(c.name, v);
      else if (tags.length) {
        fields.set_tags = tags;
        any = true;
      }
    } else {
      const notes = notesOf(v);
      if (notes === undefined) refuse(c.name, v);
      else if (notes !== "") {
        fields.set_notes = notes;
        any = true;
      }
    }
  }
  return any ? fields : null;
}

/**
 * Seeds the labels of `images` (each a gallery path and its table row) from the seed columns, once.
 * Gives the event loop back between batches.
 */
export async function seedLabels(opts: {
  columns: readonly SeedColumn[];
  images: Iterable<{ path: string; row: number }>;
  labels: Pick<LabelStoreApi, "get" | "batch">;
}): Promise<SeedReport> {
  const report: SeedReport = { seeded: 0, kept: 0, refused: {}, example: null };
  if (opts.columns.length === 0) return report;
  let row = -1;
  const refuse = (column: string, value: unknown) => {
    report.refused[column] = (report.refused[column] ?? 0) + 1;
    report.example ??= { column, row, value: String(value).slice(0, 80) };
  };
  let items: PatchRequest[] = [];
  const flush = async () => {
    if (items.length === 0) return;
    const { outcome } = await opts.labels.batch(items, {
      updatedBy: FROM_TABLE,
      clientId: "table",
      key: null,
      requestHash: null,
    });
    for (const r of outcome.results) {
      if (r.kind === "applied") report.seeded++;
      else report.kept++;
    }
    items = [];
    await new Promise((r) => setImmediate(r));
  };
  for (const img of opts.images) {
    row = img.row;
    const fields = rowFields(opts.columns, img.row, refuse);
    if (!fields) continue;
    // Base version 1: only an image nobody labelled yet (the store checks it again under its lock).
    if (opts.labels.get(img.path).version !== 1) {
      report.kept++;
      continue;
    }
    items.push({ path: img.path, baseVersion: 1, fields });
    if (items.length >= BATCH) await flush();
  }
  await flush();
  return report;
}
