// @ts-check
// The selection (click, Shift range, Ctrl/⌘ toggle, select all) and the cursor; ranges beyond the loaded
// pages come from GET /select. The data lives in page-state (state.selected, …); this module is its one
// writer and tells the others by notify("selection"): the grid redraws its marks, the inspector follows.
import { grid } from "./grid.js";
import {
  $,
  currentQuery,
  noteVersion,
  notify,
  singleSelected,
  state,
  store,
  withQuery,
} from "./page-state.js";

// ---------------------------------------------------------------- selection
export const selection = {
  /** @param {string} p */
  has(p) {
    return state.selected.has(p);
  },
  single() {
    return singleSelected();
  },
  changed() {
    const s = store("sel");
    if (s) {
      s.count = state.selected.size;
      s.message = "";
    }
    notify("selection");
    syncUrl();
  },
  /** @param {number} i @param {string | null} path */
  setCursor(i, path) {
    state.cursor = i;
    state.cursorPath = path;
  },
  clear() {
    state.selected.clear();
    state.anchor = -1;
    this.changed();
  },
  /** @param {number} i @param {string} path */
  selectOnly(i, path) {
    state.selected = new Set([path]);
    state.anchor = i;
    this.setCursor(i, path);
    this.changed();
  },
  /** @param {number} i @param {string} path */
  toggle(i, path) {
    if (state.selected.has(path)) state.selected.delete(path);
    else state.selected.add(path);
    state.anchor = i;
    this.setCursor(i, path);
    this.changed();
  },
  /** @param {number} i @param {string} path */
  async range(i, path) {
    const from = Math.min(state.anchor < 0 ? i : state.anchor, i);
    const to = Math.max(state.anchor < 0 ? i : state.anchor, i);
    const all = await this.resultPaths(from, to);
    state.selected = new Set(all);
    this.setCursor(i, path);
    this.changed();
  },
  async selectAll() {
    const all = await this.resultPaths(0, grid.total - 1);
    state.selected = new Set(all);
    this.changed();
  },
  /**
   * Paths at result indexes from..to: from the DOM when loaded, else from /select.
   * @param {number} from @param {number} to
   * @returns {Promise<string[]>}
   */
  async resultPaths(from, to) {
    const out = [];
    let complete = true;
    for (let i = from; i <= to; i++) {
      const c = grid.cardAt(i);
      if (!c) {
        complete = false;
        break;
      }
      out.push(c.dataset.path ?? "");
    }
    if (complete) return out;
    const all = await this.fetchAll();
    return all.slice(from, to + 1);
  },
  /** @returns {Promise<string[]>} */
  async fetchAll() {
    const q = currentQuery();
    if (state.allPaths && state.allPaths.query === q) return state.allPaths.paths;
    const res = await fetch(withQuery("/select"));
    /** @type {import("../src/routes/openapi/pages.ts").SelectResponse} */
    const body = await res.json();
    const paths = body.items.map(([p, v]) => {
      noteVersion(p, v);
      return p;
    });
    state.allPaths = { query: q, paths };
    return paths;
  },
};

/** Keeps the URL naming the selected item and whether the viewer is open. */
export function syncUrl() {
  const sel = singleSelected();
  const viewerOpen = !!$("#viewer");
  const url = withQuery("/", { sel: sel ?? null, view: viewerOpen && sel ? 1 : null });
  if (url !== location.pathname + location.search) history.replaceState(history.state, "", url);
}
