/**
 * The Hono application: every route factory mounted over one set of deps.
 * Request flow: Bun.serve (src/server.ts) → this app → a route in src/routes/
 * (validates with zod, calls a domain module) → JSON, or HTML from views/.
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import type { AppDeps } from "./deps.ts";
import { accessRoutes } from "./routes/access.ts";
import { accessGuard } from "./routes/access-guard.ts";
import { activityRoutes } from "./routes/activity.tsx";
import { apiDocRoutes } from "./routes/api-doc.ts";
import { bodyLimits } from "./routes/body-limits.ts";
import { compareRoutes } from "./routes/compare.tsx";
import { cullingRoutes } from "./routes/culling.ts";
import { jsonError } from "./routes/errors.ts";
import { type EventRouteOptions, eventRoutes } from "./routes/events.ts";
import { exportRoutes } from "./routes/export.ts";
import { groupsViewRoutes } from "./routes/groups-view.tsx";
import { healthRoutes, streamStatsOf } from "./routes/health.ts";
import { hostGuard } from "./routes/host-guard.ts";
import { itemRoutes } from "./routes/items.ts";
import { mediaRoutes } from "./routes/media.ts";
import { PageModels } from "./routes/page-models.ts";
import { pageRoutes } from "./routes/pages.tsx";
import { peopleRoutes } from "./routes/people.tsx";
import { presenceRoutes } from "./routes/presence.ts";
import { savedViewsRoutes } from "./routes/saved-views.tsx";
import { shareRoutes } from "./routes/share.tsx";
import { staticRoutes } from "./routes/static.ts";

export interface AppOptions {
  events?: EventRouteOptions;
}

export function createApp(deps: AppDeps, opts: AppOptions = {}): Hono {
  const app = new Hono();
  // First of all: a request addressed to a foreign name (DNS rebinding) gets nothing else.
  app.use("*", hostGuard({ host: deps.config.host, allowedHosts: deps.config.allowedHosts }));
  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
  });
  // Access control: one gate before every route (src/access/route-table.ts says who may what),
  // so a stranger learns nothing, not even a route's body limit.
  if (deps.access) app.use("*", accessGuard(deps.access));
  // Before any route reads a body: each route's limit, from one table.
  app.use("*", bodyLimits());
  // HTML, JSON, CSS, JS and CSV shrink ~5-10x; never the event stream (it must flush per event) or images.
  app.use(
    "*",
    compress({
      contentTypeFilter:
        /^(text\/html|application\/json|text\/css|text\/javascript|application\/javascript|text\/csv)/,
    }),
  );
  app.route("/", accessRoutes({ mode: deps.config.access, access: deps.access }));
  app.route("/", shareRoutes(deps));
  app.route("/", staticRoutes());
  app.route("/", mediaRoutes(deps));
  // Before the label routes: /export/xmp is its own route, not GET /export.
  app.route("/", cullingRoutes(deps));
  app.route("/", itemRoutes(deps));
  // The page and the export share one query runner (and its cache): an export is what the page shows.
  const models = new PageModels(deps);
  app.route("/", exportRoutes(deps, models.queries));
  app.route("/", eventRoutes(deps, opts.events));
  app.route("/", presenceRoutes(deps, { streamStats: streamStatsOf(deps) }));
  app.route("/", peopleRoutes(deps));
  app.route("/", healthRoutes(deps));
  app.route("/", apiDocRoutes());
  app.route("/", activityRoutes(deps));
  app.route("/", savedViewsRoutes(deps));
  app.route("/", compareRoutes(deps, models));
  app.route("/", groupsViewRoutes(deps, models));
  app.route("/", pageRoutes(deps, models));
  app.notFound((c) =>
    jsonError(c, 404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`),
  );
  app.onError((err, c) => {
    deps.log.error(`${c.req.method} ${c.req.url}: ${err.stack ?? err.message}`);
    return jsonError(
      c,
      500,
      "internal_error",
      "Lenslet hit an unexpected error; it was logged on the server.",
    );
  });
  return app;
}
