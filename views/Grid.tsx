/** @jsxImportSource hono/jsx */
import { Card } from "./Card.tsx";
import { DeeperMatches } from "./DeeperMatches.tsx";
import { FolderTiles } from "./FolderTiles.tsx";
import { formatCount } from "./format.ts";
import type { BrowseModel, CardModel } from "./model.ts";

/** One page of cards: the unit the virtual grid fetches while scrolling (GET /grid/page). */
export function GridPage({
  cards,
  offset,
  selected,
}: {
  cards: CardModel[];
  offset: number;
  selected?: string;
}) {
  return (
    <>
      {cards.map((card, i) => (
        <Card card={card} index={offset + i} selected={card.path === selected} />
      ))}
    </>
  );
}

/**
 * The scrolling grid. Without JS it is a plain grid of the first page with
 * page links; public/app.js turns it into a virtual grid whose scrollbar spans
 * the whole result and which keeps only the pages near the viewport in the DOM.
 */
export function Grid({ m }: { m: BrowseModel }) {
  const prev = m.offset > 0 ? Math.max(0, m.offset - m.limit) : null;
  const next = m.offset + m.limit < m.total ? m.offset + m.limit : null;
  return (
    <section
      id="grid"
      class="grid-scroller"
      aria-label="Images"
      data-total={String(m.total)}
      data-query={m.queryString}
      data-size={String(m.q.size)}
      data-offset={String(m.offset)}
      style={`--card-size:${m.q.size}px`}
    >
      {m.total === 0 && m.folderTiles.length > 0 ? (
        <div class="folder-view">
          <p class="empty-note muted">
            No images directly in this folder: open a subfolder, or turn on Recursive.
          </p>
          <FolderTiles tiles={m.folderTiles} more={m.subfolderCount - m.folderTiles.length} />
        </div>
      ) : m.total === 0 ? (
        <div class="empty">
          {m.unfiltered === 0
            ? m.subfolderCount > 0
              ? "No images directly in this folder — open a subfolder, or turn on Recursive."
              : "No images in this folder."
            : "No images match these filters."}
          <DeeperMatches deeper={m.deeper} />
        </div>
      ) : (
        // The cards are the options of one multi-select listbox; the keyboard's current card is its
        // active descendant (public/grid.js), ringed, while focus stays on the list.
        <div
          class="grid-spacer"
          id="grid-list"
          role="listbox"
          aria-multiselectable="true"
          aria-label="Images"
          tabindex={0}
        >
          <div class="grid-page" data-offset={String(m.offset)}>
            <GridPage cards={m.cards} offset={m.offset} selected={m.q.sel} />
          </div>
        </div>
      )}
      {(prev !== null || next !== null) && (
        <nav class="pager" aria-label="Pages">
          {prev !== null && <a href={`/?${withOffset(m.queryString, prev)}`}>← Previous</a>}
          <span>
            {formatCount(m.offset + 1)}–{formatCount(Math.min(m.total, m.offset + m.limit))} of{" "}
            {formatCount(m.total)}
          </span>
          {next !== null && <a href={`/?${withOffset(m.queryString, next)}`}>Next →</a>}
        </nav>
      )}
    </section>
  );
}

function withOffset(qs: string, offset: number): string {
  const p = new URLSearchParams(qs);
  p.set("offset", String(offset));
  return p.toString();
}
