/** @jsxImportSource hono/jsx */
import type { BrowseQuery } from "../src/gallery/browse-query.ts";

/** Stacks in the grid (M6): off, bursts or near-duplicates as one card each (`stack=`; G cycles). */
export function StackControl({ q }: { q: BrowseQuery }) {
  return (
    // The options name themselves ("No stacks"), so the select reads right where its label is hidden.
    <label class="control stack-control">
      <select name="stack" aria-label="Stack bursts or duplicates (G)" title="Stacks (G)">
        <option value="" selected={!q.stack}>
          No stacks
        </option>
        <option value="bursts" selected={q.stack === "bursts"}>
          Stack bursts
        </option>
        <option value="duplicates" selected={q.stack === "duplicates"}>
          Stack duplicates
        </option>
      </select>
    </label>
  );
}
