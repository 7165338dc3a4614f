// @ts-check
// Writes an item's labels into a card already on the page, exactly as
// views/Card.tsx renders them (test/client/card-labels.test.ts compares the
// two), so a live change shows without a round trip for the card.

export const SHOWN_TAGS = 3;

/** @param {number | null | undefined} star */
export function starText(star) {
  const n = star ?? 0;
  return "★".repeat(n) + "☆".repeat(5 - n);
}

/**
 * @param {HTMLElement} card
 * @param {{ star: number | null, tags: string[], version: number, flag?: string | null, color?: string | null }} labels
 * @returns {boolean} false when the card already shows a newer version
 */
export function applyLabels(card, { star, tags, version, flag, color }) {
  if (Number(card.dataset.version) > version) return false;
  card.dataset.version = String(version);
  card.dataset.star = String(star ?? 0);
  // Flag and colour are attributes the stylesheet draws (a record without them: unchanged).
  if (flag !== undefined) card.dataset.flag = flag ?? "";
  if (color !== undefined) card.dataset.color = color ?? "";
  const stars = /** @type {HTMLElement | null} */ (card.querySelector(".stars"));
  if (stars) {
    stars.textContent = starText(star);
    stars.className = star ? "stars rated" : "stars";
    stars.title = `${star ?? 0} stars`;
  }
  const chips = card.querySelector(".chips");
  if (chips) {
    const doc = card.ownerDocument;
    const made = tags.slice(0, SHOWN_TAGS).map((t) => {
      const chip = doc.createElement("span");
      chip.className = "chip";
      chip.textContent = t;
      return chip;
    });
    if (tags.length > SHOWN_TAGS) {
      const more = doc.createElement("span");
      more.className = "chip more";
      more.textContent = `+${tags.length - SHOWN_TAGS}`;
      made.push(more);
    }
    chips.replaceChildren(...made);
  }
  return true;
}
