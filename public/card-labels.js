// @ts-check
// Writes an item's labels into a card already on the page, with the markup views/Card.tsx renders (both
// take it from views/card-labels.ts), so a live change shows without a round trip for the card.
import { chipsHtml, starsHtml } from "../views/card-labels.ts";

export { SHOWN_TAGS } from "../views/card-labels.ts";

/**
 * @param {HTMLElement} card
 * @param {{ star: number | null, tags: string[], version: number, flag?: string | null, color?: string | null }} labels
 * @returns {boolean} false when the card already shows a newer version
 */
export function applyLabels(card, { star, tags, version, flag, color }) {
  if (Number(card.dataset.version) > version) return false;
  card.dataset.version = String(version);
  showStars(card, star);
  // Flag and colour are attributes the stylesheet draws (a record without them: unchanged).
  if (flag !== undefined) card.dataset.flag = flag ?? "";
  if (color !== undefined) card.dataset.color = color ?? "";
  const chips = card.querySelector(".chips");
  if (chips) chips.innerHTML = chipsHtml(tags);
  return true;
}

/** The card's star line only (instant feedback while a rating is on its way). @param {HTMLElement} card @param {number | null} star */
export function showStars(card, star) {
  card.dataset.star = String(star ?? 0);
  const stars = card.querySelector(".stars");
  if (stars) stars.outerHTML = starsHtml(star);
}
