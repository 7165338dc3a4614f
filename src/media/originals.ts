/**
 * Serving an original image file: Content-Type from the name, validators
 * (ETag, Last-Modified) for cheap revalidation, and single byte ranges so the
 * browser can stream or resume big files. The file is opened once through
 * RootFiles (proven inside the root on the descriptor) and every byte comes
 * from that descriptor; big bodies are streamed, never read whole into memory.
 */
import mime from "mime";
import type { ImageEntry } from "../gallery/types.ts";
import { neverInline } from "./browser-formats.ts";
import type { RootFile, RootFiles } from "./root-file.ts";

/** Bodies up to this size are read at once, without a trip through the thread pool. */
const READ_NOW_UP_TO = 256 * 1024;
/**
 * Bodies up to this size are read whole (the answer keeps its Content-Length: Bun sends
 * streamed bodies chunked); bigger ones are streamed from the descriptor.
 */
const BUFFER_UP_TO = 1024 * 1024;

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
 * Returns null when the file has vanished since it was indexed, or is refused
 * (it no longer resolves to a regular file inside the root).
 */
export async function serveOriginal(
  req: Request,
  entry: ImageEntry,
  files: RootFiles,
  opts: OriginalOptions = {},
): Promise<Response | null> {
  const opened = files.open(entry.fsPath);
  if (opened.kind !== "ok") return null;
  const file = opened.file;
  let streaming = false;
  try {
    const res = await answer(req, entry, file, opts);
    streaming = res.streaming;
    return res.response;
  } finally {
    // A streamed body closes the file when it ends or the client leaves; anything else is complete now.
    if (!streaming) file.close();
  }
}

async function answer(
  req: Request,
  entry: ImageEntry,
  file: RootFile,
  opts: OriginalOptions,
): Promise<{ response: Response; streaming: boolean }> {
  const done = (response: Response) => ({ response, streaming: false });
  // Validators and ranges describe the file that is open, not what the index remembers.
  const { size, mtimeMs } = file;
  const etag = originalEtag(size, mtimeMs);
  const lastModified = new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString();
  const headers = new Headers({
    "Content-Type": mime.getType(entry.name) ?? "application/octet-stream",
    ETag: etag,
    "Last-Modified": lastModified,
    "Cache-Control": opts.immutable ? "private, max-age=31536000, immutable" : "private, no-cache",
    "Accept-Ranges": "bytes",
    // An SVG is a document that may carry script: it is downloaded, never shown on this origin (G14).
    "Content-Disposition": `${neverInline(entry.name) ? "attachment" : "inline"}; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
    "X-Content-Type-Options": "nosniff",
    // An original is shown as an image, never run as a document.
    "Content-Security-Policy":
      "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
  });

  if (notModified(req, etag, mtimeMs)) return done(new Response(null, { status: 304, headers }));

  let range = parseRange(req.headers.get("Range"), size);
  const ifRange = req.headers.get("If-Range");
  // A Range is only honoured while the client's copy is still the current one.
  if (range && ifRange && !(ifRange.trim() === etag || ifRange.trim() === lastModified))
    range = null;

  if (range === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${size}`);
    headers.set("Content-Type", "application/json");
    return done(
      new Response(
        JSON.stringify({ error: "range_not_satisfiable", message: `file has ${size} bytes` }),
        { status: 416, headers },
      ),
    );
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const status = range ? 206 : 200;
  if (range) headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
  const length = end - start + 1;
  headers.set("Content-Length", String(length));
  if (req.method === "HEAD") return done(new Response(null, { status, headers }));
  if (length <= BUFFER_UP_TO) {
    const bytes =
      length <= READ_NOW_UP_TO ? file.readNow(start, end + 1) : await file.read(start, end + 1);
    return done(new Response(bytes, { status, headers }));
  }
  return {
    response: new Response(file.stream(start, end + 1), { status, headers }),
    streaming: true,
  };
}

function notModified(req: Request, etag: string, mtimeMs: number): boolean {
  const inm = req.headers.get("If-None-Match");
  if (inm) return etagMatches(inm, etag);
  const ims = req.headers.get("If-Modified-Since");
  if (!ims) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}
