// @ts-check
// Stacks in the grid (spec M6): the server collapses bursts or near-duplicates into one card each
// (`stack=`) and opens one in place (`expand=`); this module only navigates. G cycles stacking
// off → bursts → duplicates → off (Lightroom's S is taken by WASD here); E, or a click on a stack's
// count, opens the current card's stack or closes it (on an open stack's card or any of its images).
import { cardFor } from "./grid.js";
import { typing } from "./keyboard.js";
import { $, singleSelected, state, withQuery } from "./page-state.js";

const CYCLE = ["", "bursts", "duplicates"];

/** Shows another view of the grid: the address first, so the new grid reads its selection from it. */
/** @param {string} href */
function go(href) {
  history.pushState(history.state, "", href);
  window.htmx.ajax("GET", href, { source: "#columns", target: "#browse", swap: "outerHTML" });
}

/** @param {HTMLElement | null} card */
function toggle(card) {
  const href = card?.dataset.stackToggle;
  if (href) go(href);
}

// Capture: the click on a count must not also select the card (public/app.js).
document.addEventListener(
  "click",
  (e) => {
    const badge = e.target instanceof Element ? e.target.closest(".card .stack-badge") : null;
    if (!badge) return;
    e.preventDefault();
    e.stopPropagation();
    toggle(/** @type {HTMLElement | null} */ (badge.closest(".card")));
  },
  true,
);

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey)
    return;
  if ($("#viewer") || $("#compare") || $("#groups") || $("dialog[open]")) return;
  const k = e.key.toLowerCase();
  if (k === "g") {
    if (!$('#browse-form [name="stack"]')) return;
    e.preventDefault();
    // From the address, which go() sets before the view arrives: a second G pressed while the first
    // view is on its way steps on from it (the toolbar's select still shows the one before).
    const now = new URL(location.href).searchParams.get("stack") ?? "";
    const next = CYCLE[(CYCLE.indexOf(now) + 1) % CYCLE.length] || null;
    const sel = singleSelected();
    go(withQuery("/", { stack: next, expand: null, sel: sel ?? null }));
  } else if (k === "e") {
    const path = state.cursorPath ?? singleSelected();
    const card = path ? cardFor(path) : null;
    if (!card?.dataset.stackToggle) return;
    e.preventDefault();
    toggle(card);
  }
});
