/** @jsxImportSource hono/jsx */
import { plural } from "./format.ts";
import type { BrowseModel } from "./model.ts";

/**
 * No match in this folder, some below it: one click to the recursive view of
 * the same search. It submits the toolbar form (with or without JS) with
 * `recursive=1`, so it joins the form's own request queue: a search still being
 * typed, or the "change" that leaving the search box fires, cannot overtake it.
 */
export function DeeperMatches({ deeper }: { deeper: BrowseModel["deeper"] }) {
  if (!deeper) return null;
  return (
    <p class="deeper">
      {plural(deeper.count, "match", "matches")} in subfolders —{" "}
      <button
        type="submit"
        form="browse-form"
        name="recursive"
        value="1"
        class="link-button deeper-link"
        data-href={deeper.href}
      >
        show them
      </button>
    </p>
  );
}
