/**
 * GET /export (a folder, its subtree or one image — what the page shows: the
 * browse query's filters, search and sort, validated by the page's own
 * schema) and POST /export (a selection). Thin: picks the images, then
 * src/labels/export-stream.ts writes them, with every row's dimensions read
 * (through the root check of src/media/dimensions.ts) when not yet known.
 */
import { type Context, Hono } from "hono";
import { parentOf, tryCanonicalPath } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import { BrowseQuery } from "../gallery/browse-query.ts";
import type { QueryRunner } from "../gallery/run-query.ts";
import type { ImageEntry } from "../gallery/types.ts";
import { exportRow } from "../labels/export.ts";
import { exportParquet } from "../labels/export-parquet.ts";
import { exportStream } from "../labels/export-stream.ts";
import { ExportSelection } from "../labels/schema.ts";
import { jsonError, validationError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import { ExportQuery } from "./openapi/export.ts";
import { queryObject } from "./query-params.ts";

type ExportDeps = Pick<AppDeps, "gallery" | "labels" | "dims" | "dataset">;

export function exportRoutes(deps: ExportDeps, queries: QueryRunner): Hono {
  const app = new Hono();

  app.get("/export", async (c) => {
    const raw = queryObject(c);
    const opts = ExportQuery.safeParse(raw);
    if (!opts.success) return validationError(c, opts.error);
    const browse = BrowseQuery.safeParse(raw);
    if (!browse.success) return validationError(c, browse.error);
    const q = browse.data;
    const path = opts.data.path === undefined ? q.folder : tryCanonicalPath(opts.data.path);
    if (path === null)
      return jsonError(c, 400, "invalid_path", "path: not a valid gallery path", { field: "path" });
    const one = deps.gallery.get(path);
    if (!one && !deps.gallery.folder(path))
      return jsonError(c, 404, "not_found", `no folder or image ${path}`, { field: "path" });
    // Sizes may still be on their way (the index's background pass): the export waits for them.
    if (!one && (q.sort === "date" || q.sort === "size")) await deps.gallery.statsReady;
    const images = one
      ? [one]
      : queries.run({ ...q, folder: path, stack: null }) /* every image, stacks or not (M6) */;
    const name = one ? stem(one.name) : slug(path);
    if (opts.data.format === "parquet") return sendParquet(c, deps, queries, images, name);
    return send(c, deps, queries, images, opts.data.format, name);
  });

  app.post("/export", async (c) => {
    const body = await jsonBody(c, ExportSelection);
    if (body instanceof Response) return body;
    const images = deps.gallery.pick(body.paths);
    return send(c, deps, queries, images, body.format, `selection-${slug(commonFolder(images))}`);
  });

  return app;
}

function send(
  c: Context,
  deps: ExportDeps,
  queries: QueryRunner,
  listed: ImageEntry[],
  format: "json" | "csv",
  name: string,
): Response {
  const images = listed.map((img) => deps.gallery.stat(img));
  const table = deps.dataset?.loaded.table;
  const stream = exportStream({
    images,
    labels: deps.labels,
    format,
    // A table's own columns too (issue 11 item 7), as Parquet carries them.
    source: table ? { table, rowOf: (img) => queries.columns.sourceRowOf(img.ordinal) } : null,
    fillDims: async (part) => {
      // Dimensions reads run at the cache's own concurrency; known ones cost nothing.
      await Promise.all(
        part.filter((img) => deps.dims.peek(img) === undefined).map((img) => deps.dims.get(img)),
      );
    },
  });
  const file = `lenslet-${name}-${new Date().toISOString().slice(0, 10)}.${format}`;
  return c.body(stream, 200, {
    "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json",
    "Content-Disposition": contentDisposition(file),
    "X-Export-Rows": String(images.length),
    "Cache-Control": "no-store",
  });
}

/** The view as one Parquet file (D21): every row's dimensions read first, as the streamed formats do. */
async function sendParquet(
  c: Context,
  deps: ExportDeps,
  queries: QueryRunner,
  listed: ImageEntry[],
  name: string,
): Promise<Response> {
  const images = listed.map((img) => deps.gallery.stat(img));
  await Promise.all(
    images.filter((img) => deps.dims.peek(img) === undefined).map((img) => deps.dims.get(img)),
  );
  const table = deps.dataset?.loaded.table;
  const bytes = exportParquet(
    images.map((img) => exportRow(img, deps.labels.get(img.path))),
    table ? { table, rows: images.map((img) => queries.columns.sourceRowOf(img.ordinal)) } : null,
  );
  const file = `lenslet-${name}-${new Date().toISOString().slice(0, 10)}.parquet`;
  return c.body(bytes, 200, {
    "Content-Type": "application/vnd.apache.parquet",
    "Content-Disposition": contentDisposition(file),
    "X-Export-Rows": String(images.length),
    "Cache-Control": "no-store",
  });
}

/** A folder as a file-name part: `/animals/cats` → `animals-cats`, the root → `all`. */
export function slug(folder: string): string {
  if (folder === "/") return "all";
  return folder.slice(1).replaceAll("/", "-");
}

function stem(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The deepest folder holding every image (the root for none). */
function commonFolder(images: readonly ImageEntry[]): string {
  if (images.length === 0) return "/";
  let common = images[0]!.folder;
  for (const img of images) {
    while (common !== "/" && img.folder !== common && !img.folder.startsWith(`${common}/`))
      common = parentOf(common);
  }
  return common;
}

/**
 * RFC 6266: an ASCII `filename` for every browser (anything else, and quotes or
 * backslashes, become `_`), and the exact name as `filename*` (RFC 5987 UTF-8).
 */
export function contentDisposition(file: string): string {
  const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const exact = encodeURIComponent(file).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}
