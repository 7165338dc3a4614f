/**
 * Culling routes (issue 12), thin: GET /exif, GET|POST /export/xmp (a zip of
 * sidecars, for folders Lenslet may not write), GET /groups (bursts and
 * near-duplicates). Validation with the schemas in openapi/culling.ts; the
 * work is in src/media/, src/xmp/ and src/groups/.
 */
import { relative } from "node:path";
import { type Context, Hono } from "hono";
import { canonicalPath, tryCanonicalPath } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import type { ImageEntry } from "../gallery/types.ts";
import { sidecarPathOf, sidecarText, type XmpStyle } from "../xmp/sync.ts";
import { MAX_ZIP_ENTRIES, zip } from "../xmp/zip.ts";
import { jsonError, validationError } from "./errors.ts";
import { groupsFor } from "./group-query.ts";
import { jsonBody } from "./json-body.ts";
import {
  ExifQuery,
  type ExifResponse,
  XmpExportQuery,
  XmpExportSelection,
} from "./openapi/culling.ts";
import { queryObject } from "./query-params.ts";

export function cullingRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/exif", async (c) => {
    const q = ExifQuery.safeParse(queryObject(c));
    if (!q.success) return validationError(c, q.error);
    const path = tryCanonicalPath(q.data.path);
    if (path === null)
      return jsonError(c, 400, "invalid_path", "not an item path", { field: "path" });
    const img = deps.gallery.get(path);
    if (!img) return jsonError(c, 404, "not_found", `no image at ${path}`, { field: "path" });
    const facts = await deps.exif.get(deps.gallery.stat(img));
    const body: ExifResponse = {
      path,
      camera: facts?.camera ?? null,
      lens: facts?.lens ?? null,
      exposure: facts?.exposure ?? null,
      aperture: facts?.aperture ?? null,
      iso: facts?.iso ?? null,
      focal: facts?.focal ?? null,
      taken: facts?.taken ?? null,
      taken_ms: facts?.taken_ms ?? null,
    };
    return c.json(body);
  });

  const sidecarZip = (c: Context, images: ImageEntry[], style: XmpStyle) => {
    if (images.length > MAX_ZIP_ENTRIES) {
      return jsonError(c, 413, "too_many_entries", `at most ${MAX_ZIP_ENTRIES} images in one zip`);
    }
    const root = deps.config.root;
    const enc = new TextEncoder();
    const entries = images.map((img) => {
      const target = sidecarPathOf(img, style);
      return {
        // Folders as in the gallery, so the zip unpacks over it.
        name: relative(root, target).split("\\").join("/"),
        data: enc.encode(sidecarText(deps.files, target, deps.labels.get(img.path), "Lenslet")),
      };
    });
    const stamp = new Date().toISOString().slice(0, 10);
    return c.body(zip(entries), 200, {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="lenslet-xmp-${stamp}.zip"`,
    });
  };

  app.get("/export/xmp", (c) => {
    const q = XmpExportQuery.safeParse(queryObject(c));
    if (!q.success) return validationError(c, q.error);
    let path: string;
    try {
      path = canonicalPath(q.data.path);
    } catch (err) {
      return jsonError(c, 400, "invalid_path", (err as Error).message, { field: "path" });
    }
    const one = deps.gallery.get(path);
    if (!one && !deps.gallery.folder(path))
      return jsonError(c, 404, "not_found", `no image or folder at ${path}`, { field: "path" });
    const images = one ? [one] : deps.gallery.list(path, q.data.recursive);
    return sidecarZip(c, images, q.data.style ?? deps.config.xmpStyle);
  });

  app.post("/export/xmp", async (c) => {
    const body = await jsonBody(c, XmpExportSelection);
    if (body instanceof Response) return body;
    const images = deps.gallery.pick(body.paths);
    return sidecarZip(c, images, body.style ?? deps.config.xmpStyle);
  });

  app.get("/groups", async (c) => {
    const asked = await groupsFor(c, deps);
    if (asked instanceof Response) return asked;
    const body = asked.found;
    c.header("Cache-Control", "no-store");
    return c.json(body);
  });

  return app;
}
