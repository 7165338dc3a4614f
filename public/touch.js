// @ts-check
// Fingers on the grid: a tap on a card's stars rates it (the star under the finger; the same
// star again clears), a long press starts multi-select (then each tap adds or removes a card
// until the selection is empty). Taps that select are ordinary clicks (public/app.js).
import { grid } from "./grid.js";
import { state } from "./page-state.js";
import { selection } from "./selection.js";
import { patchItem, starFields } from "./writes.js";

const LONG_PRESS_MS = 500;
const MOVE_TOLERANCE_PX = 10;

/** @type {{ card: HTMLElement, x: number, y: number, timer: ReturnType<typeof setTimeout> } | null} */
let press = null;
let selectMode = false;
/** The click that ends a long press is not a tap. */
let swallowClick = false;

/** @param {EventTarget | null} t */
const cardAt = (t) =>
  /** @type {HTMLElement | null} */ (/** @type {Element} */ (t)?.closest?.(".card"));
const writesRefused = () => !!document.getElementById("app")?.dataset.writeRefusal;

/** @param {boolean} on */
function setSelectMode(on) {
  selectMode = on;
  document.body.classList.toggle("select-mode", on);
}

document.addEventListener("pointerdown", (e) => {
  if (e.pointerType !== "touch") return;
  swallowClick = false;
  const card = cardAt(e.target);
  if (!card || !grid.el?.contains(card)) return;
  clearTimeout(press?.timer);
  press = {
    card,
    x: e.clientX,
    y: e.clientY,
    timer: setTimeout(() => longPress(card), LONG_PRESS_MS),
  };
});
const cancelPress = () => {
  clearTimeout(press?.timer);
  press = null;
};
document.addEventListener("pointermove", (e) => {
  if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > MOVE_TOLERANCE_PX)
    cancelPress();
});
document.addEventListener("pointerup", cancelPress);
document.addEventListener("pointercancel", cancelPress);
// A long press would open the browser's menu over the card.
document.addEventListener("contextmenu", (e) => {
  if (cardAt(e.target) && (press || swallowClick)) e.preventDefault();
});

/** @param {HTMLElement} card */
function longPress(card) {
  press = null;
  swallowClick = true;
  const i = Number(card.dataset.index);
  if (selectMode) selection.toggle(i, card.dataset.path ?? "");
  else selection.selectOnly(i, card.dataset.path ?? "");
  setSelectMode(state.selected.size > 0);
  navigator.vibrate?.(15);
}

// Capture phase: these taps are handled here, before the grid's own click (select only this card).
document.addEventListener(
  "click",
  (e) => {
    const card = cardAt(e.target);
    if (!card || !grid.el?.contains(card)) return;
    if (swallowClick) {
      swallowClick = false;
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    const stars = /** @type {Element} */ (e.target).closest(".stars");
    if (stars && !writesRefused()) {
      e.preventDefault();
      e.stopPropagation();
      const r = stars.getBoundingClientRect();
      const n = Math.min(5, Math.max(1, Math.ceil(((e.clientX - r.left) / r.width) * 5)));
      const current = Number(card.dataset.star) || 0;
      patchItem(card.dataset.path ?? "", starFields(n === current ? 0 : n));
      return;
    }
    if (selectMode && state.selected.size === 0) setSelectMode(false);
    if (selectMode && !e.shiftKey) {
      e.preventDefault();
      e.stopPropagation();
      selection.toggle(Number(card.dataset.index), card.dataset.path ?? "");
      if (state.selected.size === 0) setSelectMode(false);
    }
  },
  true,
);
