// @ts-check
// Our own server-rendered overlays (compare, groups): the fragment in a slot at the end of <body>,
// held modal for focus by modal.js (the rest of the page inert, Tab kept inside) until it closes,
// then focus goes back where it was.
import { hold, release } from "./modal.js";

/**
 * @param {string} slotId @param {string} html the server-rendered fragment
 * @returns {{ slot: HTMLElement, close: () => void }}
 */
export function showOverlay(slotId, html) {
  const slot = document.createElement("div");
  slot.id = slotId;
  slot.innerHTML = html;
  const from = document.activeElement;
  document.body.append(slot);
  hold(slot, from);
  return {
    slot,
    close() {
      release();
      slot.remove();
    },
  };
}
