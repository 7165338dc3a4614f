/** @jsxImportSource hono/jsx */
/**
 * GET /groups/view?kind=burst|duplicate&folder=&recursive= (spec M5): the page's Bursts /
 * Duplicates region, the groups of GET /groups as thumbnails (views/Groups.tsx). Thin.
 */
import { Hono } from "hono";
import { type GroupCard, Groups } from "../../views/Groups.tsx";
import { canonicalPath } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import { jsonError, validationError } from "./errors.ts";
import { findGroups } from "./group-query.ts";
import { GroupsQuery } from "./openapi/culling.ts";
import type { PageModels } from "./page-models.ts";
import { queryObject } from "./query-params.ts";

/** Thumbnails shown per group; the rest are counted. */
const SHOWN_PER_GROUP = 8;
/** Groups rendered; the rest are counted (a gallery of copies could have thousands). */
const SHOWN_GROUPS = 200;

export function groupsViewRoutes(deps: AppDeps, models: PageModels): Hono {
  const app = new Hono();
  app.get("/groups/view", async (c) => {
    const q = GroupsQuery.safeParse(queryObject(c));
    if (!q.success) return validationError(c, q.error);
    let folder: string;
    try {
      folder = canonicalPath(q.data.folder);
    } catch (err) {
      return jsonError(c, 400, "invalid_path", (err as Error).message, { field: "folder" });
    }
    if (!deps.gallery.folder(folder))
      return jsonError(c, 404, "not_found", `no folder ${folder}`, { field: "folder" });
    const found = await findGroups(deps, q.data.kind, folder, q.data.recursive);
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
          folder={folder}
          recursive={q.data.recursive}
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
