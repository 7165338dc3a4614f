/** @jsxImportSource hono/jsx */
/**
 * The toolbar's "Filters" control (spec U36): one button that says how many filters are on ("Filters · 2",
 * what they are in its tooltip) and opens a popover with the star, flag, colour and tag filters and the
 * rarely changed view options (recursive, card size). The popover is the browser's (`popover="auto"`: Esc
 * and a click beside it close it, focus goes back to the button) and its controls stay in the GET form,
 * so it works without JS; public/focus-keys.js opens it again after a change swapped the toolbar.
 */
import { type BrowseQuery, browseHref, STAR_FILTERS } from "../src/gallery/browse-query.ts";
import { CullFilters, FLAG_LABELS } from "./CullFilters.tsx";
import { formatCount } from "./format.ts";
import type { BrowseModel } from "./model.ts";

const starName = (s: (typeof STAR_FILTERS)[number]) =>
  s === "unrated" ? "Unrated" : `${s} star${s === "1" ? "" : "s"}`;

/** One line per filter that narrows the view, in the popover's order ("Stars: 4★, 5★"). */
export function activeFilters(q: BrowseQuery): string[] {
  const on: string[] = [];
  if (q.stars.length)
    on.push(
      `Stars: ${STAR_FILTERS.filter((s) => q.stars.includes(s))
        .map((s) => (s === "unrated" ? "unrated" : `${s}★`))
        .join(", ")}`,
    );
  if (q.flag.length) on.push(`Flag: ${q.flag.map((f) => FLAG_LABELS[f][1]).join(", ")}`);
  if (q.color.length) on.push(`Colour: ${q.color.join(", ")}`);
  if (q.tag) on.push(`Tag: ${q.tag}`);
  return on;
}

export function FiltersMenu({ m }: { m: BrowseModel }) {
  const q = m.q;
  const on = activeFilters(q);
  const clear = browseHref(q, { stars: [], flag: [], color: [], tag: "", sel: undefined });
  return (
    <>
      <button
        type="button"
        id="filters-button"
        class={on.length ? "filters-button active" : "filters-button"}
        popovertarget="filters-panel"
        aria-controls="filters-panel"
        data-active={String(on.length)}
        title={on.length ? `Filters on: ${on.join(" · ")}` : "Filters and view options"}
      >
        {on.length ? `Filters · ${on.length}` : "Filters"}
      </button>
      <fieldset
        id="filters-panel"
        class="filters-panel"
        popover="auto"
        aria-label="Filters and view options"
      >
        <fieldset class="control stars-filter">
          <legend>Stars</legend>
          {STAR_FILTERS.map((s) => (
            <label title={starName(s)}>
              <input
                type="checkbox"
                name="stars"
                value={s}
                checked={q.stars.includes(s)}
                aria-label={starName(s)}
              />
              <span>{s === "unrated" ? "∅" : `${s}★`}</span>
            </label>
          ))}
        </fieldset>
        <CullFilters q={q} />
        <label class="control">
          <span>Tag</span>
          <select name="tag" aria-label="Filter by tag">
            <option value="">any</option>
            {m.tagOptions.map((t) => (
              <option value={t.tag} selected={q.tag === t.tag}>
                {t.tag} ({formatCount(t.count)})
              </option>
            ))}
            {q.tag && !m.tagOptions.some((t) => t.tag === q.tag) && (
              <option value={q.tag} selected>
                {q.tag}
              </option>
            )}
          </select>
        </label>
        <label class="control toggle">
          <input type="checkbox" name="recursive" value="1" checked={q.recursive} />
          <span>Recursive</span>
        </label>
        <label class="control size">
          <span>Size</span>
          <input
            type="range"
            name="size"
            min="100"
            max="400"
            step="20"
            value={String(q.size)}
            aria-label="Card size"
          />
        </label>
        {on.length > 0 && (
          <a
            class="filters-clear"
            href={clear}
            hx-get={clear}
            hx-target="#browse"
            hx-swap="outerHTML"
            hx-push-url="true"
          >
            Clear filters
          </a>
        )}
      </fieldset>
    </>
  );
}
