// @ts-check
// A modal overlay of our own (compare, groups): appended to the body in a slot, everything else on
// the page inert (no focus, no clicks, hidden from assistive tech) until it closes, then focus goes
// back where it was.

/**
 * @param {string} slotId @param {string} html the server-rendered fragment
 * @returns {{ slot: HTMLElement, close: () => void }}
 */
export function showModal(slotId, html) {
  const slot = document.createElement("div");
  slot.id = slotId;
  slot.innerHTML = html;
  const opener = document.activeElement;
  const inerted = [...document.body.children].filter((el) => !el.hasAttribute("inert"));
  for (const el of inerted) el.setAttribute("inert", "");
  document.body.append(slot);
  return {
    slot,
    close() {
      slot.remove();
      for (const el of inerted) el.removeAttribute("inert");
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    },
  };
}
