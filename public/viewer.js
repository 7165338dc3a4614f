// @ts-check
// The full-screen viewer: GET /viewer renders it with the neighbours preloaded.
// Opening it adds a history entry, so the browser's Back button closes it (public/history.js).
import { cardFor, grid } from "./grid.js";
import { $, state, withQuery } from "./page-state.js";
import { selection, syncUrl } from "./selection.js";

/** The history entry an opened viewer adds; Back from it closes the viewer. */
export const VIEWER_ENTRY = "lenslet-viewer";

/** @param {string | null | undefined} path @param {{ push?: boolean }} [opts] */
export async function openViewer(path, { push = true } = {}) {
  if (!path) return;
  if (!selection.has(path) || state.selected.size !== 1) {
    const card = cardFor(path);
    selection.selectOnly(Number(card?.dataset.index ?? -1), path);
  }
  const wasOpen = !!$("#viewer");
  await window.htmx.ajax("GET", withQuery("/viewer", { sel: path }), {
    source: "#viewer-slot",
    target: "#viewer-slot",
    swap: "innerHTML",
  });
  // A new entry (same URL; syncUrl then names the viewer in it), so Back returns to the grid.
  if (!wasOpen && push && $("#viewer"))
    history.pushState({ lenslet: VIEWER_ENTRY }, "", location.href);
  syncUrl();
}

/** Closes the viewer; when opening it added a history entry, by going back over it. */
export function closeViewer() {
  if (history.state?.lenslet === VIEWER_ENTRY && $("#viewer")) {
    history.back();
    return;
  }
  hideViewer();
}

/** Removes the viewer and puts the grid back where the selection is. */
export function hideViewer() {
  const slot = $("#viewer-slot");
  if (slot) slot.replaceChildren();
  syncUrl();
  const sel = selection.single();
  const card = sel ? cardFor(sel) : null;
  if (card) grid.scrollToIndex(Number(card.dataset.index), "nearest");
}
/** @param {number} delta */
export function stepViewer(delta) {
  const v = $("#viewer");
  const next = delta < 0 ? v?.dataset.prev : v?.dataset.next;
  if (!next) return;
  const card = cardFor(next);
  selection.selectOnly(Number(card?.dataset.index ?? -1), next);
  openViewer(next);
}
