/** @jsxImportSource hono/jsx */
/**
 * GET /groups/view?kind=burst|duplicate&folder=&recursive= (spec M5): the page's Bursts /
 * Duplicates region, the groups of GET /groups as thumbnails (views/Groups.tsx). Thin.
 */
import { Hono } from "hono";
import { type GroupCard, Groups } from "../../views/Groups.tsx";
import type { AppDeps } from "../deps.ts";
import { groupsFor } from "./group-query.ts";
import type { PageModels } from "./page-models.ts";

/** Thumbnails shown per group; the rest are counted. */
const SHOWN_PER_GROUP = 8;
/** Groups rendered; the rest are counted (a gallery of copies could have thousands). */
const SHOWN_GROUPS = 200;

export function groupsViewRoutes(deps: AppDeps, models: PageModels): Hono {
  const app = new Hono();
  app.get("/groups/view", async (c) => {
    const asked = await groupsFor(c, deps);
    if (asked instanceof Response) return asked;
    const { found, recursive } = asked;
    const groups: GroupCard[] = found.groups.slice(0, SHOWN_GROUPS).map((g) => ({
      paths: g.paths,
      count: g.count,
      thumbs: g.paths.slice(0, SHOWN_PER_GROUP).flatMap((p) => {
        const img = deps.gallery.get(p);
        return img ? [{ path: p, name: img.name, url: models.thumbUrl(img) }] : [];
      }),
    }));
    const health = deps.hashes.health(deps.gallery.imageCount);
    return c.html(
      `${(
        <Groups
          kind={found.kind}
          folder={found.folder}
          recursive={recursive}
          groups={groups}
          total={found.groups.length}
          pending={found.pending}
          hashing={found.kind === "duplicate" ? health : null}
          threshold={found.threshold}
        />
      )}`,
      200,
      { "Cache-Control": "no-store" },
    );
  });
  return app;
}
