/**
 * Image bytes: thumbnails, originals and dimensions. Only files the gallery
 * index holds are looked at, and each is read through RootFiles, which proves
 * on the opened descriptor that it lies inside the root: a name swapped for a
 * symlink after indexing is answered 404 like any unknown item.
 */
import { type Context, Hono } from "hono";
import { tryCanonicalPath } from "../core/paths.ts";
import type { ImageEntry } from "../gallery/types.ts";
import type { Dimensions } from "../media/dimensions.ts";
import { REFUSED } from "../media/fact-cache.ts";
import { etagMatches, serveOriginal } from "../media/originals.ts";
import { failedThumbnailSvg } from "../media/placeholder.ts";
import type { RootFiles } from "../media/root-file.ts";
import type { Thumbnailer } from "../media/thumbnails.ts";
import { jsonError, validationError } from "./errors.ts";
import { MediaQuery } from "./openapi/media.ts";

/** The part of AppDeps these routes use (AppDeps satisfies it). */
export interface MediaDeps {
  gallery: { get(path: string): ImageEntry | undefined };
  thumbs: Thumbnailer;
  display: Thumbnailer;
  dims: Dimensions;
  files: RootFiles;
}

const THUMB_CACHE = "private, max-age=31536000, immutable";

export function mediaRoutes(deps: MediaDeps): Hono {
  const app = new Hono();

  /** Validates `?path=` and finds the indexed entry, or answers the error. */
  const lookup = (c: Context): { entry: ImageEntry; v?: string } | Response => {
    const parsed = MediaQuery.safeParse(c.req.query());
    if (!parsed.success) return validationError(c, parsed.error);
    const path = tryCanonicalPath(parsed.data.path);
    if (path === null)
      return jsonError(c, 400, "invalid_path", "path is not a valid item path", { field: "path" });
    const entry = deps.gallery.get(path);
    if (!entry) return notFound(c, path);
    return { entry, v: parsed.data.v };
  };
  // A refused file is told apart from an unknown one by nothing, outside paths least of all.
  const notFound = (c: Context, path: string) =>
    jsonError(c, 404, "not_found", `no image at ${path}`, { path });

  /** A rendered image (thumbnail or display image): ETag, busy, and the "can't decode" tile on failure. */
  const rendered = async (c: Context, renderer: Thumbnailer, busyError: string) => {
    const found = lookup(c);
    if (found instanceof Response) return found;
    const etag = `"${renderer.etag(found.entry)}"`;
    if (etagMatches(c.req.header("If-None-Match"), etag)) {
      return c.body(null, 304, { ETag: etag, "Cache-Control": THUMB_CACHE });
    }
    const result = await renderer.get(found.entry);
    switch (result.kind) {
      case "ok":
        return c.body(result.bytes, 200, {
          "Content-Type": "image/webp",
          ETag: etag,
          "Cache-Control": THUMB_CACHE,
          "X-Content-Type-Options": "nosniff",
        });
      case "refused":
        return notFound(c, found.entry.path);
      case "busy":
        c.header("Retry-After", String(result.retryAfterSec));
        c.header("Cache-Control", "no-store");
        return jsonError(c, 503, busyError, "too many images in progress, retry shortly");
      case "failed":
        // Still an image, so the card and the viewer show a clear "can't decode" tile, never a broken one.
        return c.body(failedThumbnailSvg(), 200, {
          "Content-Type": "image/svg+xml",
          "Cache-Control": "no-store",
          "X-Lenslet-Thumb": "failed",
          "X-Content-Type-Options": "nosniff",
          "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        });
    }
  };

  app.get("/thumb", (c) => rendered(c, deps.thumbs, "thumbnail_busy"));
  // What the viewer shows for formats a browser cannot decode (TIFF, SVG) or files it failed on.
  app.get("/display", (c) => rendered(c, deps.display, "display_busy"));

  app.get("/file", async (c) => {
    const found = lookup(c);
    if (found instanceof Response) return found;
    const immutable = found.v !== undefined && found.v === deps.thumbs.etag(found.entry);
    const res = await serveOriginal(c.req.raw, found.entry, deps.files, { immutable });
    return (
      res ??
      jsonError(c, 404, "not_found", `file is gone: ${found.entry.path}`, {
        path: found.entry.path,
      })
    );
  });

  app.get("/dims", async (c) => {
    const found = lookup(c);
    if (found instanceof Response) return found;
    const dims = await deps.dims.get(found.entry);
    if (dims === REFUSED) return notFound(c, found.entry.path);
    if (!dims) {
      return jsonError(
        c,
        422,
        "undecodable",
        `cannot read the image header of ${found.entry.path}`,
        {
          path: found.entry.path,
        },
      );
    }
    c.header("Cache-Control", "private, no-cache");
    return c.json(dims);
  });

  return app;
}
