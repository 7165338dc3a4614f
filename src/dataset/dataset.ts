/**
 * A table served as a gallery: its rows resolved to image files under the base
 * folder, the folder tree derived from those paths (D11), and its metric
 * columns readable by path so they join the metrics scripts push (D12): a
 * pushed value of the same name wins, live.
 */

import { resolve } from "node:path";
import { z } from "zod";
import { baseName, parentOf } from "../core/paths.ts";
import type { LabelFacts, LabelLookup } from "../gallery/run-query.ts";
import type { FolderRef, ScanResult } from "../gallery/scan.ts";
import type { ImageEntry } from "../gallery/types.ts";
import type { MetricColumn } from "../query/columns.ts";
import { type LoadedTable, loadTable } from "./load-table.ts";
import { type Resolution, resolvePaths } from "./resolve-paths.ts";

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
});
export type DatasetHealth = z.infer<typeof DatasetHealth>;

export class Dataset {
  /** Table row of each served path. */
  readonly rowOf = new Map<string, number>();
  readonly metricColumns: MetricColumn[];
  readonly loadMs: number;

  private constructor(
    readonly loaded: LoadedTable,
    readonly resolution: Resolution,
    readonly baseDir: string,
    t0: number,
  ) {
    for (const r of resolution.rows) this.rowOf.set(r.path, r.row);
    this.metricColumns = [...loaded.table.columns.values()].filter(
      (c): c is MetricColumn => c.kind === "metric",
    );
    this.loadMs = performance.now() - t0;
  }

  static async open(file: string, opts: DatasetOptions = {}): Promise<Dataset> {
    const t0 = performance.now();
    const loaded = await loadTable(file, { pathColumn: opts.pathColumn });
    const baseDir = resolve(opts.baseDir ?? loaded.folder);
    const resolution = resolvePaths(loaded.paths, { baseDir, exclude: opts.exclude });
    return new Dataset(loaded, resolution, baseDir, t0);
  }

  /** The gallery's listing: every served row as an image, every ancestor folder, parents first. */
  scan(): ScanResult {
    const root = this.resolution.root;
    const images: ImageEntry[] = [];
    const folders = new Map<string, FolderRef>([
      ["/", { path: "/", fsPath: root === "/" ? "" : root }],
    ]);
    for (const r of this.resolution.rows) {
      const folder = parentOf(r.path);
      images.push({
        path: r.path,
        folder,
        name: baseName(r.path),
        fsPath: r.fsPath,
        size: -1,
        mtimeMs: -1,
        ordinal: 0,
        width: 0,
        height: 0,
      });
      for (let f = folder; !folders.has(f); f = parentOf(f))
        folders.set(f, { path: f, fsPath: `${root === "/" ? "" : root}${f}` });
    }
    const ordered = [...folders.values()].sort(
      (a, b) => a.path.split("/").length - b.path.split("/").length,
    );
    return { images, folders: ordered, skipped: [] };
  }

  get metricNames(): string[] {
    return this.metricColumns.map((c) => c.name);
  }

  /** The table's value of a metric for an image (undefined when missing or not a column). */
  metric(path: string, name: string): number | undefined {
    const row = this.rowOf.get(path);
    if (row === undefined) return undefined;
    const c = this.loaded.table.get(name);
    if (c?.kind !== "metric") return undefined;
    const v = c.values[row]!;
    return Number.isNaN(v) ? undefined : v;
  }

  metrics(path: string): Record<string, number> {
    const row = this.rowOf.get(path);
    const out: Record<string, number> = {};
    if (row === undefined) return out;
    for (const c of this.metricColumns) {
      const v = c.values[row]!;
      if (!Number.isNaN(v)) out[c.name] = v;
    }
    return out;
  }

  /** Labels with the table's metrics joined in; pushed metrics of the same name win. */
  lookup<L extends LabelFacts>(labels: {
    get(path: string): L;
    readonly revision: number;
  }): LabelLookup {
    const self = this;
    return {
      get(path) {
        const s = labels.get(path);
        return { ...s, metrics: { ...self.metrics(path), ...s.metrics } };
      },
      metric(path, name) {
        return labels.get(path).metrics[name] ?? self.metric(path, name);
      },
      get revision() {
        return labels.revision;
      },
    };
  }

  health(): DatasetHealth {
    return {
      file: this.loaded.file,
      path_column: this.loaded.pathColumn,
      base_dir: this.baseDir,
      rows: this.loaded.rows,
      images: this.resolution.rows.length,
      missing_files: this.resolution.missing,
      skipped: this.resolution.skipped,
      fields: this.loaded.fields,
      load_ms: Math.round(this.loadMs),
    };
  }
}
