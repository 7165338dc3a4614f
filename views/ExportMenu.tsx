/** @jsxImportSource hono/jsx */
import { type BrowseQuery, browseParams, CARD_SIZES } from "../src/gallery/browse-query.ts";

/** GET /export of exactly this view: its folder, subtree, filters, search and sort (not the selection or card size). */
export function exportHref(q: BrowseQuery, format: "csv" | "json" | "parquet"): string {
  const p = browseParams(q, { sel: undefined, view: false, size: CARD_SIZES.default });
  p.set("format", format);
  return `/export?${p.toString()}`;
}

/**
 * The export menu's contents. They follow the view: every #browse answer
 * carries them again out of band (`oob`), so the links always export what is
 * shown, without the page rewriting them.
 */
export function ExportLinks({ q, oob = false }: { q: BrowseQuery; oob?: boolean }) {
  const what = q.recursive ? "this folder and everything below it" : "this folder";
  return (
    <div id="export-links" class="menu-body" hx-swap-oob={oob ? "innerHTML" : undefined}>
      <a data-action="export" data-format="csv" href={exportHref(q, "csv")} download>
        This view as CSV
      </a>
      <a data-action="export" data-format="json" href={exportHref(q, "json")} download>
        This view as JSON
      </a>
      <a data-action="export" data-format="parquet" href={exportHref(q, "parquet")} download>
        This view as Parquet
      </a>
      <p class="menu-note muted">
        The images of {what} that match the filters and search shown, in their order.
      </p>
      <button type="button" data-action="export-selection" data-format="csv">
        Selection as CSV
      </button>
      <button type="button" data-action="export-selection" data-format="json">
        Selection as JSON
      </button>
      <p id="export-status" class="menu-note" role="status" aria-live="polite" />
    </div>
  );
}

export function ExportMenu({ q }: { q: BrowseQuery }) {
  return (
    <details class="menu" id="export-menu">
      <summary>Export</summary>
      <ExportLinks q={q} />
    </details>
  );
}
