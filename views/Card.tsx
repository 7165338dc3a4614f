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
  const stack = card.stack;
  const classes = [
    "card",
    selected && "selected",
    stack && !stack.member && "stack",
    stack?.member && "stack-member",
  ];
  return (
    <a
      class={classes.filter(Boolean).join(" ")}
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
      data-stack={stack && !stack.member ? String(stack.size) : undefined}
      data-stack-open={stack?.open ? "1" : undefined}
      data-member={stack?.member ? "1" : undefined}
      data-stack-toggle={stack?.toggle}
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
      {card.sortValue && (
        <span class="card-value" title={card.sortValue.label}>
          {card.sortValue.text}
        </span>
      )}
      {/* Recursive views: the card's folder, opened by a click (public/app.js). A span, not a link: nothing
          interactive nests inside an option; the tree and Backspace reach the folder from the keyboard. */}
      {card.folder && card.folderHref && (
        <span class="card-folder" data-href={card.folderHref} title={`Open ${card.folder}`}>
          {card.folder}
        </span>
      )}
      <span class="chips">{raw(chipsHtml(card.tags))}</span>
      {/* A stack's count (M6); a click on it (or E) opens or closes the stack (public/stacks.js). A span:
          nothing interactive nests inside an option. */}
      {stack && !stack.member && (
        <span
          class="stack-badge"
          title={`${stack.open ? "Close" : "Open"} this stack of ${stack.size} (E)`}
        >
          <span aria-hidden="true">{String(stack.size)}</span>
          <span class="sr-only">{`, stack of ${stack.size}${stack.open ? ", open" : ""}`}</span>
        </span>
      )}
      {stack?.member && <span class="sr-only">, in the open stack</span>}
    </a>
  );
}
