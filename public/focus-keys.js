// @ts-check
// Where the keyboard goes (spec U20): T to the tags field, N to the notes, Esc from a field back to the grid;
// skip links that land even when their target is not there (notes with nothing selected: the inspector);
// and a toolbar control that swapped the view keeps the focus (the form is re-rendered with the view).
import { typing } from "./keyboard.js";
import { $ } from "./page-state.js";

/** The grid's list, or the grid itself when the view is empty. */
function gridTarget() {
  return $("#grid-list") ?? $("#grid");
}

/** @param {HTMLElement | null} el */
function focusOn(el) {
  if (!el) return false;
  if (!el.matches("a[href], button, input, select, textarea, [tabindex]")) el.tabIndex = -1;
  el.focus();
  return true;
}

/** The field a letter goes to: the single inspector's, or the multi-selection's when several are selected. */
function field(/** @type {"tags" | "notes"} */ which) {
  const bulk = $("#bulk-inspector:not([hidden])");
  if (bulk) return $(which === "tags" ? ".bulk-tag-input" : "#bulk-notes", bulk);
  return $(which === "tags" ? "#inspector-body .tag-input" : "#inspector-body .notes");
}

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (
    e.key === "Escape" &&
    typing(e.target) &&
    /** @type {Element} */ (e.target).closest("#inspector")
  ) {
    // Leaving a field of the inspector goes back to the grid, where the arrows work again.
    e.preventDefault();
    focusOn(gridTarget());
    return;
  }
  if (
    typing(e.target) ||
    $("#viewer") ||
    /** @type {HTMLDialogElement | null} */ ($("dialog[open]"))
  )
    return;
  const k = e.key.toLowerCase();
  if (k !== "t" && k !== "n") return;
  const f = /** @type {HTMLInputElement | null} */ (field(k === "t" ? "tags" : "notes"));
  if (f && !f.disabled) {
    e.preventDefault();
    f.focus();
  }
});

document.addEventListener("click", (e) => {
  const a = e.target instanceof Element ? e.target.closest(".skip-link") : null;
  if (!(a instanceof HTMLAnchorElement)) return;
  e.preventDefault();
  const target =
    a.dataset.skip === "notes"
      ? (field("notes") ?? $("#inspector-body"))
      : $(a.getAttribute("href") ?? "");
  focusOn(target ?? gridTarget());
});

// A toolbar control (sort, direction; in the Filters popover tag, star chips, flag, colour, recursive, size)
// changes the view: htmx swaps #browse with a new toolbar, and the focus would fall back to the page. The same
// control in the new one takes it: `pending` is the control (or "Clear filters" link) a change came from and
// where the focus goes once a swap has taken it away; it is given up when the user has put the focus somewhere
// else by the time a swap comes.
/** @type {{ from: Element, to: string } | null} */
let pending = null;
document.addEventListener("change", (e) => {
  const t = e.target;
  if (!(t instanceof HTMLInputElement || t instanceof HTMLSelectElement)) return;
  if (!t.closest("#browse-form") || t.id === "search") return;
  pending = {
    from: t,
    to:
      t instanceof HTMLInputElement && t.type === "checkbox"
        ? `#browse-form [name="${t.name}"][value="${CSS.escape(t.value)}"]`
        : `#browse-form [name="${t.name}"]`,
  };
});
// A popover closed by Esc or a tap beside it (Filters, People) gives the focus back to its button when the
// browser left it nowhere (it does not, for a popover the script opened again after a swap).
document.addEventListener(
  "toggle",
  (e) => {
    const pop = e.target;
    if (!(pop instanceof HTMLElement) || !pop.hasAttribute("popover")) return;
    if (/** @type {ToggleEvent} */ (e).newState !== "closed") return;
    const a = document.activeElement;
    if (a && a !== document.body && !pop.contains(a)) return;
    /** @type {HTMLElement | null} */ ($(`[popovertarget="${pop.id}"]`))?.focus({
      preventScroll: true,
    });
  },
  true,
);

// "Clear filters" swaps the popover away with its link: the focus goes to the Filters button.
document.addEventListener("click", (e) => {
  const link = e.target instanceof Element ? e.target.closest(".filters-clear") : null;
  if (link) pending = { from: link, to: "#filters-button" };
});
/** The same control in a new toolbar: by id, else by name (and value, for a checkbox). @param {Element} el */
function selectorOf(el) {
  if (el.id) return `#${CSS.escape(el.id)}`;
  const name = el.getAttribute("name");
  if (!name) return null;
  return el instanceof HTMLInputElement && el.type === "checkbox"
    ? `#browse-form [name="${CSS.escape(name)}"][value="${CSS.escape(el.value)}"]`
    : `#browse-form [name="${CSS.escape(name)}"]`;
}
// Any swap of the view (a change here, someone's edit reloading a stacked view, the live refresh) may
// replace the control that has the focus: if the focus is then lost, the same control takes it again.
// htmx awaits between a swap's before and after events, so another swap (a status-bar update from the live
// stream) can run in between: what each swap saw is kept with that swap's own context.
/** @type {WeakMap<object, { keep: string | null, mayMove: boolean }>} */
const seen = new WeakMap();
/** @param {Event} e */
const ctxOf = (e) => /** @type {CustomEvent} */ (e).detail?.ctx;
/** @param {Element | null} a */
const nowhere = (a) => !a || a === document.body;
document.addEventListener("htmx:before:swap", (e) => {
  const a = document.activeElement;
  const keep = a instanceof HTMLElement && a.closest("#browse") ? selectorOf(a) : null;
  // The focus is still on the changed control (or nowhere): the change may move it. Anywhere else, the user
  // has moved on, and the change gives up its claim.
  const mayMove = !!pending && (a === pending.from || nowhere(a));
  if (pending && !mayMove) pending = null;
  const ctx = ctxOf(e);
  if (ctx) seen.set(ctx, { keep, mayMove });
});
document.addEventListener("htmx:after:swap", afterSwap);
/** @param {Event} e */
function afterSwap(e) {
  const ctx = ctxOf(e);
  const saw = ctx ? seen.get(ctx) : undefined;
  if (ctx) seen.delete(ctx);
  // Only a focus the swap lost is given back: a swap never takes the focus from where the user has it.
  if (!saw || !nowhere(document.activeElement)) return;
  let to = saw.keep;
  if (saw.mayMove && pending && !pending.from.isConnected) {
    to = pending.to;
    pending = null;
  }
  if (!to) return;
  const el = /** @type {HTMLElement | null} */ ($(to));
  if (!el) return;
  // A control of the Filters popover (views/FiltersMenu.tsx): the swap drew it closed, so it opens again, from
  // its button, so that Esc still closes it onto the button.
  const pop = el.closest("[popover]");
  if (pop instanceof HTMLElement && !pop.matches(":popover-open")) {
    /** @type {HTMLElement | null} */ ($(`[popovertarget="${pop.id}"]`))?.focus({
      preventScroll: true,
    });
    pop.showPopover();
  }
  el.focus({ preventScroll: true });
}
