/**
 * Presence over HTTP: a thin adapter over PresenceTracker. Bodies may come as
 * JSON or as the text/plain string `navigator.sendBeacon` sends on pagehide.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import type { PresenceCounts } from "../live/protocol.ts";
import { presenceDiagnostics, type StreamStatsSource } from "../presence/diagnostics.ts";
import { CountsQuery, HeartbeatBody, JoinBody, LeaveBody, MoveBody } from "../presence/schema.ts";
import type { PresenceError } from "../presence/tracker.ts";
import { RedisUnavailable } from "../redis/client.ts";
import { jsonError, validationError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import type {
  HeartbeatResponse,
  JoinResponse,
  LeaveResponse,
  MoveResponse,
} from "./openapi/presence.ts";
import { originGuard } from "./origin-guard.ts";
import { type Asker, askerOf } from "./request-actor.ts";

export interface PresenceRouteOptions {
  /** Connected streams and replay misses, from the event-stream route. */
  streamStats?: StreamStatsSource;
}

const ERROR_MESSAGES: Record<PresenceError, string> = {
  invalid_lease: "lease_id does not hold this client's session; join again",
  scope_mismatch: "the session is not in from_gallery_id",
  presence_full: "too many tabs are present at once; try again when some have left",
};

/** The part of AppDeps these routes use (AppDeps satisfies it). */
export type PresenceDeps = Pick<AppDeps, "presence" | "bus" | "config">;

export function presenceRoutes(deps: PresenceDeps, opts: PresenceRouteOptions = {}): Hono {
  const app = new Hono();
  const tracker = deps.presence;
  // Presence writes are writes: a page on another site must not move or evict anyone.
  const guard = originGuard({ allowRemoteWrites: deps.config.allowRemoteWrites });
  app.use("/presence", guard);
  app.use("/presence/*", guard);
  // Shared presence (Redis) may be unreachable: a 503 the page retries, never a 500.
  app.onError((err, c) => {
    if (!(err instanceof RedisUnavailable)) throw err;
    c.header("Retry-After", "1");
    return jsonError(c, 503, "presence_unavailable", `presence is unavailable: ${err.message}`);
  });

  app.post("/presence/join", async (c) => {
    const body = await jsonBody(c, JoinBody);
    if (body instanceof Response) return body;
    const asker = readAsker(c);
    if (asker instanceof Response) return asker;
    const who = presenceIdentity(asker, body);
    const r = await tracker.join(
      body.gallery_id,
      body.client_id,
      who.name,
      body.lease_id,
      who.personId,
    );
    if (!r.ok) return refused(c, r.error, deps.config.pruneIntervalMs);
    return c.json({
      ...countsBody(r.value.counts),
      client_id: body.client_id,
      lease_id: r.value.leaseId,
      created: r.value.created,
    } satisfies JoinResponse);
  });

  app.post("/presence/move", async (c) => {
    const body = await jsonBody(c, MoveBody);
    if (body instanceof Response) return body;
    const r = await tracker.move(
      body.from_gallery_id,
      body.to_gallery_id,
      body.client_id,
      body.lease_id,
    );
    if (!r.ok) return refused(c, r.error, deps.config.pruneIntervalMs);
    return c.json({
      ...countsBody(r.value.to),
      client_id: body.client_id,
      lease_id: r.value.leaseId,
      moved: r.value.moved,
      from: countsBody(r.value.from),
    } satisfies MoveResponse);
  });

  app.post("/presence/leave", async (c) => {
    const body = await jsonBody(c, LeaveBody);
    if (body instanceof Response) return body;
    const r = await tracker.leave(body.gallery_id, body.client_id, body.lease_id);
    if (!r.ok) return refused(c, r.error, deps.config.pruneIntervalMs);
    if (r.value.mode === "legacy_heartbeat") {
      return c.json({
        gallery_id: body.gallery_id,
        client_id: body.client_id,
        mode: r.value.mode,
        removed: false,
      } satisfies LeaveResponse);
    }
    return c.json({
      ...countsBody(r.value.counts),
      client_id: body.client_id,
      mode: r.value.mode,
      removed: r.value.removed,
    } satisfies LeaveResponse);
  });

  app.post("/presence", async (c) => {
    const body = await jsonBody(c, HeartbeatBody);
    if (body instanceof Response) return body;
    const asker = readAsker(c);
    if (asker instanceof Response) return asker;
    const who = presenceIdentity(asker, body);
    const r = await tracker.heartbeat(body.gallery_id, body.client_id, who.name, who.personId);
    if (!r.ok) return refused(c, r.error, deps.config.pruneIntervalMs);
    return c.json({
      ...countsBody(r.value),
      client_id: body.client_id,
    } satisfies HeartbeatResponse);
  });

  app.get("/presence", async (c) => {
    const q = CountsQuery.safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    c.header("Cache-Control", "no-store");
    return c.json(countsBody(await tracker.counts(q.data.gallery_id)));
  });

  app.get("/presence/diagnostics", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(presenceDiagnostics(deps, opts.streamStats));
  });

  return app;
}

function countsBody(c: PresenceCounts): PresenceCounts {
  return {
    gallery_id: c.gallery_id,
    viewing: c.viewing,
    editing: c.editing,
    names: c.names,
    sessions: c.sessions,
  };
}

/** 409 for a lease or scope refusal; 503 with Retry-After when the session table is full. */
function refused(c: Context, error: PresenceError, pruneIntervalMs: number): Response {
  if (error !== "presence_full") return jsonError(c, 409, error, ERROR_MESSAGES[error]);
  // Room appears when the prune loop drops a stale tab or someone leaves.
  c.header("Retry-After", String(Math.max(1, Math.ceil(pruneIntervalMs / 1000))));
  return jsonError(c, 503, error, ERROR_MESSAGES[error]);
}

/** Who asks, by the reader every route shares (a malformed header is a 400). */
function readAsker(c: Context): Asker | Response {
  const read = askerOf(c);
  if (read.ok) return read.asker;
  return jsonError(c, 400, "validation_error", read.message, { field: read.field });
}

/**
 * The name and person a session is present as. With access control on they are the session's (A12), never
 * what the page claims; off, the body's, else the headers'.
 */
function presenceIdentity(
  asker: Asker,
  body: { name?: string; person_id?: string },
): { name: string | undefined; personId: string | undefined } {
  if (asker.verified) return { name: asker.name, personId: asker.personId };
  return { name: body.name ?? asker.name, personId: body.person_id };
}
