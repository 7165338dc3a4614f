// @ts-check
// What every part of the page shares, and the one place it lives: DOM helpers, who you are, the Alpine
// stores, the current view's query, the selection, the inspected item, the last known version of each
// item, and a tiny subscribe/notify so modules hear of each other's changes without importing each other.
// Modules depend downward only: page-state ← grid ← selection ← writes ← inspector ← save-tracker ← app.

/** @type {(sel: string, root?: ParentNode) => HTMLElement | null} */
export const $ = (sel, root = document) => root.querySelector(sel);
/** @type {(sel: string, root?: ParentNode) => HTMLElement[]} */
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// ---------------------------------------------------------------- identity
export let askName = false;
export const me = (() => {
  // With access control on the name is the session's (chosen when the invite was opened): never asked here.
  const sessionName = document.getElementById("app")?.dataset.meName;
  let name = sessionName ?? localStorage.getItem("lenslet.name");
  if (!name) {
    name = `Guest-${Math.random().toString(36).slice(2, 6)}`;
    localStorage.setItem("lenslet.name", name);
  }
  // Asked once, in a small box that blocks nothing; a guest name until then.
  askName = !sessionName && !localStorage.getItem("lenslet.nameAsked");
  // One id per tab: sessionStorage survives a reload but not a new tab.
  // A duplicated tab copies sessionStorage; the tab claims its id on a
  // BroadcastChannel and takes a new one if another live tab answers.
  let clientId = sessionStorage.getItem("lenslet.client");
  if (!clientId) {
    clientId = Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem("lenslet.client", clientId);
  }
  // One person per browser profile: every tab shares it (localStorage), so presence counts people, not tabs.
  let personId = localStorage.getItem("lenslet.person");
  if (!personId) {
    personId = crypto.randomUUID();
    localStorage.setItem("lenslet.person", personId);
  }
  return { name, clientId, personId };
})();

/**
 * Who and where, for every request that says so. Header values must be Latin-1 (fetch refuses `東京` or `Łukasz`),
 * so each is sent percent-encoded UTF-8; the server's one reader (src/routes/request-actor.ts) decodes them.
 */
export function actorHeaders() {
  return {
    "X-Lenslet-Name": encodeURIComponent(me.name),
    "X-Lenslet-Client": encodeURIComponent(me.clientId),
    "X-Lenslet-Scope": encodeURIComponent(currentFolder()),
  };
}

export function writeHeaders() {
  return { "Content-Type": "application/json", ...actorHeaders() };
}

// ---------------------------------------------------------------- Alpine stores
/**
 * The Alpine stores the page binds to (x-text="$store.sel.count"); live.js adds "live".
 * @typedef {{
 *   me: { name: string },
 *   sel: { count: number, message: string },
 *   sync: { saveState: string, saveLabel: string, connState: string, connLabel: string },
 *   live: { state: string, label: string, count: string, detail: string, names: string[], typing: boolean,
 *     offviewText: string, offviewCount: number, activity: string },
 * }} Stores
 */
document.addEventListener("alpine:init", () => {
  const Alpine = /** @type {NonNullable<Window["Alpine"]>} */ (window.Alpine);
  Alpine.store("me", { name: me.name });
  Alpine.store("sel", { count: 0, message: "" });
  Alpine.store("sync", {
    saveState: "idle",
    saveLabel: "",
    connState: "connecting",
    connLabel: "Connecting…",
  });
});
/**
 * @template {keyof Stores} K
 * @param {K} name
 * @returns {Stores[K] | undefined}
 */
export const store = (name) => /** @type {Stores[K] | undefined} */ (window.Alpine?.store(name));
/** @param {string} state @param {string} label */
export function setSave(state, label) {
  const s = store("sync");
  if (s) {
    s.saveState = state;
    s.saveLabel = label;
  }
}

// ---------------------------------------------------------------- browse state
export function browseEl() {
  return $("#browse");
}
export function currentFolder() {
  return browseEl()?.dataset.folder ?? "/";
}
export function showsSubtree() {
  return browseEl()?.dataset.recursive === "1";
}

// Canonical paths, as the server's src/core/paths.ts writes them.
/** @param {string} path */
export function parentOf(path) {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}
/** `path` is `folder` or lies below it. @param {string} path @param {string} folder */
export function isWithin(path, folder) {
  return folder === "/" || path === folder || path.startsWith(`${folder}/`);
}
export function currentQuery() {
  return browseEl()?.dataset.query ?? "";
}
/** @param {string} path @param {Record<string, string | number | null | undefined>} [extra] */
export function withQuery(path, extra = {}) {
  const p = new URLSearchParams(currentQuery());
  for (const [k, v] of Object.entries(extra)) {
    if (v === null || v === undefined) p.delete(k);
    else p.set(k, String(v));
  }
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

// ---------------------------------------------------------------- versions
// Last known version of each item, fed by cards, /select, write answers and events.
/** @type {Map<string, number>} */
export const versions = new Map();
/** @param {string} path @param {unknown} v */
export function noteVersion(path, v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return;
  if ((versions.get(path) ?? 0) < n) versions.set(path, n);
}

// ---------------------------------------------------------------- shared page state
/** What several modules read; each field has one writer (named), everyone else reads. */
export const state = {
  /** Selected paths (selection.js). @type {Set<string>} */
  selected: new Set(),
  /** Result index a Shift range starts from (selection.js). */
  anchor: -1,
  /** Result index and path of the current card, the one the keyboard moves from (selection.js). */
  cursor: -1,
  /** @type {string | null} */
  cursorPath: null,
  /** Every path of the current result, once fetched for a range or select-all (selection.js). @type {{ query: string, paths: string[] } | null} */
  allPaths: null,
  /** The item the inspector shows, null when none or several (inspector.js). @type {string | null} */
  inspected: null,
};

/** The one selected path, or null when none or several are selected. */
export function singleSelected() {
  return state.selected.size === 1 ? (state.selected.values().next().value ?? null) : null;
}

/**
 * Topics and what they carry:
 *   selection  the selection or the cursor changed
 *   save       something unsaved changed (a write started or ended, a note typed, a conflict opened or closed)
 *   conflict   a write met a newer version and no caller handles it: { path, fields, current }
 *   written    the server accepted these records (write answers): { records }
 *   records    these records were shown on the page (write answers and others' edits): { records }
 * @typedef {{
 *   selection: undefined,
 *   save: undefined,
 *   conflict: { path: string, fields: Record<string, unknown>, current: any },
 *   written: { records: any[] },
 *   records: { records: { path: string, version: number }[] },
 * }} Topics
 */
/** @type {Map<string, Set<(detail: any) => void>>} */
const listeners = new Map();

/**
 * Calls `fn` on every `notify(topic)`, in subscription order; returns the unsubscribe.
 * @template {keyof Topics} K
 * @param {K} topic
 * @param {(detail: Topics[K]) => void} fn
 */
export function subscribe(topic, fn) {
  const set = listeners.get(topic) ?? new Set();
  listeners.set(topic, set);
  set.add(fn);
  return () => set.delete(fn);
}

/**
 * @template {keyof Topics} K
 * @param {K} topic
 * @param {Topics[K]} [detail]
 */
export function notify(topic, detail) {
  for (const fn of [...(listeners.get(topic) ?? [])]) fn(/** @type {Topics[K]} */ (detail));
}
