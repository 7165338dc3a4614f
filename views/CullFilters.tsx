/** @jsxImportSource hono/jsx */
/**
 * Flag and colour filters beside the star filter (spec G14): checkboxes of the
 * toolbar's GET form, so they work without JS and htmx swaps #browse with them.
 * "Picks only" is Pick alone; "hide rejects" is Pick + Unflagged.
 */

import type { BrowseQuery } from "../src/gallery/browse-query.ts";
import { COLOR_FILTERS, FLAG_FILTERS } from "../src/gallery/cull-filters.ts";

const FLAG_LABELS: Record<(typeof FLAG_FILTERS)[number], [string, string]> = {
  pick: ["⚑", "Picks"],
  reject: ["✕", "Rejects"],
  none: ["○", "Unflagged"],
};

export function CullFilters({ q }: { q: BrowseQuery }) {
  return (
    <>
      <fieldset class="control cull-filter" aria-label="Filter by flag">
        {FLAG_FILTERS.map((f) => (
          <label title={FLAG_LABELS[f][1]} data-flag={f}>
            <input type="checkbox" name="flag" value={f} checked={q.flag.includes(f)} />
            <span>{FLAG_LABELS[f][0]}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="control cull-filter colors" aria-label="Filter by colour label">
        {COLOR_FILTERS.map((c) => (
          <label
            title={c === "none" ? "No colour" : c[0]!.toUpperCase() + c.slice(1)}
            data-color={c}
          >
            <input type="checkbox" name="color" value={c} checked={q.color.includes(c)} />
            <span class="swatch" />
          </label>
        ))}
      </fieldset>
    </>
  );
}

/** The auto-advance switch (Lightroom's Caps Lock): outside the browse form, kept in localStorage. */
export function AutoAdvanceSwitch() {
  return (
    <label
      class="auto-advance"
      title="Move to the next image after a flag, star or colour (or hold Caps Lock)"
    >
      <input type="checkbox" id="auto-advance" />
      <span>Auto-advance</span>
    </label>
  );
}
