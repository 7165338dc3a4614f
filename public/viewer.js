// @ts-check
// The full-screen viewer: GET /viewer renders it with the neighbours preloaded.
import { cardFor, grid } from "./grid.js";
import { $, withQuery } from "./page-state.js";
import { selection, syncUrl } from "./selection.js";

/** @param {string | null | undefined} path */
export async function openViewer(path) {
  if (!path) return;
  if (!selection.has(path) || selection.paths.size !== 1) {
    const card = cardFor(path);
    selection.selectOnly(Number(card?.dataset.index ?? -1), path);
  }
  await window.htmx.ajax("GET", withQuery("/viewer", { sel: path }), {
    source: "#viewer-slot",
    target: "#viewer-slot",
    swap: "innerHTML",
  });
  syncUrl();
}
export function closeViewer() {
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
