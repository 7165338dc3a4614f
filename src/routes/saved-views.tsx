/** @jsxImportSource hono/jsx */
/**
 * Saved views (D20): GET /views, the list as a fragment (viewer: readers use views too); POST /views,
 * name the current filter + sort (rater, a local-origin write like labels). Every open page hears
 * `views-changed` on the event stream and fetches the list again.
 */
import { Hono } from "hono";
import { z } from "zod";
import { SavedViewsList } from "../../views/SavedViews.tsx";
import type { AppDeps } from "../deps.ts";
import { BrowseQuery, browseParams } from "../gallery/browse-query.ts";
import { EventName } from "../live/protocol.ts";
import { MAX_SAVED_VIEWS, SavedViews } from "../workspace/saved-views.ts";
import { jsonError, validationError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import { originGuard } from "./origin-guard.ts";
import { askerOf } from "./request-actor.ts";

export const SaveViewBody = z.object({
  name: z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().min(1).max(80))
    .describe("The view's name; saving a name that exists replaces that view"),
  query: z
    .string()
    .max(8192)
    .default("")
    .describe("The browse query to keep (`folder=…&m.score=0.5..&sort=…`); a leading ? is ignored"),
});

/** The query a view keeps: the browse state, canonical, without selection, viewer or card size. */
function viewQuery(q: BrowseQuery): string {
  return browseParams(q, {
    sel: undefined,
    view: false,
    size: BrowseQuery.parse({}).size,
  }).toString();
}

export function savedViewsRoutes(deps: Pick<AppDeps, "config" | "bus">): Hono {
  const app = new Hono();
  const views = new SavedViews(deps.config.canWrite ? deps.config.workspace : null);
  app.use(
    "/views",
    originGuard({ allowRemoteWrites: deps.config.allowRemoteWrites, host: deps.config.host }),
  );

  app.get("/views", (c) =>
    c.html(`${<SavedViewsList views={views.list()} />}`, 200, { "Cache-Control": "no-store" }),
  );

  app.post("/views", async (c) => {
    const body = await jsonBody(c, SaveViewBody);
    if (body instanceof Response) return body;
    const q = BrowseQuery.safeParse(
      Object.fromEntries(new URLSearchParams(body.query.replace(/^\?/, ""))),
    );
    if (!q.success) return validationError(c, q.error);
    const who = askerOf(c);
    if (!who.ok) return jsonError(c, 400, "validation_error", who.message, { field: who.field });
    const view = {
      name: body.name,
      query: viewQuery(q.data),
      created_by: who.asker.name ?? null,
      created_at: new Date().toISOString(),
    };
    if (!views.save(view))
      return jsonError(c, 409, "too_many_views", `at most ${MAX_SAVED_VIEWS} saved views`, {
        field: "name",
      });
    deps.bus.publish({
      type: EventName.viewsChanged,
      data: { count: views.list().length, name: view.name },
    });
    return c.json({ view }, 201);
  });
  return app;
}
