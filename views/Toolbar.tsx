/** @jsxImportSource hono/jsx */
import { browseHref, METRIC_SORT_PREFIX, SORT_KEYS } from "../src/gallery/browse-query.ts";
import { FiltersMenu } from "./FiltersMenu.tsx";
import { GroupButtons } from "./Groups.tsx";
import { FieldFilterInputs } from "./MetricsPanel.tsx";
import type { BrowseModel } from "./model.ts";
import { Reshuffle } from "./Reshuffle.tsx";
import { StackControl } from "./StackControl.tsx";

const SORT_LABELS: Record<(typeof SORT_KEYS)[number], string> = {
  name: "Name",
  date: "Date",
  size: "Size",
  stars: "Stars",
  random: "Random",
  flag: "Flag",
  taken: "Capture time",
};

/** Breadcrumbs, search, sort and filters. A plain GET form: works without JS, htmx swaps #browse with it. */
export function Toolbar({ m }: { m: BrowseModel }) {
  const q = m.q;
  return (
    <form
      id="browse-form"
      class="toolbar"
      action="/"
      method="get"
      hx-get="/"
      hx-target="#browse"
      hx-swap="outerHTML"
      hx-push-url="true"
      // Every control but the search box swaps on change; the box searches as you type (its own trigger),
      // and its change on blur must not search the same text again (a second swap racing the next click).
      hx-trigger="submit, change target:':not(#search)'"
      hx-sync="this:replace"
    >
      <nav class="crumbs" aria-label="Folder">
        {m.crumbs.map((c, i) => (
          <>
            {i > 0 && <span class="sep">/</span>}
            <a
              href={browseHref(q, { folder: c.path, sel: undefined })}
              hx-get={browseHref(q, { folder: c.path, sel: undefined })}
              hx-target="#browse"
              hx-swap="outerHTML"
              hx-push-url="true"
              class={i === m.crumbs.length - 1 ? "crumb current" : "crumb"}
              data-folder={c.path}
            >
              {c.name}
            </a>
          </>
        ))}
      </nav>
      <input type="hidden" name="folder" value={q.folder} />
      <FieldFilterInputs q={q} />
      {q.sort === "random" && <input type="hidden" name="seed" value={String(q.seed)} />}
      {/* One line at every width: the filters and rare options are in a popover (views/FiltersMenu.tsx); a
          phone scrolls the row sideways rather than wrapping. */}
      <div class="toolbar-row">
        <input
          id="search"
          hx-preserve="true"
          hx-get="/"
          hx-trigger="input delay:300ms"
          hx-include="closest form"
          hx-target="#browse"
          hx-swap="outerHTML"
          hx-push-url="true"
          hx-sync="#browse-form:replace"
          type="search"
          name="q"
          value={q.q}
          placeholder="Search name, tags, notes  ( / )"
          aria-label="Search"
          autocomplete="off"
        />
        <label class="control">
          <span>Sort</span>
          <select name="sort" aria-label="Sort by">
            {SORT_KEYS.map((k) => (
              <option value={k} selected={q.sort === k}>
                {SORT_LABELS[k]}
              </option>
            ))}
            {/* The metric sorted by stays an option even when no image has it any more. */}
            {[...new Set([...m.metricNames, ...(q.sort === "metric" ? [q.metric] : [])])].map(
              (name) => (
                <option
                  value={`${METRIC_SORT_PREFIX}${name}`}
                  selected={q.sort === "metric" && q.metric === name}
                >
                  {`Metric: ${name}`}
                </option>
              ),
            )}
          </select>
          <select name="dir" aria-label="Sort direction">
            <option value="asc" selected={q.dir === "asc"}>
              ↑
            </option>
            <option value="desc" selected={q.dir === "desc"}>
              ↓
            </option>
          </select>
        </label>
        <Reshuffle href={m.reshuffleHref} />
        <FiltersMenu m={m} />
        <GroupButtons />
        <StackControl q={q} />
        <noscript>
          <button type="submit">Apply</button>
        </noscript>
      </div>
    </form>
  );
}
