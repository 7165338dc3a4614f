// @ts-check
// Modal for focus, one helper for every overlay: while one is open, focus is inside it, everything else on
// the page is `inert` (no Tab, no screen reader), and on close focus goes back where it was. Native dialogs
// (the shortcuts, Share) get inertness from showModal(); showDialog adds the way back. The viewer is a
// swapped fragment: it is held as it appears in #viewer-slot and released as it goes, whoever opened it.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/** @type {{ el: Element, back: HTMLElement | null, inerted: HTMLElement[] } | null} */
let held = null;

/** Focus into `el`: its [autofocus], else its first control, else itself. @param {Element} el */
function focusInto(el) {
  const target = /** @type {HTMLElement | null} */ (
    el.querySelector("[autofocus]") ?? el.querySelector(FOCUSABLE) ?? el
  );
  if (target === el && !el.hasAttribute("tabindex")) /** @type {HTMLElement} */ (el).tabIndex = -1;
  target?.focus({ preventScroll: true });
}

/** Makes `el` modal for focus until release(). @param {Element} el @param {Element | null} [from] */
export function hold(el, from = document.activeElement) {
  if (held?.el === el) return;
  const back = held ? held.back : /** @type {HTMLElement | null} */ (from);
  release(false);
  /** @type {HTMLElement[]} */
  const inerted = [];
  // Everything beside `el` and beside each of its ancestors up to <body>.
  for (let node = el; node.parentElement && node !== document.body; node = node.parentElement)
    for (const sib of node.parentElement.children)
      if (sib !== node && sib instanceof HTMLElement && !sib.inert && sib.tagName !== "SCRIPT") {
        sib.inert = true;
        inerted.push(sib);
      }
  held = { el, back, inerted };
  focusInto(el);
}

/** Ends the hold: the page is live again and focus goes back (to the grid when its origin is gone). */
export function release(restore = true) {
  if (!held) return;
  const { inerted, back } = held;
  held = null;
  for (const el of inerted) el.inert = false;
  if (!restore) return;
  const to = back?.isConnected ? back : document.getElementById("grid-list");
  to?.focus({ preventScroll: true });
}

// Tab and Shift+Tab go round inside what is held (past its last control to its first), as in a dialog.
document.addEventListener("keydown", (e) => {
  if (e.key !== "Tab" || !held) return;
  const all = /** @type {HTMLElement[]} */ ([...held.el.querySelectorAll(FOCUSABLE)]).filter(
    (el) => el.offsetParent !== null || el === document.activeElement,
  );
  if (!all.length) return;
  const first = all[0];
  const last = all[all.length - 1];
  const at = document.activeElement;
  if (e.shiftKey ? at === first || !held.el.contains(at) : at === last || !held.el.contains(at)) {
    e.preventDefault();
    (e.shiftKey ? last : first)?.focus();
  }
});

/** Opens a native modal dialog; focus comes back to where it was when it closes. @param {HTMLDialogElement} dialog */
export function showDialog(dialog, from = document.activeElement) {
  if (dialog.open) return;
  const back = /** @type {HTMLElement | null} */ (from);
  dialog.showModal();
  focusInto(dialog);
  dialog.addEventListener(
    "close",
    () => {
      const to = back?.isConnected ? back : document.getElementById("grid-list");
      to?.focus({ preventScroll: true });
    },
    { once: true },
  );
}

// The viewer: held while it is in its slot (a step to the next image replaces it: focus moves into the new one).
const slot = document.getElementById("viewer-slot");
if (slot) {
  const follow = () => {
    const viewer = slot.querySelector("#viewer");
    if (viewer) {
      if (held?.el !== viewer) hold(viewer);
    } else if (held && !held.el.isConnected) release();
  };
  new MutationObserver(follow).observe(slot, { childList: true });
  follow();
}
