/** @jsxImportSource hono/jsx */
/**
 * The HTML side: one URL per state (`/?folder=&q=&sort=&stars=&tag=&sel=&view=`),
 * answered as the full page, or as the #browse fragment when htmx asks
 * (HX-Request), plus the fragments the page fetches while you work.
 */
import { type Context, Hono } from "hono";
import pkg from "../../package.json" with { type: "json" };
import { Browse, pageTitle } from "../../views/Browse.tsx";
import { BulkInspector } from "../../views/BulkInspector.tsx";
import { ConflictBox } from "../../views/Conflict.tsx";
import { ExportLinks } from "../../views/ExportMenu.tsx";
import { TreeChildren } from "../../views/FolderTree.tsx";
import { GridPage } from "../../views/Grid.tsx";
import { EmptyInspector, Inspector } from "../../views/Inspector.tsx";
import type { PageAccess } from "../../views/model.ts";
import { Page } from "../../views/Page.tsx";
import { Viewer } from "../../views/Viewer.tsx";
import { GrantableRole, mayGrant } from "../access/roles.ts";
import type { Principal } from "../access/store.ts";
import { canonicalPath, tryCanonicalPath } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import { BrowseQuery, browseHref, PageQuery } from "../gallery/browse-query.ts";
import { jsonError, validationError } from "./errors.ts";
import { facetsHandler } from "./facets.ts";
import { facetsPanelHandler } from "./facets-panel.tsx";
import { startHashing } from "./group-query.ts";
import { jsonBody } from "./json-body.ts";
import {
  ConflictBody,
  InspectorQuery,
  ManyBody,
  type SelectResponse,
  TreeQuery,
} from "./openapi/pages.ts";
import { FIRST_PAGE, PageModels } from "./page-models.ts";
import { principalOf, principalRole } from "./principal-actor.ts";
import { queryObject } from "./query-params.ts";
import { writeAbility } from "./write-ability.ts";

const DOCTYPE = "<!DOCTYPE html>";

/** Per folder (and depth): the listing and EXIF revisions after which nothing was left to read. */
const captureTimesFilled = new WeakMap<AppDeps, Map<string, string>>();

async function fillCaptureTimes(deps: AppDeps, folder = "/", recursive = ""): Promise<void> {
  let f: string;
  try {
    f = canonicalPath(folder);
  } catch {
    return; // the route answers the bad folder
  }
  const deep = ["1", "true", "on"].includes(recursive);
  // Listing 100,000 entries to find none missing costs ~30 ms: each grid page of a sorted or
  // stacked view would pay it. Once a fill found nothing new, the same revisions skip it.
  let filled = captureTimesFilled.get(deps);
  if (!filled) {
    filled = new Map();
    captureTimesFilled.set(deps, filled);
  }
  const key = `${deep ? 1 : 0}${f}`;
  const at = () => `${deps.gallery.revision}:${deps.gallery.statsRevision}:${deps.exif.revision}`;
  if (filled.get(key) === at()) return;
  await deps.exif.fill(deps.gallery.list(f, deep).map((img) => deps.gallery.stat(img)));
  filled.set(key, at());
  if (filled.size > 64) filled.delete(filled.keys().next().value!);
}

/** Who the page is for (access control on): its name, role, and the roles it may hand out. */
function pageAccess(p: Principal | undefined): PageAccess | null {
  if (!p) return null;
  return {
    name: p.name,
    role: p.role,
    personId: p.personId,
    grantable: GrantableRole.options.filter((r) => mayGrant(p.role, r)),
  };
}

function parseBrowse(c: Context) {
  return BrowseQuery.safeParse(queryObject(c));
}

function canon(c: Context, raw: string): string | Response {
  try {
    return canonicalPath(raw);
  } catch (err) {
    return jsonError(c, 400, "invalid_path", (err as Error).message, { field: "path" });
  }
}

export function pageRoutes(deps: AppDeps, models = new PageModels(deps)): Hono {
  const app = new Hono();
  // Date and size sorts, filters and facets need every file's stat: wait for the background pass
  // (≈0.5 s per 100k files).
  app.use(async (c, next) => {
    const sort = c.req.query("sort");
    if (
      sort === "date" ||
      sort === "size" ||
      sort === "taken" ||
      c.req.path === "/facets" ||
      /[?&]m\.(%40|@)(size|date)=/.test(c.req.url)
    )
      await deps.gallery.statsReady;
    // Capture times come from EXIF, read lazily: the listed images' are read (once) before sorting
    // or stacking bursts (M6); stacking duplicates starts the hashing job (its stacks grow as it runs).
    const stack = c.req.query("stack");
    if (sort === "taken" || stack === "bursts")
      await fillCaptureTimes(deps, c.req.query("folder"), c.req.query("recursive"));
    if (stack === "duplicates") startHashing(deps);
    await next();
  });
  const html = (c: Context, body: unknown, status: 200 | 404 = 200) =>
    c.html(`${body}`, status, { "Cache-Control": "no-store", Vary: "HX-Request" });

  app.get("/", async (c) => {
    const parsed = parseBrowse(c);
    if (!parsed.success) return validationError(c, parsed.error);
    // A link to what is no longer there is never a dead end: the nearest view that is, saying so.
    const { q, notices } = models.resolveMissing(parsed.data);
    const status = notices.length ? 404 : 200;
    const page = PageQuery.safeParse(queryObject(c));
    const offset = page.success ? page.data.offset : 0;
    // The selected item's inspector shows its dimensions, as GET /inspector does (read once, then cached).
    if (q.sel) await models.detailsWithDims(q.sel);
    const browse = models.browse(q, offset, FIRST_PAGE, notices);
    const shown = browseHref(q);
    if (c.req.header("HX-Request") === "true") {
      // The address bar shows the view given, not the one asked for.
      if (notices.length) c.header("HX-Replace-Url", shown);
      return html(
        c,
        <>
          <Browse m={browse} />
          <ExportLinks q={q} oob />
        </>,
        status,
      );
    }
    const tree = models.tree(q);
    const viewer = q.view && q.sel ? models.viewer(q, q.sel) : null;
    // The same per-request decision /health gives: will this page's writes be accepted?
    const ability = writeAbility(deps.config, c.req.raw, c.env, "page", principalRole(c));
    const body = (
      <Page
        m={{
          browse,
          tree: tree.children,
          title: pageTitle(browse),
          canWrite: deps.config.canWrite,
          writeRefusal: ability.kind === "refused" ? ability.refusal : null,
          notice: deps.config.workspaceNotice,
          durability: deps.config.canWrite ? deps.config.durability : "memory",
          version: pkg.version,
          lastEventId: deps.bus.lastId,
          access: pageAccess(principalOf(c)),
        }}
        root={tree.root}
        viewer={viewer}
      />
    );
    return c.html(DOCTYPE + body, status, { "Cache-Control": "no-store", Vary: "HX-Request" });
  });

  // A page of cards for the virtual grid.
  app.get("/grid/page", (c) => {
    const parsed = parseBrowse(c);
    if (!parsed.success) return validationError(c, parsed.error);
    const page = PageQuery.safeParse(queryObject(c));
    if (!page.success) return validationError(c, page.error);
    const { cards, total } = models.cards(parsed.data, page.data.offset, page.data.limit);
    return c.html(
      `${<GridPage cards={cards} offset={page.data.offset} selected={parsed.data.sel} />}`,
      200,
      {
        "Cache-Control": "no-store",
        "X-Total": String(total),
      },
    );
  });

  app.get("/tree", (c) => {
    const parsed = TreeQuery.safeParse(queryObject(c));
    if (!parsed.success) return validationError(c, parsed.error);
    const folder = canon(c, parsed.data.folder);
    if (typeof folder !== "string") return folder;
    const current = canon(c, parsed.data.current);
    if (typeof current !== "string") return current;
    const q = BrowseQuery.parse({ folder: current });
    const m = models.treeChildren(folder, parsed.data.offset, current, q);
    if (!m) return jsonError(c, 404, "not_found", `no folder ${folder}`, { field: "folder" });
    return html(c, <TreeChildren m={m} />);
  });

  app.get("/inspector", async (c) => {
    const parsed = InspectorQuery.safeParse(queryObject(c));
    if (!parsed.success) return validationError(c, parsed.error);
    if (parsed.data.path === undefined) return html(c, <EmptyInspector />);
    const path = canon(c, parsed.data.path);
    if (typeof path !== "string") return path;
    const item = await models.detailsWithDims(path);
    if (!item) return jsonError(c, 404, "not_found", `no image ${path}`, { field: "path" });
    const ability = writeAbility(deps.config, c.req.raw, c.env, "page", principalRole(c));
    const readOnly = ability.kind === "refused" ? ability.refusal : null;
    return html(c, <Inspector item={item} readOnly={readOnly} />);
  });

  // The inspector of a multi-selection, from the labels as they are now.
  app.post("/inspector/many", async (c) => {
    const body = await jsonBody(c, ManyBody);
    if (body instanceof Response) return body;
    const paths = body.paths.map((p) => tryCanonicalPath(p)).filter((p) => p !== null);
    const ability = writeAbility(deps.config, c.req.raw, c.env, "page", principalRole(c));
    const readOnly = ability.kind === "refused" ? ability.refusal : null;
    return html(c, <BulkInspector m={models.bulk(paths)} readOnly={readOnly} />);
  });

  // The conflict box of one field, against the item as it is now (its version is what a choice goes on).
  app.post("/conflict", async (c) => {
    const body = await jsonBody(c, ConflictBody);
    if (body instanceof Response) return body;
    const path = canon(c, body.path);
    if (typeof path !== "string") return path;
    if (!deps.gallery.get(path))
      return jsonError(c, 404, "not_found", `no image ${path}`, { field: "path" });
    const s = deps.labels.get(path);
    return html(
      c,
      <ConflictBox
        c={{
          path,
          field: body.field,
          mine: body.mine,
          theirs: {
            star: s.star,
            tags: s.tags,
            notes: s.notes,
            flag: s.flag,
            color: s.color,
            version: s.version,
          },
          by: s.updated_by,
          at: s.updated_at,
        }}
      />,
    );
  });

  app.get("/viewer", async (c) => {
    const parsed = parseBrowse(c);
    if (!parsed.success) return validationError(c, parsed.error);
    if (!parsed.data.sel)
      return jsonError(c, 400, "validation_error", "sel is required", { field: "sel" });
    // The viewer sizes its placeholder from the dimensions before the original arrives.
    await models.ensureDims(parsed.data.sel);
    const v = models.viewer(parsed.data, parsed.data.sel);
    if (!v) return jsonError(c, 404, "not_found", `no image ${parsed.data.sel}`, { field: "sel" });
    const ability = writeAbility(deps.config, c.req.raw, c.env, "page");
    return html(c, <Viewer v={v} readOnly={ability.kind === "refused" ? ability.refusal : null} />);
  });

  app.get("/facets", facetsHandler(models.queries));
  app.get("/facets/panel", facetsPanelHandler(models.queries));

  // Paths and versions of a whole result, for "select all" and bulk edits.
  app.get("/select", (c) => {
    const parsed = parseBrowse(c);
    if (!parsed.success) return validationError(c, parsed.error);
    const view = models.queries.view(parsed.data);
    const items: [string, number][] = new Array(view.total);
    for (let i = 0; i < view.total; i++) {
      const path = view.pathAt(i);
      items[i] = [path, deps.labels.get(path).version];
    }
    return c.json({ total: view.total, items } satisfies SelectResponse);
  });

  return app;
}
