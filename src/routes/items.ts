/**
 * Label routes, thin over LabelStore: GET/PATCH/PUT /item, POST /items/patch,
 * (GET|POST /export is src/routes/export.ts, GET /openapi.json src/routes/api-doc.ts). They parse and validate, call the store,
 * and render its outcome; every rule lives in src/labels/.
 */
import { type Context, Hono } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../core/logger.ts";
import { canonicalPath, PathError, parentOf, tryCanonicalPath } from "../core/paths.ts";
import type { GalleryIndex } from "../gallery/gallery-index.ts";
import type { ImageEntry } from "../gallery/types.ts";
import type { BatchItem, WriteContext } from "../labels/compute.ts";
import { requestHash } from "../labels/idempotency.ts";
import type { BatchOutcome, ItemOutcome } from "../labels/outcome.ts";
import { isCommuting } from "../labels/patch.ts";
import { LabelRefusal, MissingBaseVersion, type RefusalReason } from "../labels/refusals.ts";
import { BatchPatchBody, PatchBody, PutBody } from "../labels/schema.ts";
import type { LabelStoreApi } from "../labels/store-api.ts";
import { jsonError, validationError } from "./errors.ts";
import { jsonValue } from "./json-body.ts";
import { originGuard } from "./origin-guard.ts";
import { updatedByOf } from "./principal-actor.ts";
import { askerOf } from "./request-actor.ts";

/** What the label routes use of AppDeps (AppDeps satisfies it; tests pass a small gallery stub). */
export interface ItemRouteDeps {
  config: Pick<Config, "allowRemoteWrites"> & Partial<Pick<Config, "host">>;
  gallery: Pick<GalleryIndex, "get">;
  labels: LabelStoreApi;
  presence?: { touchEdit?(clientId: string, galleryId?: string | null): unknown };
  log: Logger;
  /** XMP in: an image's labels are read from its XMP before they are first answered (spec X2). */
  xmpSeeder?: { ensure(img: ImageEntry): Promise<void> } | null;
}

const MAX_KEY_LENGTH = 255;

class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function itemRoutes(deps: ItemRouteDeps): Hono {
  const app = new Hono();
  const guard = originGuard({
    allowRemoteWrites: deps.config.allowRemoteWrites,
    host: deps.config.host,
  });
  app.use("/item", guard);
  app.use("/items/*", guard);

  app.get("/item", (c) =>
    handle(c, async () => {
      const path = itemPath(c, deps);
      const img = deps.gallery.get(path);
      if (img && deps.xmpSeeder) await deps.xmpSeeder.ensure(img);
      const sidecar = deps.labels.get(path);
      c.header("ETag", etag(sidecar.version));
      return c.json(sidecar);
    }),
  );

  app.patch("/item", (c) =>
    handle(c, async () => {
      const path = itemPath(c, deps);
      const key = idempotencyKey(c, true) as string;
      const raw = await jsonValue(c);
      if (raw instanceof Response) return raw;
      const parsed = PatchBody.safeParse(raw);
      if (!parsed.success) return validationError(c, parsed.error);
      const { base_version, ...fields } = parsed.data;
      const ifMatch = ifMatchVersion(c);
      const base = chooseBase(ifMatch, base_version ?? null);
      if (base === null && !isCommuting(fields)) throw new MissingBaseVersion();
      const ctx = writeContext(c, key, requestHash("PATCH", path, ifMatch, raw));
      const { outcome, replayed } = await deps.labels.patch(
        { path, fields, baseVersion: base },
        ctx,
      );
      if (!replayed && outcome.kind === "applied") touchEdit(c, deps, ctx, path);
      return renderItem(c, outcome, replayed);
    }),
  );

  app.put("/item", (c) =>
    handle(c, async () => {
      const path = itemPath(c, deps);
      const key = idempotencyKey(c, false);
      const raw = await jsonValue(c);
      if (raw instanceof Response) return raw;
      const parsed = PutBody.safeParse(raw);
      if (!parsed.success) return validationError(c, parsed.error);
      const ifMatch = ifMatchVersion(c);
      const base = chooseBase(ifMatch, parsed.data.base_version ?? null);
      const ctx = writeContext(
        c,
        key,
        key === null ? null : requestHash("PUT", path, ifMatch, raw),
      );
      const { outcome, replayed } = await deps.labels.put(
        { path, body: parsed.data, baseVersion: base },
        ctx,
      );
      if (!replayed && outcome.kind === "applied") touchEdit(c, deps, ctx, path);
      return renderItem(c, outcome, replayed);
    }),
  );

  app.post("/items/patch", (c) =>
    handle(c, async () => {
      const key = idempotencyKey(c, true) as string;
      const raw = await jsonValue(c);
      if (raw instanceof Response) return raw;
      const parsed = BatchPatchBody.safeParse(raw);
      if (!parsed.success) return validationError(c, parsed.error);
      const items: BatchItem[] = parsed.data.patches.map(
        ({ path: rawPath, base_version, ...fields }) => {
          const path = tryCanonicalPath(rawPath);
          if (path === null || path === "/") {
            return {
              path: rawPath,
              reject: {
                status: 400,
                error: "invalid_path",
                message: `not an item path: ${rawPath}`,
                field: "path",
              },
            };
          }
          if (!deps.gallery.get(path)) {
            return {
              path,
              reject: { status: 404, error: "not_found", message: `no image at ${path}` },
            };
          }
          return { path, fields, baseVersion: base_version ?? null };
        },
      );
      const ctx = writeContext(c, key, requestHash("POST", "/items/patch", null, raw));
      const { outcome, replayed } = await deps.labels.batch(items, ctx);
      const firstApplied = outcome.results.find((r) => r.kind === "applied");
      if (!replayed && firstApplied?.kind === "applied")
        touchEdit(c, deps, ctx, firstApplied.sidecar.path);
      return renderBatch(c, outcome, replayed);
    }),
  );

  return app;
}

/** The store's refusals as HTTP answers: status, error name, the field to name, a hint after the message. */
const REFUSALS: Record<
  RefusalReason,
  { status: 400 | 422 | 503; error: string; field?: string; hint?: string }
> = {
  missing_base_version: { status: 400, error: "missing_base_version", field: "base_version" },
  key_reused: { status: 422, error: "idempotency_key_reused", field: "Idempotency-Key" },
  idempotency_full: { status: 503, error: "idempotency_table_full" },
  persistence_unavailable: {
    status: 503,
    error: "label_persistence_unavailable",
    hint: ". Nothing was changed; retry with the same Idempotency-Key.",
  },
};

/** Maps the store's refusals and the parser's errors to the seeds' error names. */
async function handle(c: Context, fn: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BadRequest) {
      return jsonError(
        c,
        err.status,
        err.code,
        err.message,
        err.field ? { field: err.field } : undefined,
      );
    }
    if (err instanceof LabelRefusal) {
      const r = REFUSALS[err.reason];
      if (err.retryAfterSeconds !== null) c.header("Retry-After", String(err.retryAfterSeconds));
      return jsonError(
        c,
        r.status,
        r.error,
        err.message + (r.hint ?? ""),
        r.field ? { field: r.field } : undefined,
      );
    }
    throw err;
  }
}

function canonicalOr400(raw: string): string {
  try {
    return canonicalPath(raw);
  } catch (err) {
    throw new BadRequest(
      400,
      "invalid_path",
      err instanceof PathError ? err.message : "invalid path",
      "path",
    );
  }
}

/** The canonical item path of `?path=`, which must name an image of the gallery. */
function itemPath(c: Context, deps: ItemRouteDeps): string {
  const raw = c.req.query("path");
  if (raw === undefined || raw.trim() === "") {
    throw new BadRequest(400, "invalid_path", "query parameter path is required", "path");
  }
  const path = canonicalOr400(raw);
  if (path === "/")
    throw new BadRequest(400, "invalid_path", "path names a folder, not an item", "path");
  if (!deps.gallery.get(path))
    throw new BadRequest(404, "not_found", `no image at ${path}`, "path");
  return path;
}

function idempotencyKey(c: Context, required: boolean): string | null {
  const key = c.req.header("Idempotency-Key")?.trim();
  if (!key) {
    if (!required) return null;
    throw new BadRequest(
      400,
      "missing_idempotency_key",
      "header Idempotency-Key is required (a fresh random id per intended change; reuse it only to retry)",
      "Idempotency-Key",
    );
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new BadRequest(
      400,
      "validation_error",
      `Idempotency-Key: at most ${MAX_KEY_LENGTH} characters`,
      "Idempotency-Key",
    );
  }
  return key;
}

/** If-Match as a version: `12`, `"12"` or `W/"12"`; null when absent. */
export function parseIfMatch(header: string | undefined): number | null | "invalid" {
  if (header === undefined || header.trim() === "") return null;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m) return "invalid";
  const n = Number(m[1]);
  return n >= 1 ? n : "invalid";
}

function ifMatchVersion(c: Context): number | null {
  const v = parseIfMatch(c.req.header("If-Match"));
  if (v === "invalid") {
    throw new BadRequest(
      400,
      "validation_error",
      'If-Match: expected a version like 12, "12" or W/"12"',
      "If-Match",
    );
  }
  return v;
}

function chooseBase(ifMatch: number | null, bodyBase: number | null): number | null {
  if (ifMatch !== null && bodyBase !== null && ifMatch !== bodyBase) {
    throw new BadRequest(
      400,
      "version_mismatch",
      `If-Match (${ifMatch}) and base_version (${bodyBase}) disagree`,
      "base_version",
    );
  }
  return ifMatch ?? bodyBase;
}

function writeContext(c: Context, key: string | null, hash: string | null): WriteContext {
  const read = askerOf(c);
  if (!read.ok) throw new BadRequest(400, "validation_error", read.message, read.field);
  const { name, clientId, personId, verified } = read.asker;
  const client = clientId ?? "api";
  // With access control on, the session's name and stable person id, never a header's.
  const updatedBy =
    verified && personId
      ? updatedByOf({ name: name ?? "anonymous", personId })
      : `${name ?? "anonymous"} (${client})`;
  return { updatedBy, clientId: client, key, requestHash: hash };
}

function touchEdit(c: Context, deps: ItemRouteDeps, ctx: WriteContext, itemPath: string): void {
  const touch = deps.presence?.touchEdit;
  if (!touch) return;
  // The folder the writer is viewing (presence counts editors there), else the item's own folder.
  const read = askerOf(c);
  const scope = (read.ok ? read.asker.scope : undefined) ?? parentOf(itemPath);
  const failed = (err: unknown) =>
    deps.log.warn(`presence: touchEdit failed: ${(err as Error).message}`);
  try {
    // Shared presence answers later; the write's answer does not wait for it.
    Promise.resolve(touch.call(deps.presence, ctx.clientId, scope)).catch(failed);
  } catch (err) {
    failed(err);
  }
}

function etag(version: number): string {
  return `W/"${version}"`;
}

function itemBody(o: ItemOutcome): {
  status: 200 | 400 | 404 | 409;
  body: Record<string, unknown>;
} {
  switch (o.kind) {
    case "applied":
      return {
        status: 200,
        body: {
          ...o.sidecar,
          event_id: o.event_id,
          merged: o.merged,
          changed_fields: o.changed,
          persistence: o.persistence,
        },
      };
    case "noop":
      return {
        status: 200,
        body: {
          ...o.sidecar,
          event_id: null,
          merged: o.merged,
          changed_fields: [],
          persistence: o.persistence,
        },
      };
    case "conflict":
      return {
        status: 409,
        body: {
          error: "version_conflict",
          message: `base version ${o.base_version} is not the current version ${o.current.version}`,
          current: o.current,
        },
      };
    case "rejected": {
      const body: Record<string, unknown> = { error: o.error, message: o.message };
      if (o.field) body.field = o.field;
      return { status: o.status, body };
    }
  }
}

function renderItem(c: Context, o: ItemOutcome, replayed: boolean): Response {
  const { status, body } = itemBody(o);
  if (replayed) c.header("Idempotency-Replayed", "true");
  if (o.kind === "applied" || o.kind === "noop") c.header("ETag", etag(o.sidecar.version));
  return c.json(body, status);
}

function renderBatch(c: Context, o: BatchOutcome, replayed: boolean): Response {
  if (replayed) c.header("Idempotency-Replayed", "true");
  let applied = 0;
  const results = o.results.map((r) => {
    if (r.kind === "applied") applied++;
    const { status, body } = itemBody(r);
    if (r.kind === "applied" || r.kind === "noop") {
      const { persistence: _omit, ...rest } = body;
      return { ...rest, status };
    }
    const path = r.kind === "conflict" ? r.current.path : r.path;
    return { path, status, ...body };
  });
  return c.json({ results, applied, persistence: o.persistence });
}
