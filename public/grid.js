// @ts-check
// The virtual grid: pages of cards fetched as fragments while scrolling, only
// the pages near the viewport kept, a scrollbar that spans the whole result.
// It reads the selection from page-state and redraws the marks when told (notify("selection")).
import { $, $$, noteVersion, singleSelected, state, subscribe, withQuery } from "./page-state.js";

// ---------------------------------------------------------------- virtual grid
const PAGE_TARGET = 120;
export const grid = {
  /** The grid element; set by init() before any other method runs. @type {HTMLElement} */
  el: /** @type {any} */ (null),
  /** The element whose height spans the whole result. @type {HTMLElement} */
  spacer: /** @type {any} */ (null),
  /** @type {ResizeObserver | null} */
  resizeObserver: null,
  raf: 0,
  total: 0,
  cols: 1,
  rowH: 0,
  gap: 8,
  pageRows: 1,
  pageSize: PAGE_TARGET,
  /** Loaded pages by page number. @type {Map<number, HTMLElement>} */
  pages: new Map(),
  /** @type {Map<number, boolean>} */
  pending: new Map(),
  generation: 0,

  /** @param {HTMLElement} el */
  init(el) {
    this.el = el;
    this.generation++;
    this.total = Number(el.dataset.total) || 0;
    this.pages = new Map();
    this.pending = new Map();
    if (!this.total) return;
    const spacer = /** @type {HTMLElement} */ ($(".grid-spacer", el));
    const first = $(".grid-page", el);
    el.classList.add("virtual");
    this.spacer = spacer;
    this.layout();
    const firstOffset = Number(first?.dataset.offset ?? 0);
    if (
      first &&
      firstOffset % this.pageSize === 0 &&
      first.children.length === Math.min(this.pageSize, this.total - firstOffset)
    ) {
      const k = firstOffset / this.pageSize;
      this.place(first, k);
      this.pages.set(k, first);
    } else {
      first?.remove();
    }
    for (const card of $$(".card", el)) noteVersion(card.dataset.path ?? "", card.dataset.version);
    el.onscroll = () => this.schedule();
    if (!this.resizeObserver) {
      this.resizeObserver = new ResizeObserver(() => {
        if (this.el && this.relayout()) this.schedule();
      });
    }
    this.resizeObserver.disconnect();
    this.resizeObserver.observe(el);
    const sel = singleSelected();
    const selCard = sel ? cardFor(sel) : null;
    if (selCard) this.scrollToIndex(Number(selCard.dataset.index));
    else if (firstOffset > 0) this.scrollToIndex(firstOffset);
    this.update();
  },

  metrics() {
    const size = Number(this.el.dataset.size) || 180;
    const width = this.el.clientWidth - 2 * this.gap;
    const cols = Math.max(1, Math.floor((width + this.gap) / (size + this.gap)));
    const cardMeta =
      Number.parseFloat(getComputedStyle(this.el).getPropertyValue("--card-meta")) || 46;
    return { cols, rowH: size + cardMeta };
  },

  layout() {
    const { cols, rowH } = this.metrics();
    this.cols = cols;
    this.rowH = rowH;
    this.pageRows = Math.max(2, Math.ceil(PAGE_TARGET / cols));
    this.pageSize = this.pageRows * cols;
    this.el.style.setProperty("--cols", String(cols));
    this.el.style.setProperty("--row-h", `${rowH}px`);
    const rows = Math.ceil(this.total / cols);
    this.spacer.style.height = `${Math.max(0, rows * (rowH + this.gap) - this.gap)}px`;
  },

  /** Re-lays out after a resize; drops pages when the column count changed. */
  relayout() {
    const { cols, rowH } = this.metrics();
    if (cols === this.cols && rowH === this.rowH) return false;
    const anchor = this.firstVisibleIndex();
    for (const p of this.pages.values()) p.remove();
    this.pages.clear();
    this.generation++;
    this.pending.clear();
    this.layout();
    this.scrollToIndex(anchor);
    return true;
  },

  /** @param {number} total */
  setTotal(total) {
    this.total = total;
    this.el.dataset.total = String(total);
    this.layout();
  },

  /** @param {HTMLElement} pageEl @param {number} k */
  place(pageEl, k) {
    pageEl.style.top = `${k * this.pageRows * (this.rowH + this.gap)}px`;
    pageEl.dataset.page = String(k);
  },

  firstVisibleIndex() {
    const row = Math.floor(this.el.scrollTop / (this.rowH + this.gap || 1));
    return Math.min(this.total - 1, Math.max(0, row * this.cols));
  },

  /** @param {number} i @param {"start" | "nearest"} [mode] */
  scrollToIndex(i, mode = "start") {
    const row = Math.floor(i / this.cols);
    const top = row * (this.rowH + this.gap);
    const view = this.el.clientHeight;
    if (mode === "nearest") {
      if (top < this.el.scrollTop) this.el.scrollTop = top;
      else if (top + this.rowH > this.el.scrollTop + view)
        this.el.scrollTop = top + this.rowH - view + this.gap * 2;
    } else {
      this.el.scrollTop = Math.max(0, top - this.gap);
    }
    this.update();
  },

  schedule() {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.update();
    });
  },

  /** Keeps the pages that overlap the viewport (plus half a screen either side) and drops the rest. */
  update() {
    if (!this.el || !this.total) return;
    const pageH = this.pageRows * (this.rowH + this.gap);
    const view = this.el.clientHeight || 800;
    const top = this.el.scrollTop - view / 2;
    const bottom = this.el.scrollTop + view * 1.5;
    const lastPage = Math.ceil(this.total / this.pageSize) - 1;
    const from = Math.max(0, Math.floor(top / pageH));
    const to = Math.min(lastPage, Math.floor(bottom / pageH));
    for (const [k, p] of this.pages) {
      if (k < from - 1 || k > to + 1) {
        p.remove();
        this.pages.delete(k);
      }
    }
    for (let k = from; k <= to; k++) if (!this.pages.has(k) && !this.pending.has(k)) this.load(k);
  },

  /** @param {number} k @param {boolean} [replace] */
  async load(k, replace = false) {
    const gen = this.generation;
    const offset = k * this.pageSize;
    const url = withQuery("/grid/page", { offset, limit: this.pageSize });
    this.pending.set(k, true);
    try {
      const res = await fetch(url, { headers: { "HX-Request": "true" } });
      if (!res.ok) throw new Error(`page ${k}: ${res.status}`);
      const html = await res.text();
      if (gen !== this.generation || !this.el?.isConnected) return;
      const total = Number(res.headers.get("X-Total"));
      const pageEl = document.createElement("div");
      pageEl.className = "grid-page";
      pageEl.dataset.offset = String(offset);
      pageEl.innerHTML = html;
      this.place(pageEl, k);
      const old = this.pages.get(k);
      if (old) old.replaceWith(pageEl);
      else this.spacer.append(pageEl);
      this.pages.set(k, pageEl);
      decorate(pageEl);
      // Links in cards (a card's folder line) are htmx links like the first page's.
      window.htmx?.process(pageEl);
      if (Number.isFinite(total) && total !== this.total) this.setTotal(total);
      document.dispatchEvent(new CustomEvent("lenslet:cards"));
    } catch (err) {
      console.warn("lenslet: could not load grid page", err);
    } finally {
      if (gen === this.generation) this.pending.delete(k);
    }
    if (!replace) this.update();
  },

  /** Re-fetches the pages in the DOM (after changes that may move items in or out of the view). */
  reloadVisible() {
    this.generation++;
    this.pending.clear();
    for (const k of this.pages.keys()) this.load(k, true);
  },

  /** @param {number} i */
  cardAt(i) {
    return this.el && $(`.card[data-index="${i}"]`, this.el);
  },
};

/** @param {string} path */
export function cardFor(path) {
  return $(`.card[data-path="${CSS.escape(path)}"]`, grid.el ?? document);
}

// A pulse lasts PULSE_MS from its event, whatever re-renders the card meanwhile: never twice, never cut short.
export const PULSE_MS = 1400;
/** @type {Map<string, number>} path -> started at */
export const pulses = new Map();
/** @param {HTMLElement} card */
function pulseStyle(card) {
  const started = pulses.get(card.dataset.path ?? "");
  const elapsed = started === undefined ? PULSE_MS : Date.now() - started;
  if (elapsed >= PULSE_MS) {
    if (started !== undefined) pulses.delete(card.dataset.path ?? "");
    card.classList.remove("pulse");
    return;
  }
  card.style.setProperty("--pulse-delay", `${-elapsed}ms`);
  card.classList.add("pulse");
}

/** Applies client-side state (selection, cursor, pulse) to freshly swapped cards. */
/** @param {ParentNode} root */
export function decorate(root) {
  for (const card of $$(".card", root)) {
    pulseStyle(card);
    const path = card.dataset.path ?? "";
    noteVersion(path, card.dataset.version);
    const on = state.selected.has(path);
    card.classList.toggle("selected", on);
    card.setAttribute("aria-selected", on ? "true" : "false");
    card.classList.toggle("cursor", path === state.cursorPath);
  }
  markActive();
}

/** The listbox names the current card as its active descendant (screen readers follow it; CSS rings it). */
function markActive() {
  const list = grid.el && $("#grid-list", grid.el);
  if (!list) return;
  const card = state.cursorPath ? cardFor(state.cursorPath) : null;
  if (card?.id) list.setAttribute("aria-activedescendant", card.id);
  else list.removeAttribute("aria-activedescendant");
}

subscribe("selection", () => {
  if (grid.el) decorate(grid.el);
});
