/**
 * THE route table: every route Lenslet serves and the least role it needs
 * when access control is on. src/routes/access-guard.ts checks requests
 * against it; test/access/routes-table.test.ts fails when the app serves a
 * route this table does not list; docs/spec.md shows it (renderRouteTable).
 * A request for a route not listed is treated as owner-only.
 */
import { Role as R, type Role } from "./roles.ts";

/** `public`: no credential needed (the assets of the sign-in page, the invite form). */
export type Least = Role | "public";

/** How a refusal is answered: pages get HTML that says how to get access, the rest JSON. */
export type RouteKind = "page" | "fragment" | "json" | "stream" | "media" | "asset";

export interface RouteRule {
  id: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Hono-style path; `:name` matches one segment. */
  path: string;
  least: Least;
  kind: RouteKind;
  what: string;
}

const rows: [Omit<RouteRule, "id">["method"], string, Least, RouteKind, string][] = [
  [
    "GET",
    "/",
    R.viewer,
    "page",
    "the gallery page (with `?token=`: owner link; `?invite=`: name form, public)",
  ],
  ["GET", "/grid/page", R.viewer, "fragment", "a page of grid cards"],
  ["GET", "/tree", R.viewer, "fragment", "folder tree children"],
  ["GET", "/inspector", R.viewer, "fragment", "the inspector"],
  ["GET", "/viewer", R.viewer, "fragment", "the full-screen viewer"],
  ["GET", "/select", R.viewer, "fragment", "selection summary"],
  ["GET", "/thumb", R.viewer, "media", "thumbnail"],
  ["GET", "/file", R.viewer, "media", "original file"],
  ["GET", "/dims", R.viewer, "media", "image dimensions"],
  ["GET", "/item", R.viewer, "json", "an item's labels"],
  ["PATCH", "/item", R.rater, "json", "change an item's labels"],
  ["PUT", "/item", R.rater, "json", "replace an item's labels"],
  ["POST", "/items/patch", R.rater, "json", "change up to 1,000 items"],
  ["GET", "/export", R.viewer, "json", "export a folder"],
  ["POST", "/export", R.viewer, "json", "export a selection"],
  ["GET", "/openapi.json", R.viewer, "json", "the API contract"],
  [
    "GET",
    "/events",
    R.viewer,
    "stream",
    "the live event stream (closes when the credential is revoked)",
  ],
  ["POST", "/presence/join", R.viewer, "json", "presence: join"],
  ["POST", "/presence/move", R.viewer, "json", "presence: move"],
  ["POST", "/presence/leave", R.viewer, "json", "presence: leave"],
  ["POST", "/presence", R.viewer, "json", "presence: heartbeat"],
  ["GET", "/presence", R.viewer, "json", "presence counts"],
  ["GET", "/presence/diagnostics", R.admin, "json", "presence internals"],
  ["GET", "/health", R.viewer, "json", "health"],
  ["GET", "/static/:name", "public", "asset", "our CSS and JS"],
  ["GET", "/vendor/:name", "public", "asset", "htmx, its SSE extension, Alpine"],
  ["POST", "/access/join", "public", "page", "invite link + chosen name → session cookie"],
  ["GET", "/access/me", R.viewer, "json", "who am I: name, role, person id"],
  ["PATCH", "/access/me", R.viewer, "json", "change my display name"],
  ["POST", "/access/logout", R.viewer, "json", "end my session"],
  ["GET", "/access/invites", R.admin, "json", "list invites"],
  ["POST", "/access/invites", R.admin, "json", "create an invite link"],
  [
    "DELETE",
    "/access/invites/:id",
    R.admin,
    "json",
    "revoke an invite (`?end_sessions=1`: and its sessions)",
  ],
  ["GET", "/access/sessions", R.admin, "json", "list sessions (who is in)"],
  ["DELETE", "/access/sessions/:id", R.admin, "json", "end a session"],
  ["GET", "/access/tokens", R.admin, "json", "list API tokens"],
  ["POST", "/access/tokens", R.admin, "json", "create an API token"],
  ["DELETE", "/access/tokens/:id", R.admin, "json", "revoke an API token"],
  [
    "GET",
    "/health/live",
    "public",
    "json",
    "liveness for an uptime probe: `{ok: true}`, nothing else",
  ],
  [
    "GET",
    "/presence/people",
    R.viewer,
    "fragment",
    "who is here: each person's name, role and folder",
  ],
  [
    "GET",
    "/access/share",
    R.admin,
    "fragment",
    "the Share dialog's lists: open invites, sessions, API tokens",
  ],
  // Culling (issue 12), appended so the numbers above stay what they were.
  ["GET", "/export/xmp", R.viewer, "json", "XMP sidecars of a folder as a zip"],
  ["POST", "/export/xmp", R.viewer, "json", "XMP sidecars of a selection as a zip"],
  ["GET", "/exif", R.viewer, "json", "an image's EXIF facts"],
  ["GET", "/groups", R.viewer, "json", "bursts and near-duplicates"],
  ["GET", "/activity", R.viewer, "fragment", "recent edits by others (the activity panel)"],
  // Appended, so the rule IDs above stay what they were.
  ["GET", "/facets", R.viewer, "json", "histograms and value counts of a view (D15)"],
  ["GET", "/display", R.viewer, "media", "display image of a format a browser cannot show"],
  ["POST", "/conflict", R.rater, "fragment", "a conflict box: yours and theirs"],
  ["POST", "/inspector/many", R.viewer, "fragment", "the inspector of a multi-selection"],
  [
    "GET",
    "/facets/panel",
    R.viewer,
    "fragment",
    "the Metrics panel: histograms and value counts (D18)",
  ],
  ["GET", "/views", R.viewer, "fragment", "the saved views (D20)"],
  ["POST", "/views", R.rater, "json", "save the current filter and sort as a view (D20)"],
  // Compare (issue 12, M4), appended so the rule IDs above stay what they were.
  ["GET", "/compare", R.viewer, "fragment", "2–4 images side by side (compare)"],
  ["GET", "/groups/view", R.viewer, "fragment", "the Bursts / Duplicates region"],
];

export const ROUTE_TABLE: readonly RouteRule[] = rows.map(
  ([method, path, least, kind, what], i) => ({
    id: `A10.${i + 1}`,
    method,
    path,
    least,
    kind,
    what,
  }),
);

function matches(pattern: string, path: string): boolean {
  if (!pattern.includes(":")) return pattern === path;
  const p = pattern.split("/");
  const s = path.split("/");
  if (p.length !== s.length) return false;
  return p.every((seg, i) => (seg.startsWith(":") ? s[i] !== "" : seg === s[i]));
}

interface Index {
  exact: Map<string, RouteRule>;
  patterns: RouteRule[];
}
const indexes = new WeakMap<readonly RouteRule[], Index>();

/** Exact paths by `METHOD path` (every request pays this lookup), patterns scanned after. */
function indexOf(table: readonly RouteRule[]): Index {
  let ix = indexes.get(table);
  if (!ix) {
    ix = { exact: new Map(), patterns: [] };
    for (const r of table) {
      if (r.path.includes(":")) ix.patterns.push(r);
      else if (!ix.exact.has(`${r.method} ${r.path}`)) ix.exact.set(`${r.method} ${r.path}`, r);
    }
    indexes.set(table, ix);
  }
  return ix;
}

/** The rule of a request (HEAD is GET), or null when the route is not listed. */
export function findRoute(
  table: readonly RouteRule[],
  method: string,
  path: string,
): RouteRule | null {
  const m = method === "HEAD" ? "GET" : method;
  const ix = indexOf(table);
  const exact = ix.exact.get(`${m} ${path}`);
  if (exact) return exact;
  for (const r of ix.patterns) if (r.method === m && matches(r.path, path)) return r;
  return null;
}

/** The table as Markdown, for docs/spec.md (a test keeps the two equal). */
export function renderRouteTable(table: readonly RouteRule[] = ROUTE_TABLE): string {
  const lines = [
    "| rule | method | route | least role | refusal as | what |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of table) {
    const as = r.kind === "page" ? "HTML page" : "JSON";
    lines.push(`| ${r.id} | ${r.method} | \`${r.path}\` | ${r.least} | ${as} | ${r.what} |`);
  }
  return lines.join("\n");
}
