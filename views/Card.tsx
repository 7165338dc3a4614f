/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import { chipsHtml, starsHtml } from "./card-labels.ts";
import { placeholderColor } from "./format.ts";
import type { CardModel } from "./model.ts";

export { SHOWN_TAGS } from "./card-labels.ts";

/** A DOM id for an item, safe in selectors (the grid's aria-activedescendant names it). */
export function cardId(path: string): string {
  return `card-${Bun.hash(path).toString(36)}`;
}

/**
 * One grid card: an option of the grid's listbox. The card itself is the link to its selected view (works
 * without JS), so nothing interactive nests inside an option. Its labels (stars, chips) come from
 * views/card-labels.ts, which public/card-labels.js also uses to update a card in place.
 */
export function Card({
  card,
  index,
  selected,
}: {
  card: CardModel;
  index: number;
  selected?: boolean;
}) {
  return (
    <a
      class={selected ? "card selected" : "card"}
      id={cardId(card.path)}
      role="option"
      aria-selected={selected ? "true" : "false"}
      tabindex={-1}
      href={card.href}
      draggable={false}
      data-path={card.path}
      data-index={String(index)}
      data-version={String(card.version)}
      data-star={String(card.star ?? 0)}
      data-flag={card.flag ?? ""}
      data-color={card.color ?? ""}
    >
      <span class="thumb" style={`background-color:${placeholderColor(card.path)}`}>
        <img src={card.thumbUrl} alt="" loading="lazy" decoding="async" draggable={false} />
      </span>
      <span class="meta">
        <span class="name" title={card.folder ? `${card.folder}/${card.name}` : card.name}>
          {card.name}
        </span>
        {raw(starsHtml(card.star))}
      </span>
      {/* Recursive views: the card's folder, opened by a click (public/app.js). A span, not a link: nothing
          interactive nests inside an option; the tree and Backspace reach the folder from the keyboard. */}
      {card.folder && card.folderHref && (
        <span class="card-folder" data-href={card.folderHref} title={`Open ${card.folder}`}>
          {card.folder}
        </span>
      )}
      <span class="chips">{raw(chipsHtml(card.tags))}</span>
    </a>
  );
}
