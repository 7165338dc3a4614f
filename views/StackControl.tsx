/** @jsxImportSource hono/jsx */
import type { BrowseQuery } from "../src/gallery/browse-query.ts";

/** Stacks in the grid (M6): off, bursts or near-duplicates as one card each (`stack=`; G cycles). */
export function StackControl({ q }: { q: BrowseQuery }) {
  return (
    <label class="control stack-control">
      <span>Stacks</span>
      <select name="stack" aria-label="Stack bursts or duplicates (G)" title="Stacks (G)">
        <option value="" selected={!q.stack}>
          off
        </option>
        <option value="bursts" selected={q.stack === "bursts"}>
          Bursts
        </option>
        <option value="duplicates" selected={q.stack === "duplicates"}>
          Duplicates
        </option>
      </select>
    </label>
  );
}
