// @ts-check
// Lenslet's client entry: wires the parts (page-state, grid, selection,
// inspector, writes, viewer, keyboard) to the page and to htmx. Everything
// shown is rendered by the server; this holds the little state the browser needs.
import { cardFor, grid } from "./grid.js";
import "./export-selection.js";
import { inspectorPath, offerLeftovers, setInspectedPath } from "./inspector.js";
import "./bulk-inspector.js";
import "./focus-keys.js";
import "./keyboard.js";
import { showDialog } from "./modal.js";
import "./notices.js";
import "./save-tracker.js";
// Screens and fingers: drawers, the viewer's history, taps and long presses (zoom loads with the viewer).
import "./drawers.js";
import "./history.js";
import "./touch.js";
import "./viewer-bar.js";
import {
  $,
  $$,
  askName,
  browseEl,
  currentFolder,
  me,
  noteVersion,
  state,
  store,
} from "./page-state.js";
import { selection } from "./selection.js";
import { nameIsTheSessions, renameSession } from "./session-name.js";
import { closeViewer, openViewer, stepViewer } from "./viewer.js";
import { patchItem, rateSelection, retryFailed, starFields } from "./writes.js";

// ---------------------------------------------------------------- clicks
document.addEventListener("click", (e) => {
  const t = /** @type {HTMLElement} */ (e.target);
  const action = /** @type {HTMLAnchorElement | null} */ (t.closest?.("[data-action]"));
  if (action) {
    const a = action.dataset.action;
    if (a === "star") {
      e.preventDefault();
      const n = Number(action.dataset.value);
      const path = inspectorPath(action);
      if (path) patchItem(path, starFields(n));
      else rateSelection(n);
      return;
    }
    if (a === "remove-tag") {
      const path = inspectorPath(action);
      if (path && action.dataset.tag) patchItem(path, { remove_tags: [action.dataset.tag] });
      return;
    }
    if (a === "open-viewer") {
      e.preventDefault();
      const path = inspectorPath(action);
      if (path) openViewer(path);
      return;
    }
    if (a === "close-viewer") {
      e.preventDefault();
      closeViewer();
      return;
    }
    if (a === "viewer-prev" || a === "viewer-next") {
      e.preventDefault();
      stepViewer(a === "viewer-prev" ? -1 : 1);
      return;
    }
    if (a === "shortcuts") {
      const d = /** @type {HTMLDialogElement | null} */ ($("#shortcuts"));
      if (d) showDialog(d, action);
      return;
    }
    if (a === "rename") {
      openWhoami();
      return;
    }
    if (a === "whoami-close") {
      closeWhoami();
      return;
    }
    if (a === "retry") {
      retryFailed();
      return;
    }
  }
  // A folder opened from the tree also unfolds there.
  const folderLink = t.closest?.(".tree .branch > .folder-link");
  if (folderLink) {
    const details = /** @type {HTMLDetailsElement | null} */ (folderLink.nextElementSibling);
    if (details && !details.open) details.open = true;
  }
  if (t.closest?.(".save-status.failed")) {
    retryFailed();
    return;
  }
  const card = /** @type {HTMLElement | null} */ (t.closest?.(".card"));
  // A card's folder line opens that folder, not the card (views/Card.tsx).
  const folderLine = /** @type {HTMLElement | null} */ (t.closest?.(".card-folder"));
  if (folderLine?.dataset.href) {
    e.preventDefault();
    const href = folderLine.dataset.href;
    window.htmx
      .ajax("GET", href, { source: "#columns", target: "#browse", swap: "outerHTML" })
      .then(() => history.pushState(history.state, "", href));
    return;
  }
  if (card && grid.el?.contains(card)) {
    e.preventDefault();
    const i = Number(card.dataset.index);
    const path = card.dataset.path ?? "";
    if (e.shiftKey) selection.range(i, path);
    else if (e.ctrlKey || e.metaKey) selection.toggle(i, path);
    else selection.selectOnly(i, path);
    $("#grid-list", grid.el)?.focus({ preventScroll: true });
  }
});

document.addEventListener("dblclick", (e) => {
  const card = /** @type {HTMLElement | null} */ (
    /** @type {HTMLElement} */ (e.target).closest?.(".card")
  );
  if (card) openViewer(card.dataset.path);
});

function openWhoami(focus = true) {
  const form = $("#whoami");
  const field = nameField();
  if (!form || !field) return;
  field.value = me.name;
  form.hidden = false;
  if (focus) field.select();
}

function closeWhoami() {
  const form = $("#whoami");
  if (form) form.hidden = true;
  localStorage.setItem("lenslet.nameAsked", "1");
}

function nameField() {
  return /** @type {HTMLInputElement | null} */ ($("#whoami-name"));
}

/** @param {string} name */
function setName(name) {
  const clean = name.trim().slice(0, 64);
  if (!clean) return;
  if (nameIsTheSessions()) {
    // The server keeps it (and tells presence); this browser's other tabs hear the storage event.
    renameSession(clean).then((kept) => {
      if (!kept) return;
      localStorage.setItem("lenslet.name", kept);
      adoptName(kept);
    });
    return;
  }
  // The other tabs of this browser hear it as a storage event (below): one person, one name.
  localStorage.setItem("lenslet.name", clean);
  adoptName(clean);
}

/** Shows and announces a name (set here or in another tab of this browser); presence re-joins with it. */
/** @param {string} name */
function adoptName(name) {
  if (name === me.name) return;
  me.name = name;
  const s = store("me");
  if (s) s.name = name;
  const field = nameField();
  if (field && document.activeElement !== field) field.value = name;
  document.dispatchEvent(new CustomEvent("lenslet:rename"));
}
window.addEventListener("storage", (e) => {
  if (e.key === "lenslet.name" && e.newValue) adoptName(e.newValue);
});
// Back from the back/forward cache, the page may have missed a rename made meanwhile.
window.addEventListener("pageshow", (e) => {
  const name = localStorage.getItem("lenslet.name");
  if (e.persisted && name) adoptName(name);
});

document.addEventListener("submit", (e) => {
  if (!(/** @type {HTMLElement} */ (e.target).matches?.('[data-action="whoami-form"]'))) return;
  e.preventDefault();
  setName(nameField()?.value ?? "");
  closeWhoami();
});

// ---------------------------------------------------------------- htmx wiring
/** @param {HTMLElement} root */
function onLoad(root) {
  const g = root.id === "grid" ? root : $("#grid", root);
  if (g) {
    state.allPaths = null;
    // A new view keeps the selection only for items still in it.
    const sel = new URLSearchParams(location.search).get("sel");
    state.selected = new Set(sel ? [sel] : []);
    state.cursor = -1;
    state.cursorPath = sel;
    const s = store("sel");
    if (s) s.count = state.selected.size;
    grid.init(g);
    const card = sel ? cardFor(sel) : null;
    if (card) state.cursor = Number(card.dataset.index);
    $$(".folder-link").forEach((a) => {
      const on = a.dataset.folder === currentFolder();
      a.classList.toggle("current", on);
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    // The search box survives swaps (hx-preserve) so typing is never interrupted; when the view
    // changed for another reason (Reveal, a link) it shows that view's query, and text typed while
    // this view was on its way gets its own search.
    const search = /** @type {HTMLInputElement | null} */ ($("#search"));
    const viewQ = browseEl()?.dataset.q ?? "";
    if (search && document.activeElement !== search) search.value = viewQ;
    else if (search && search.value.trim() !== viewQ)
      search.dispatchEvent(new Event("input", { bubbles: true }));
    const title = browseEl()?.dataset.title;
    if (title) document.title = title; // the server's pageTitle, as in the full page
    document.dispatchEvent(new CustomEvent("lenslet:folder"));
    document.dispatchEvent(new CustomEvent("lenslet:cards"));
  }
  if (root.id === "inspector-body" || $("#inspector-body", root)) {
    const ib = root.id === "inspector-body" ? root : $("#inspector-body", root);
    if (ib?.dataset.path) {
      noteVersion(ib.dataset.path, ib.dataset.version);
      // A note an earlier page left unsent on this item goes back into its field (U11).
      if (started) offerLeftovers(ib.dataset.path);
    }
  }
}

let started = false; // until then the start below offers every leftover itself
function start() {
  const htmx = window.htmx;
  htmx.onLoad((el) => onLoad(/** @type {HTMLElement} */ (el)));
  const sel = new URLSearchParams(location.search).get("sel");
  if (sel) {
    state.selected = new Set([sel]);
    setInspectedPath(sel);
  }
  onLoad(document.body);
  if (!sel) setInspectedPath(null);
  if (askName) openWhoami(false);
  started = true;
  document.dispatchEvent(new CustomEvent("lenslet:ready"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
