/**
 * A real Bun server with only the event stream route, as the lead wires it
 * (`app.fetch(req, { server })`), for stream tests and benchmarks.
 */
import { Hono } from "hono";
import type { EventBus } from "../../src/live/bus.ts";
import type { SseStream } from "../../src/live/sse-stream.ts";
import { type EventRouteOptions, eventRoutes } from "../../src/routes/events.ts";

export interface EventServer {
  base: string;
  url: string;
  server: ReturnType<typeof Bun.serve>;
  /** Every stream the route opened, in connect order. */
  streams: SseStream[];
  stop(): Promise<void>;
}

export function startEventServer(
  bus: EventBus,
  opts: EventRouteOptions & { idleTimeout?: number; extra?: (app: Hono) => void } = {},
): EventServer {
  const streams: SseStream[] = [];
  const app = new Hono();
  app.route(
    "/",
    eventRoutes(
      { bus },
      {
        ...opts,
        onStream: (s) => {
          streams.push(s);
          opts.onStream?.(s);
        },
      },
    ),
  );
  opts.extra?.(app);
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: opts.idleTimeout,
    fetch: (req, srv) => app.fetch(req, { server: srv }),
  });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    base,
    url: `${base}/events`,
    server,
    streams,
    async stop() {
      for (const s of streams) s.end();
      await server.stop(true);
    },
  };
}

/** Resolves once `cond()` holds, checking every few ms; rejects after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
