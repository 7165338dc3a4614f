// The selection (click, Shift range, Ctrl/⌘ toggle, select all) and the
// cursor; ranges beyond the loaded pages come from GET /select.
import { decorate, grid } from "./grid.js";
import { loadInspector } from "./inspector.js";
import { $, currentQuery, noteVersion, store, withQuery } from "./page-state.js";

// ---------------------------------------------------------------- selection
export const selection = {
  paths: new Set(),
  anchor: -1,
  cursor: -1,
  cursorPath: null,
  allPaths: null,

  has(p) {
    return this.paths.has(p);
  },
  single() {
    return this.paths.size === 1 ? this.paths.values().next().value : null;
  },
  changed() {
    const s = store("sel");
    if (s) {
      s.count = this.paths.size;
      s.message = "";
    }
    if (grid.el) decorate(grid.el);
    const one = this.single();
    loadInspector(one);
    syncUrl();
  },
  setCursor(i, path) {
    this.cursor = i;
    this.cursorPath = path;
  },
  clear() {
    this.paths.clear();
    this.anchor = -1;
    this.changed();
  },
  selectOnly(i, path) {
    this.paths = new Set([path]);
    this.anchor = i;
    this.setCursor(i, path);
    this.changed();
  },
  toggle(i, path) {
    if (this.paths.has(path)) this.paths.delete(path);
    else this.paths.add(path);
    this.anchor = i;
    this.setCursor(i, path);
    this.changed();
  },
  async range(i, path) {
    const from = Math.min(this.anchor < 0 ? i : this.anchor, i);
    const to = Math.max(this.anchor < 0 ? i : this.anchor, i);
    const all = await this.resultPaths(from, to);
    this.paths = new Set(all);
    this.setCursor(i, path);
    this.changed();
  },
  async selectAll() {
    const all = await this.resultPaths(0, grid.total - 1);
    this.paths = new Set(all);
    this.changed();
  },
  /** Paths at result indexes from..to: from the DOM when loaded, else from /select. */
  async resultPaths(from, to) {
    const out = [];
    let complete = true;
    for (let i = from; i <= to; i++) {
      const c = grid.cardAt(i);
      if (!c) {
        complete = false;
        break;
      }
      out.push(c.dataset.path);
    }
    if (complete) return out;
    const all = await this.fetchAll();
    return all.slice(from, to + 1);
  },
  async fetchAll() {
    const q = currentQuery();
    if (this.allPaths?.query === q) return this.allPaths.paths;
    const res = await fetch(withQuery("/select"));
    const body = await res.json();
    const paths = body.items.map(([p, v]) => {
      noteVersion(p, v);
      return p;
    });
    this.allPaths = { query: q, paths };
    return paths;
  },
};

/** Keeps the URL naming the selected item and whether the viewer is open. */
export function syncUrl() {
  const sel = selection.single();
  const viewerOpen = !!$("#viewer");
  const url = withQuery("/", { sel: sel ?? null, view: viewerOpen && sel ? 1 : null });
  if (url !== location.pathname + location.search) history.replaceState(history.state, "", url);
}
