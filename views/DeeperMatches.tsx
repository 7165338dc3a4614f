/** @jsxImportSource hono/jsx */
import { plural } from "./format.ts";
import type { BrowseModel } from "./model.ts";

/** No match in this folder, some below it: one click to the recursive view of the same search. */
export function DeeperMatches({ deeper }: { deeper: BrowseModel["deeper"] }) {
  if (!deeper) return null;
  return (
    <p class="deeper">
      {plural(deeper.count, "match", "matches")} in subfolders —{" "}
      <a
        class="deeper-link"
        href={deeper.href}
        hx-get={deeper.href}
        hx-target="#browse"
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        show them
      </a>
    </p>
  );
}
