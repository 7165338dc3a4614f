/**
 * A card's labels (its star line and tag chips) as HTML: the one home of that markup. views/Card.tsx renders
 * it into the page and public/card-labels.js writes it into a card already on the page when a live event
 * or a write answer arrives, so an update shows in a few ms without a round trip (README: live-browser p99).
 * Pure: no Bun, no DOM.
 */
import { escapeHtml, starsName, starText } from "./format.ts";

/** Tags a card shows; the rest are "+N". */
export const SHOWN_TAGS = 3;

/** The star line: the stars as text, named in words for screen readers. */
export function starsHtml(star: number | null | undefined): string {
  const name = starsName(star);
  return `<span class="${star ? "stars rated" : "stars"}" role="img" aria-label="${name}" title="${name}">${starText(star)}</span>`;
}

/** The chips' content: the first SHOWN_TAGS tags, then "+N" for the others. */
export function chipsHtml(tags: readonly string[]): string {
  const shown = tags
    .slice(0, SHOWN_TAGS)
    .map((t) => `<span class="chip">${escapeHtml(t)}</span>`)
    .join("");
  const more = tags.length - SHOWN_TAGS;
  return more > 0 ? `${shown}<span class="chip more">+${more}</span>` : shown;
}
