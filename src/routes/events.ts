/**
 * GET /events: the live event stream, a thin adapter from the bus to SSE.
 *
 * On every connect the client first gets a `retry:` hint and a `: hello`
 * comment naming the current last id and boot id; then either the events it
 * missed (Last-Event-ID header, else `?last_event_id=`) or one
 * `resync-required` event; then live events and a `: ping` comment every 15 s.
 */
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import type { EventBus } from "../live/bus.ts";
import { type Envelope, EventName } from "../live/protocol.ts";
import { commentFrame, eventFrame, parseLastEventId, retryFrame } from "../live/sse-frame.ts";
import { SseStream, type SseStreamOptions } from "../live/sse-stream.ts";

export const HEARTBEAT_MS = 15_000;
/** Reconnect delay hint for clients (browsers default to ~3 s). */
export const RETRY_MS = 1_000;
/**
 * Idle timeout (s) given back to a stream ended for its backlog: a client that
 * resumes reading gets the tail and a clean end; a jammed socket is dropped.
 */
export const JAMMED_STREAM_TIMEOUT_S = 10;

export interface EventRouteOptions
  extends Pick<SseStreamOptions, "maxBacklogEvents" | "maxBacklogBytes" | "highWaterFrames"> {
  heartbeatMs?: number;
  retryMs?: number;
  /** Seconds a stream dropped for its backlog may sit without progress before Bun closes it. */
  jammedTimeoutS?: number;
  /** Sees each stream as it opens (tests inspect backlogs through it). */
  onStream?: (stream: SseStream) => void;
}

interface BunServerLike {
  timeout(req: Request, seconds: number): void;
}

/** The Bun server from Hono's env: `{ server }` as the lead passes it, or the server itself. */
function bunServer(env: unknown): BunServerLike | null {
  const candidates = [env, (env as { server?: unknown } | undefined)?.server];
  for (const c of candidates) {
    if (c && typeof (c as BunServerLike).timeout === "function") return c as BunServerLike;
  }
  return null;
}

export function eventRoutes(deps: Pick<AppDeps, "bus">, opts: EventRouteOptions = {}): Hono {
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const retryMs = opts.retryMs ?? RETRY_MS;
  const jammedTimeoutS = opts.jammedTimeoutS ?? JAMMED_STREAM_TIMEOUT_S;
  const app = new Hono();
  // One heartbeat timer for all open streams (a timer per stream costs memory at 1,000 subscribers).
  const open = new Set<SseStream>();
  let pinger: ReturnType<typeof setInterval> | null = null;
  const ping = () => {
    for (const s of open) s.comment("ping");
  };

  app.get("/events", (c) => {
    const { bus } = deps;
    const req = c.req.raw;
    const server = bunServer(c.env);
    // Bun closes a connection after 10 s without bytes; a quiet stream is normal.
    server?.timeout(req, 0);

    const header = c.req.header("Last-Event-ID");
    const lastEventId = parseLastEventId(
      header !== undefined && header.trim() !== "" ? header : c.req.query("last_event_id"),
    );

    let unsubscribe = () => {};
    const stream = new SseStream({
      maxBacklogEvents: opts.maxBacklogEvents,
      maxBacklogBytes: opts.maxBacklogBytes,
      highWaterFrames: opts.highWaterFrames,
      // Bun cancels the body stream when the client goes away.
      onEnd: (reason) => {
        unsubscribe();
        open.delete(stream);
        if (open.size === 0 && pinger) {
          clearInterval(pinger);
          pinger = null;
        }
        if (reason === "backlog") server?.timeout(req, jammedTimeoutS);
      },
    });

    stream.preload(retryFrame(retryMs));
    stream.preload(commentFrame(`hello last_event_id=${bus.lastId} boot_id=${bus.bootId}`));
    const sub = bus.subscribe(lastEventId, stream);
    unsubscribe = sub.unsubscribe;
    // subscribe() is synchronous: nothing is delivered before the replay below is queued.
    if (sub.replay.kind === "resync" || lastEventId === null) {
      const reason = sub.replay.kind === "resync" ? sub.replay.reason : "no_id";
      stream.preload(eventFrame(resyncEnvelope(bus, reason)));
    } else {
      for (const env of sub.replay.events) stream.preload(eventFrame(env));
    }
    if (!stream.ended) {
      open.add(stream);
      pinger ??= setInterval(ping, heartbeatMs);
    }
    opts.onStream?.(stream);

    return c.body(stream.body, 200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
    });
  });

  return app;
}

/** Carries the current last id, so the client resumes from there once it has re-fetched. */
function resyncEnvelope(
  bus: EventBus,
  reason: "too_old" | "future" | "restart" | "invalid" | "no_id",
): Envelope {
  const last = bus.lastId;
  return {
    id: last,
    event: { type: EventName.resyncRequired, data: { reason, last_event_id: last } },
  };
}

/** The `events` part of /health (and of the presence diagnostics). */
export function eventStreamHealth(bus: EventBus) {
  const s = bus.stats();
  return {
    connected: s.subscribers,
    buffer_capacity: s.capacity,
    buffered: s.size,
    oldest_id: s.oldestId,
    last_id: s.lastId,
    boot_id: s.bootId,
    replay_miss_total: s.replayMissTotal,
    backlog_drops_total: s.backlogDropsTotal,
    resync_total: s.resyncTotal,
  };
}
