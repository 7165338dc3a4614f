/** @jsxImportSource hono/jsx */
/**
 * GET /activity: the activity panel's list (views/Activity.tsx), from the
 * event bus's replay ring: recent edits by others across the whole gallery.
 * The asker's own edits are left out: their tab (`client`, what the page sends)
 * and, with access control on, every edit of their person.
 */
import { Hono } from "hono";
import { ActivityList } from "../../views/Activity.tsx";
import type { AppDeps } from "../deps.ts";
import { BrowseQuery } from "../gallery/browse-query.ts";
import { recentActivity } from "../live/activity.ts";
import { validationError } from "./errors.ts";
import { ActivityQuery } from "./openapi/pages.ts";
import { principalActor } from "./principal-actor.ts";
import { queryObject } from "./query-params.ts";

export function activityRoutes(deps: Pick<AppDeps, "bus" | "labels">): Hono {
  const app = new Hono();
  app.get("/activity", (c) => {
    const parsed = ActivityQuery.safeParse(queryObject(c));
    if (!parsed.success) return validationError(c, parsed.error);
    const entries = recentActivity(deps.bus.newestFirst(), {
      asker: { clientId: parsed.data.client || null, personId: principalActor(c)?.personId },
      limit: parsed.data.limit,
      record: (path) => deps.labels.get(path),
    });
    return c.html(`${<ActivityList entries={entries} base={BrowseQuery.parse({})} />}`, 200, {
      "Cache-Control": "no-store",
    });
  });
  return app;
}
