/**
 * A table served as a gallery: its rows resolved to image files under the base
 * folder and the folder tree derived from those paths (D11). Its columns join
 * the gallery's own in the query engine (src/gallery/gallery-table.ts), where a
 * pushed metric of the same name wins, live (D12).
 */

import { resolve } from "node:path";
import { z } from "zod";
import { GalleryIndex } from "../gallery/gallery-index.ts";
import type { LabelStoreApi } from "../labels/store.ts";
import type { MetricColumn } from "../query/columns.ts";
import { prepareSimilarity } from "../query/similarity.ts";
import { type LoadedTable, loadTable } from "./load-table.ts";
import { type Resolution, resolvePaths } from "./resolve-paths.ts";
import { type SeedReport, seedLabels } from "./seed-labels.ts";

export interface DatasetOptions {
  pathColumn?: string;
  /** Folder the image paths are relative to (default: the table's folder). */
  baseDir?: string;
  /** Folders never served (the workspace). */
  exclude?: string[];
}

/** `/health.dataset`: the route is typed by this schema and the OpenAPI document generated from it. */
export const DatasetHealth = z.object({
  file: z.string(),
  path_column: z.string(),
  base_dir: z.string(),
  rows: z.number().int(),
  images: z.number().int(),
  missing_files: z.number().int(),
  skipped: z.record(z.string(), z.number().int()).describe("refused rows by reason (D2)"),
  fields: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      seed: z.enum(["star", "tags", "notes"]).optional(),
      reason: z.string().optional(),
      dim: z.number().int().optional(),
    }),
  ),
  load_ms: z.number().int(),
  seeds: z
    .object({
      seeded: z.number().int().describe("images whose labels this start seeded from the table"),
      kept: z
        .number()
        .int()
        .describe("rows with seed values whose image already had labels (the journal owns them)"),
      refused: z
        .record(z.string(), z.number().int())
        .describe("seed cells that were not a star 0–5, tags or text, by column"),
      example: z
        .object({ column: z.string(), row: z.number().int(), value: z.string() })
        .nullable()
        .describe("the first refused cell: its column, table row (from 0) and value (cut at 80)"),
    })
    .nullable()
    .describe("D24: label-like columns (star/rating, tags, notes) seed labels once; null: none"),
});
export type DatasetHealth = z.infer<typeof DatasetHealth>;

export class Dataset {
  readonly metricColumns: MetricColumn[];
  readonly loadMs: number;
  private seedReport: SeedReport | null = null;

  private constructor(
    readonly loaded: LoadedTable,
    readonly resolution: Resolution,
    readonly baseDir: string,
    t0: number,
  ) {
    this.metricColumns = [...loaded.table.columns.values()].filter(
      (c): c is MetricColumn => c.kind === "metric",
    );
    this.loadMs = performance.now() - t0;
  }

  static async open(file: string, opts: DatasetOptions = {}): Promise<Dataset> {
    const t0 = performance.now();
    const loaded = await loadTable(file, { pathColumn: opts.pathColumn });
    // Int8 codes of a large embedding now, so the first Find similar is as fast as the rest (D17).
    prepareSimilarity(loaded.table);
    const baseDir = resolve(opts.baseDir ?? loaded.folder);
    const resolution = resolvePaths(loaded.paths, { baseDir, exclude: opts.exclude });
    // The path column's strings are not needed once resolved (the index keeps names only).
    loaded.paths = [];
    return new Dataset(loaded, resolution, baseDir, t0);
  }

  /** The gallery index of the served rows (D11): folders from the paths, each image its table row. */
  index(): GalleryIndex {
    const index = GalleryIndex.fromRows(this.resolution.root, this.resolution.folders);
    // The index holds the names now; the per-folder lists would only double them.
    this.resolution.folders = [];
    return index;
  }

  /**
   * Seeds the labels of the served images from the table's label-like columns, once (D24): only images
   * with no record yet. The columns' values are let go afterwards.
   */
  async seedLabels(index: GalleryIndex, labels: Pick<LabelStoreApi, "get" | "batch">) {
    const columns = this.loaded.seeds;
    if (columns.length === 0) return null;
    const facts = index.facts();
    function* images() {
      for (let o = 0; o < facts.count; o++) yield { path: index.pathAt(o), row: facts.source(o) };
    }
    this.seedReport = await seedLabels({ columns, images: images(), labels });
    this.loaded.seeds = [];
    return this.seedReport;
  }

  get metricNames(): string[] {
    return this.metricColumns.map((c) => c.name);
  }

  health(): DatasetHealth {
    return {
      file: this.loaded.file,
      path_column: this.loaded.pathColumn,
      base_dir: this.baseDir,
      rows: this.loaded.rows,
      images: this.resolution.count,
      missing_files: this.resolution.missing,
      skipped: this.resolution.skipped,
      fields: this.loaded.fields,
      load_ms: Math.round(this.loadMs),
      seeds: this.seedReport,
    };
  }
}
