/** @jsxImportSource hono/jsx */
/**
 * The tree's "Views" section (D20): every saved view as a deep link that swaps #browse like a folder does,
 * and a small form to name the current one (public/saved-views.js sends it; hidden when you cannot write).
 */
import type { SavedView } from "../src/workspace/saved-views.ts";

/** The list (GET /views), swapped into #saved-views-list. */
export function SavedViewsList({ views }: { views: readonly SavedView[] }) {
  if (views.length === 0) return <p class="muted saved-views-empty">No saved views yet</p>;
  return (
    <ul class="saved-views-list">
      {views.map((v) => {
        const href = v.query ? `/?${v.query}` : "/";
        return (
          <li>
            <a
              class="saved-view"
              href={href}
              hx-get={href}
              hx-target="#browse"
              hx-swap="outerHTML"
              hx-push-url="true"
              data-view-name={v.name}
              title={v.created_by ? `Saved by ${v.created_by}` : undefined}
            >
              {v.name}
            </a>
          </li>
        );
      })}
    </ul>
  );
}

/** The section under the folder tree; its list is fetched on load and whenever someone saves a view. */
export function SavedViewsSection() {
  return (
    <details id="saved-views" class="saved-views" open>
      <summary>Views</summary>
      <div
        id="saved-views-list"
        hx-get="/views"
        hx-trigger="load, lenslet:views-changed from:document"
        hx-swap="innerHTML"
      />
      <form class="save-view" data-action="save-view" hidden>
        <input
          name="name"
          maxlength={80}
          required
          placeholder="Name this view"
          aria-label="Name for the current filter and sort"
          autocomplete="off"
        />
        <button type="submit">Save</button>
        <output class="save-view-status muted" aria-live="polite" />
      </form>
    </details>
  );
}
