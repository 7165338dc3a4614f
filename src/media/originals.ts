/**
 * Serving an original image file: Content-Type from the name, validators
 * (ETag, Last-Modified) for cheap revalidation, and single byte ranges so the
 * browser can stream or resume big files. The file is streamed from disk,
 * never read whole into memory.
 */
import { stat } from "node:fs/promises";
import mime from "mime";
import type { ImageEntry } from "../gallery/types.ts";

export type ByteRange = { start: number; end: number };

/**
 * Parses a `Range` header against a file size (RFC 9110 §14.1.2).
 * Returns the inclusive range, "unsatisfiable" (→ 416), or null when the header
 * is absent, malformed or asks for several ranges (→ serve the whole file).
 */
export function parseRange(
  header: string | null | undefined,
  size: number,
): ByteRange | "unsatisfiable" | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, a, b] = m;
  if (a === "" && b === "") return null;
  if (a === "") {
    // Suffix range: the last N bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== "" && Number(b) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** True when an `If-None-Match` / `If-Range` header names this entity tag (weak comparison). */
export function etagMatches(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = stripTag(etag);
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || stripTag(tag) === bare;
  });
}

function stripTag(tag: string): string {
  return tag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

export interface OriginalOptions {
  /** True when the URL carries the current version (`v=`), so the answer may be cached for good. */
  immutable?: boolean;
}

/** Strong validator of an original, from its size and mtime. */
export function originalEtag(size: number, mtimeMs: number): string {
  return `"${size.toString(36)}-${Math.floor(mtimeMs).toString(36)}"`;
}

/**
 * Answers a GET or HEAD for the original file of `entry`.
 * Returns null when the file has vanished since it was indexed.
 */
export async function serveOriginal(
  req: Request,
  entry: ImageEntry,
  opts: OriginalOptions = {},
): Promise<Response | null> {
  let size: number;
  let mtimeMs: number;
  try {
    const st = await stat(entry.fsPath);
    if (!st.isFile()) return null;
    size = st.size;
    mtimeMs = st.mtimeMs;
  } catch {
    return null;
  }
  const etag = originalEtag(size, mtimeMs);
  const lastModified = new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString();
  const headers = new Headers({
    "Content-Type": mime.getType(entry.name) ?? "application/octet-stream",
    ETag: etag,
    "Last-Modified": lastModified,
    "Cache-Control": opts.immutable ? "private, max-age=31536000, immutable" : "private, no-cache",
    "Accept-Ranges": "bytes",
    "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
    "X-Content-Type-Options": "nosniff",
    // An original is shown as an image, never run as a document.
    "Content-Security-Policy":
      "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
  });

  if (notModified(req, etag, mtimeMs)) return new Response(null, { status: 304, headers });

  let range = parseRange(req.headers.get("Range"), size);
  const ifRange = req.headers.get("If-Range");
  // A Range is only honoured while the client's copy is still the current one.
  if (range && ifRange && !(ifRange.trim() === etag || ifRange.trim() === lastModified))
    range = null;

  if (range === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${size}`);
    headers.set("Content-Type", "application/json");
    return new Response(
      JSON.stringify({ error: "range_not_satisfiable", message: `file has ${size} bytes` }),
      {
        status: 416,
        headers,
      },
    );
  }
  const file = Bun.file(entry.fsPath);
  const isHead = req.method === "HEAD";
  if (range) {
    headers.set("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
    headers.set("Content-Length", String(range.end - range.start + 1));
    return new Response(isHead ? null : file.slice(range.start, range.end + 1), {
      status: 206,
      headers,
    });
  }
  headers.set("Content-Length", String(size));
  return new Response(isHead ? null : file.slice(0, size), { status: 200, headers });
}

function notModified(req: Request, etag: string, mtimeMs: number): boolean {
  const inm = req.headers.get("If-None-Match");
  if (inm) return etagMatches(inm, etag);
  const ims = req.headers.get("If-Modified-Since");
  if (!ims) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}
