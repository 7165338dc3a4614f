/** @jsxImportSource hono/jsx */
import { baseName, parentOf } from "../src/core/paths.ts";
import { type BrowseQuery, browseHref } from "../src/gallery/browse-query.ts";
import type { ActivityChange, ActivityEntry } from "../src/live/activity.ts";
import { relativeTime, starText } from "./format.ts";

function words(c: ActivityChange): string {
  switch (c.field) {
    case "star":
      return c.star ? `rated ${starText(c.star)}` : "cleared the rating";
    case "tags":
      return c.tags.length ? `tagged ${c.tags.join(", ")}` : "removed the tags";
    case "notes":
      return c.cleared ? "cleared the note" : "edited the note";
    case "metrics":
      return `set ${c.names.length ? c.names.slice(0, 3).join(", ") : "metrics"}`;
  }
}

/** The recent edits of others, newest first, each a link to the image in its folder (GET /activity). */
export function ActivityList({
  entries,
  base,
  now = Date.now(),
}: {
  entries: ActivityEntry[];
  /** The browse state the links keep (card size); folder and selection are the entry's. */
  base: BrowseQuery;
  now?: number;
}) {
  if (entries.length === 0)
    return (
      <p class="activity-empty muted">No edits by others yet. They show here as they happen.</p>
    );
  return (
    <ol class="activity-list">
      {entries.map((e) => {
        const name = baseName(e.path);
        const href = browseHref(
          { ...base, folder: parentOf(e.path), recursive: false, q: "", stars: [], tag: "" },
          { sel: e.path },
        );
        return (
          <li class="activity-entry" data-event-id={String(e.id)}>
            <a class="activity-link" href={href} data-path={e.path}>
              <span class="who">{e.who ?? "A script"}</span>{" "}
              {e.changes.map(words).join(", ") || "edited"}{" "}
              <span class="activity-name">{name}</span>
              {e.more > 0 && <span class="muted"> and {e.more.toLocaleString("en-US")} more</span>}
            </a>
            <span class="activity-meta muted">
              {parentOf(e.path)}
              {e.at && (
                <>
                  {" · "}
                  <time datetime={e.at}>{relativeTime(e.at, now)}</time>
                </>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * The activity panel in the top bar: its list is fetched when opened and again
 * on each edit event the page hears (public/live.js re-dispatches them on
 * document as `lenslet:<event name>`), and every 30 s for the times.
 */
export function ActivityMenu() {
  const refresh = "[this.open] from:document delay:200ms";
  return (
    <details
      class="menu activity-menu"
      id="activity-menu"
      hx-get="/activity"
      hx-target="#activity-list"
      hx-swap="innerHTML"
      hx-trigger={`toggle[this.open], lenslet:item-updated${refresh}, lenslet:metrics-updated${refresh}, every 30s[this.open]`}
      hx-vals={`js:{client: sessionStorage.getItem("lenslet.client") ?? ""}`}
    >
      <summary>Activity</summary>
      <div class="menu-body activity-body">
        <h2 class="menu-title">Recent edits by others</h2>
        <div id="activity-list" aria-live="polite">
          <p class="muted">Loading…</p>
        </div>
      </div>
    </details>
  );
}
