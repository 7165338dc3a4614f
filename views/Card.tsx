/** @jsxImportSource hono/jsx */
import { cardId, placeholderColor, starText } from "./format.ts";
import type { CardModel } from "./model.ts";

/** Tags shown on a card; public/card-labels.js (SHOWN_TAGS) must agree. */
export const SHOWN_TAGS = 3;

/**
 * One grid card. Live label changes are written into it by public/card-labels.js,
 * which must produce the same markup (test/client/card-labels.test.ts).
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
  const shownTags = card.tags.slice(0, SHOWN_TAGS);
  return (
    <div
      class={selected ? "card selected" : "card"}
      id={cardId(card.path)}
      data-path={card.path}
      data-index={String(index)}
      data-version={String(card.version)}
      data-star={String(card.star ?? 0)}
      data-flag={card.flag ?? ""}
      data-color={card.color ?? ""}
    >
      <a
        class="thumb"
        href={card.href}
        style={`background-color:${placeholderColor(card.path)}`}
        draggable={false}
      >
        <img src={card.thumbUrl} alt="" loading="lazy" decoding="async" draggable={false} />
      </a>
      <div class="meta">
        <span class="name" title={card.folder ? `${card.folder}/${card.name}` : card.name}>
          {card.name}
        </span>
        <span class={card.star ? "stars rated" : "stars"} title={`${card.star ?? 0} stars`}>
          {starText(card.star)}
        </span>
      </div>
      {card.sortValue && (
        <span class="card-value" title={card.sortValue.label}>
          {card.sortValue.text}
        </span>
      )}
      {card.folder && card.folderHref && (
        <a
          class="card-folder"
          href={card.folderHref}
          hx-get={card.folderHref}
          hx-target="#browse"
          hx-swap="outerHTML"
          hx-push-url="true"
          title={`Open ${card.folder}`}
        >
          {card.folder}
        </a>
      )}
      <div class="chips">
        {shownTags.map((t) => (
          <span class="chip">{t}</span>
        ))}
        {card.tags.length > shownTags.length && (
          <span class="chip more">+{card.tags.length - shownTags.length}</span>
        )}
      </div>
    </div>
  );
}
