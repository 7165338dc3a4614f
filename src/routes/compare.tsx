/** @jsxImportSource hono/jsx */
/**
 * GET /compare?path=…&path=… (spec M4): 2–4 images side by side, as an HTML fragment the page
 * shows in a modal overlay (public/compare.js). Thin: the items come from the page models.
 */
import { Hono } from "hono";
import { Compare } from "../../views/Compare.tsx";
import type { ItemDetails } from "../../views/model.ts";
import { tryCanonicalPath } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import { jsonError, validationError } from "./errors.ts";
import { CompareQuery } from "./openapi/culling.ts";
import type { PageModels } from "./page-models.ts";
import { principalRole } from "./principal-actor.ts";
import { writeAbility } from "./write-ability.ts";

export function compareRoutes(deps: AppDeps, models: PageModels): Hono {
  const app = new Hono();
  app.get("/compare", async (c) => {
    const q = CompareQuery.safeParse({ path: c.req.queries("path") ?? [] });
    if (!q.success) return validationError(c, q.error);
    const items: ItemDetails[] = [];
    const seen = new Set<string>();
    for (const raw of q.data.path) {
      const path = tryCanonicalPath(raw);
      if (path === null)
        return jsonError(c, 400, "invalid_path", `not an item path: ${raw}`, { field: "path" });
      if (seen.has(path)) continue;
      seen.add(path);
      // Dimensions first: each frame is laid out (fit, 1:1) before its original arrives.
      const item = await models.detailsWithDims(path);
      if (!item) return jsonError(c, 404, "not_found", `no image ${path}`, { field: "path" });
      items.push(item);
    }
    if (items.length < 2)
      return jsonError(c, 400, "validation_error", "path: 2 to 4 different images", {
        field: "path",
      });
    const ability = writeAbility(deps.config, c.req.raw, c.env, "page", principalRole(c));
    const readOnly = ability.kind === "refused" ? ability.refusal : null;
    return c.html(`${<Compare items={items} readOnly={readOnly} />}`, 200, {
      "Cache-Control": "no-store",
    });
  });
  return app;
}
