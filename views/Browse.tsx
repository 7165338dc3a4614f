/** @jsxImportSource hono/jsx */
import { browseHref } from "../src/gallery/browse-query.ts";
import { formatCount, plural } from "./format.ts";
import { Grid } from "./Grid.tsx";
import type { BrowseModel } from "./model.ts";
import { Notices } from "./Notices.tsx";
import { Toolbar } from "./Toolbar.tsx";

export function StatusBar({ m }: { m: BrowseModel }) {
  const filtered = m.images !== m.unfiltered;
  return (
    <footer id="status" class="status" aria-live="polite">
      <span class="count" data-total={String(m.images)}>
        {plural(m.images, "image")}
        {filtered && <span class="muted"> of {formatCount(m.unfiltered)}</span>}
      </span>
      {m.stacks && (
        <span
          class="stack-count muted"
          data-stacks={String(m.stacks.stacks)}
          data-in-stacks={String(m.stacks.inStacks)}
        >
          {`${plural(m.stacks.inStacks, "image")} in ${plural(m.stacks.stacks, "stack")}`}
        </span>
      )}
      {m.subfolderCount > 0 && <span class="muted">{plural(m.subfolderCount, "subfolder")}</span>}
      <span
        class="selection-count"
        x-data
        x-show="$store.sel.count > 0"
        x-text="`${$store.sel.count.toLocaleString()} selected`"
      />
      <span class="offview" x-data x-show="$store.live.offviewCount > 0" x-cloak>
        <span x-text="$store.live.offviewText" />
        <button type="button" class="link-button" data-action="offview-reveal">
          Reveal
        </button>
        <button
          type="button"
          class="link-button"
          data-action="offview-dismiss"
          aria-label="Dismiss"
        >
          ×
        </button>
      </span>
      <span class="activity muted" x-data x-text="$store.live.activity" />
      <span class="spacer" />
      <span id="hash-status" class="hash-status muted" role="status" hidden />
      <span
        id="save-status"
        class="save-status"
        x-data
        x-text="$store.sync.saveLabel"
        x-bind:class="$store.sync.saveState"
      />
      <span
        id="conn-status"
        class="conn-status"
        x-data
        x-text="$store.sync.connLabel"
        x-bind:class="$store.sync.connState"
      />
      <button
        type="button"
        class="link"
        data-action="shortcuts"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
      >
        ?
      </button>
    </footer>
  );
}

/** The document title of a view: the selected image's name, else the folder's. Page and fragment both. */
export function pageTitle(m: BrowseModel): string {
  return `${m.q.sel && m.selected ? m.selected.name : m.folderName} · Lenslet`;
}

/**
 * Everything that changes with the folder, filters or sort: one region,
 * swapped as a whole by htmx, so counts and controls never flash "0" or move
 * while the grid loads (they arrive in the same response).
 */
export function Browse({ m }: { m: BrowseModel }) {
  return (
    <main
      id="browse"
      class="browse"
      data-folder={m.q.folder}
      data-recursive={m.q.recursive ? "1" : "0"}
      data-query={m.queryString}
      data-q={m.q.q}
      data-title={pageTitle(m)}
    >
      <h1 class="sr-only">{m.folderName}</h1>
      <Toolbar m={m} />
      <Notices notices={m.notices} replaceUrl={browseHref(m.q)} />
      <Grid m={m} />
      <StatusBar m={m} />
    </main>
  );
}
