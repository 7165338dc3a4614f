// Lenslet's client: the little state the browser holds (who you are, the
// selection, the virtual grid's window, save status) and the glue that asks
// the server for HTML fragments. Everything shown is rendered by the server.

import { applyLabels } from "./card-labels.js";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// ---------------------------------------------------------------- identity
let askName = false;
const me = (() => {
  let name = localStorage.getItem("lenslet.name");
  if (!name) {
    name = `Guest-${Math.random().toString(36).slice(2, 6)}`;
    localStorage.setItem("lenslet.name", name);
  }
  // Asked once, in a small box that blocks nothing; a guest name until then.
  askName = !localStorage.getItem("lenslet.nameAsked");
  // One id per tab: sessionStorage survives a reload but not a new tab.
  // A duplicated tab copies sessionStorage; the tab claims its id on a
  // BroadcastChannel and takes a new one if another live tab answers.
  let clientId = sessionStorage.getItem("lenslet.client");
  if (!clientId) {
    clientId = Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem("lenslet.client", clientId);
  }
  return { name, clientId };
})();

function writeHeaders() {
  return {
    "Content-Type": "application/json",
    "X-Lenslet-Name": me.name,
    "X-Lenslet-Client": me.clientId,
    "X-Lenslet-Scope": currentFolder(),
  };
}

// ---------------------------------------------------------------- Alpine stores
document.addEventListener("alpine:init", () => {
  const Alpine = window.Alpine;
  Alpine.store("me", { name: me.name });
  Alpine.store("sel", { count: 0, message: "" });
  Alpine.store("sync", {
    saveState: "idle",
    saveLabel: "",
    connState: "live",
    connLabel: "Live",
  });
});
const store = (name) => window.Alpine?.store(name);
function setSave(state, label) {
  const s = store("sync");
  if (s) {
    s.saveState = state;
    s.saveLabel = label;
  }
}

// ---------------------------------------------------------------- browse state
function browseEl() {
  return $("#browse");
}
function currentFolder() {
  return browseEl()?.dataset.folder ?? "/";
}
function currentQuery() {
  return browseEl()?.dataset.query ?? "";
}
function withQuery(path, extra = {}) {
  const p = new URLSearchParams(currentQuery());
  for (const [k, v] of Object.entries(extra)) {
    if (v === null || v === undefined) p.delete(k);
    else p.set(k, String(v));
  }
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}
function syncUrl() {
  const sel = selection.single();
  const viewerOpen = !!$("#viewer");
  const url = withQuery("/", { sel: sel ?? null, view: viewerOpen && sel ? 1 : null });
  if (url !== location.pathname + location.search) history.replaceState(history.state, "", url);
}

// ---------------------------------------------------------------- versions
// Last known version of each item, fed by cards, /select, write answers and events.
const versions = new Map();
function noteVersion(path, v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return;
  if ((versions.get(path) ?? 0) < n) versions.set(path, n);
}

// ---------------------------------------------------------------- virtual grid
const PAGE_TARGET = 120;
const grid = {
  el: null,
  total: 0,
  cols: 1,
  rowH: 0,
  gap: 8,
  pageRows: 1,
  pageSize: PAGE_TARGET,
  pages: new Map(),
  pending: new Map(),
  generation: 0,

  init(el) {
    this.el = el;
    this.generation++;
    this.total = Number(el.dataset.total) || 0;
    this.pages = new Map();
    this.pending = new Map();
    if (!this.total) return;
    const spacer = $(".grid-spacer", el);
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
    for (const card of $$(".card", el)) noteVersion(card.dataset.path, card.dataset.version);
    el.onscroll = () => this.schedule();
    if (!this.resizeObserver) {
      this.resizeObserver = new ResizeObserver(() => {
        if (this.el && this.relayout()) this.schedule();
      });
    }
    this.resizeObserver.disconnect();
    this.resizeObserver.observe(el);
    const sel = selection.single();
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

  setTotal(total) {
    this.total = total;
    this.el.dataset.total = String(total);
    this.layout();
  },

  place(pageEl, k) {
    pageEl.style.top = `${k * this.pageRows * (this.rowH + this.gap)}px`;
    pageEl.dataset.page = String(k);
  },

  firstVisibleIndex() {
    const row = Math.floor(this.el.scrollTop / (this.rowH + this.gap || 1));
    return Math.min(this.total - 1, Math.max(0, row * this.cols));
  },

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

  cardAt(i) {
    return $(`.card[data-index="${i}"]`, this.el);
  },
};

function cardFor(path) {
  return $(`.card[data-path="${CSS.escape(path)}"]`, grid.el ?? document);
}

// A pulse lasts PULSE_MS from its event, whatever re-renders the card meanwhile: never twice, never cut short.
const PULSE_MS = 1400;
const pulses = new Map(); // path -> started at
function pulseStyle(card) {
  const started = pulses.get(card.dataset.path);
  const elapsed = started === undefined ? PULSE_MS : Date.now() - started;
  if (elapsed >= PULSE_MS) {
    if (started !== undefined) pulses.delete(card.dataset.path);
    card.classList.remove("pulse");
    return;
  }
  card.style.setProperty("--pulse-delay", `${-elapsed}ms`);
  card.classList.add("pulse");
}

/** Applies client-side state (selection, cursor, pulse) to freshly swapped cards. */
function decorate(root) {
  for (const card of $$(".card", root)) {
    pulseStyle(card);
    const path = card.dataset.path;
    noteVersion(path, card.dataset.version);
    const on = selection.has(path);
    card.classList.toggle("selected", on);
    card.setAttribute("aria-selected", on ? "true" : "false");
    card.classList.toggle("cursor", path === selection.cursorPath);
  }
}

// ---------------------------------------------------------------- selection
const selection = {
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

// ---------------------------------------------------------------- inspector
let inspectorFor = null;
function loadInspector(path, force = false) {
  const body = $("#inspector-body");
  if (!body) return;
  if (!force && path === inspectorFor) return;
  inspectorFor = path;
  if (!path) {
    if (body.dataset.path) {
      body.outerHTML =
        '<section id="inspector-body" class="inspector-body empty-inspector" data-path=""><p class="muted">Select an image to see its details. Shift- or Ctrl-click to select several.</p></section>';
    }
    return;
  }
  window.htmx.ajax("GET", `/inspector?path=${encodeURIComponent(path)}`, {
    target: "#inspector-body",
    swap: "outerHTML",
  });
}

// ---------------------------------------------------------------- writes
let inFlight = 0;
let oldestPendingAt = null;
const failed = new Map(); // idempotency key -> retry function
function saveStarted() {
  if (inFlight === 0) oldestPendingAt = Date.now();
  inFlight++;
  setSave("saving", "Saving…");
}
function saveFinished(ok, reason) {
  inFlight--;
  if (inFlight === 0) oldestPendingAt = null;
  if (!ok) setSave("failed", `Not saved — Retry${reason ? ` (${reason})` : ""}`);
  else if (inFlight === 0 && failed.size === 0) setSave("saved", "All changes saved");
}

/** One PATCH with an idempotency key; retried with the same key until it is answered. */
async function patchItem(path, fields, opts = {}) {
  const key = opts.key ?? crypto.randomUUID();
  const base =
    opts.baseVersion ?? versions.get(path) ?? Number(cardFor(path)?.dataset.version ?? 1);
  saveStarted();
  let res;
  try {
    res = await fetch(`/item?path=${encodeURIComponent(path)}`, {
      method: "PATCH",
      headers: { ...writeHeaders(), "Idempotency-Key": key },
      body: JSON.stringify({ base_version: base, ...fields }),
    });
  } catch {
    failed.set(key, () => patchItem(path, fields, { ...opts, key }));
    saveFinished(false, "offline");
    return null;
  }
  const body = await res.json().catch(() => ({}));
  if (res.ok) {
    failed.delete(key);
    noteVersion(path, body.version);
    saveFinished(true);
    afterWrite([body]);
    return body;
  }
  if (res.status === 409 && body.error === "version_conflict") {
    saveFinished(true);
    noteVersion(path, body.current?.version);
    showConflict(path, fields, body.current);
    return null;
  }
  if (res.status >= 500 || res.status === 0) {
    failed.set(key, () => patchItem(path, fields, { ...opts, key }));
    saveFinished(false, body.message ?? body.error ?? res.status);
    return null;
  }
  saveFinished(false, body.message ?? body.error);
  return null;
}

/** Bulk edit: POST /items/patch in chunks of 1,000 with one key per chunk. */
async function patchMany(paths, fields) {
  const s = store("sel");
  let conflicts = 0;
  const written = [];
  for (let i = 0; i < paths.length; i += 1000) {
    const chunk = paths.slice(i, i + 1000);
    const key = crypto.randomUUID();
    const patches = chunk.map((path) => ({
      path,
      base_version: versions.get(path) ?? 1,
      ...fields,
    }));
    saveStarted();
    try {
      const res = await fetch("/items/patch", {
        method: "POST",
        headers: { ...writeHeaders(), "Idempotency-Key": key },
        body: JSON.stringify({ patches }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        saveFinished(false, body.message ?? body.error ?? res.status);
        return;
      }
      for (const r of body.results ?? []) {
        if (r.status === 200) {
          noteVersion(r.path, r.version);
          written.push(r);
        } else if (r.status === 409) {
          conflicts++;
          noteVersion(r.path, r.current?.version);
        }
      }
      saveFinished(true);
    } catch {
      saveFinished(false, "offline");
      return;
    }
  }
  if (s)
    s.message = conflicts ? `${conflicts} changed by someone else meanwhile; not overwritten.` : "";
  afterWrite(paths);
}

/** Re-sends failed writes with their original keys (never applied twice). */
function retryFailed() {
  const jobs = [...failed.values()];
  failed.clear();
  for (const job of jobs) job();
}
// Failed writes are kept and re-sent by themselves every few seconds (and when the stream is back).
setInterval(() => {
  if (failed.size && inFlight === 0) retryFailed();
}, 5000);

function starFields(n) {
  return { set_star: n === 0 ? null : n };
}

function rateSelection(n) {
  const paths = [...selection.paths];
  if (!paths.length) return;
  if (paths.length === 1) patchItem(paths[0], starFields(n));
  else patchMany(paths, starFields(n));
  // Instant feedback on visible cards; the server's answer re-renders them.
  for (const p of paths) {
    const stars = cardFor(p)?.querySelector(".stars");
    if (stars) {
      stars.textContent = "★".repeat(n) + "☆".repeat(5 - n);
      stars.classList.toggle("rated", n > 0);
    }
  }
}

/** True when labels decide which items the view shows or their order. */
function labelDrivenView() {
  const q = new URLSearchParams(currentQuery());
  return q.has("stars") || q.has("tag") || q.has("q") || q.get("sort") === "stars";
}

/** Re-fetches what the view shows, keeping the scroll position (items may enter or leave a filter). */
function reloadView() {
  selection.allPaths = null;
  if (grid.el?.isConnected && grid.total) grid.reloadVisible();
  else if (browseEl())
    window.htmx.ajax("GET", withQuery("/"), { target: "#browse", swap: "outerHTML" });
}

/** Shows an item wherever it is: its folder, no filters, selected. */
function reveal(path) {
  const folder = path.slice(0, path.lastIndexOf("/")) || "/";
  const url = `/?folder=${encodeURIComponent(folder)}&sel=${encodeURIComponent(path)}`;
  window.htmx.ajax("GET", url, { target: "#browse", swap: "outerHTML" }).then(() => {
    history.pushState(history.state, "", url);
    selection.paths = new Set([path]);
    selection.changed();
  });
}

function onPersistence(p) {
  if (p.state === "failed")
    setSave("failed", `Not saved — Retry (${p.last_error ?? "disk error"})`);
  else if (p.state === "saved" && failed.size) retryFailed();
  else if (p.state === "saved" && store("sync")?.saveState === "failed")
    setSave("saved", "All changes saved");
}

/** Shows accepted records: cards in place, the inspector, and the view itself when labels drive it. */
function afterWrite(records) {
  showRecords(records);
  if (inspectorFor && records.some((r) => r.path === inspectorFor)) refreshInspector();
  if (labelDrivenView()) reloadView();
}

/** Writes records (write answers or item-updated events) into their cards on the page. */
function showRecords(records, pulse = false) {
  for (const r of records) {
    noteVersion(r.path, r.version);
    const card = cardFor(r.path);
    const applied = card ? applyLabels(card, r) : false;
    if (pulse && (applied || !card)) {
      pulses.set(r.path, Date.now());
      if (card) decorate(card.parentElement);
    }
  }
}

/**
 * Re-renders the inspector from the server, keeping what the person is in
 * the middle of: focus, caret, and any unsaved notes or tag text.
 */
let swappingInspector = false;
async function refreshInspector() {
  const body = $("#inspector-body");
  if (!body || !inspectorFor) return;
  const active = document.activeElement;
  const keep =
    active && body.contains(active) && active.matches("textarea, input")
      ? {
          cls: active.className,
          value: active.value,
          start: active.selectionStart,
          end: active.selectionEnd,
        }
      : null;
  const notes = $(".notes", body);
  const dirtyNotes = notes && notes.value !== notes.dataset.base ? notes.value : null;
  // Removing a focused textarea fires blur: that must not save (the text moves to the new one).
  swappingInspector = true;
  try {
    await window.htmx.ajax("GET", `/inspector?path=${encodeURIComponent(inspectorFor)}`, {
      target: "#inspector-body",
      swap: "outerHTML",
    });
  } finally {
    swappingInspector = false;
  }
  const fresh = $("#inspector-body");
  if (!fresh) return;
  const freshNotes = $(".notes", fresh);
  if (dirtyNotes !== null && freshNotes) {
    freshNotes.value = dirtyNotes;
    scheduleNotesSave(freshNotes);
  }
  renderConflicts();
  if (keep) {
    const el = fresh.querySelector(`.${keep.cls.split(" ").filter(Boolean).join(".")}`);
    if (el) {
      if (el.matches(".tag-input")) el.value = keep.value;
      el.focus();
      try {
        el.setSelectionRange(keep.start, keep.end);
      } catch {}
    }
  }
}

/**
 * Another person changed the item in the inspector. Stars and tags just
 * update; notes that this person is editing are never overwritten: the
 * conflict choice appears instead.
 */
async function remoteInspectorUpdate(ev) {
  const body = $("#inspector-body");
  if (!body || body.dataset.path !== ev.path) return;
  const notes = $(".notes", body);
  const mine = notes && notes.value !== notes.dataset.base ? notes.value : null;
  await refreshInspector();
  if (mine !== null && ev.changed_fields?.includes("notes") && ev.notes !== mine) {
    showConflict(ev.path, { set_notes: mine }, ev);
  }
}

// ---------------------------------------------------------------- conflicts
// Open conflicts by "path|field": they outlive inspector re-renders until the person chooses.
const conflicts = new Map();

function conflictField(mine) {
  return "set_notes" in mine ? "notes" : "set_star" in mine ? "star" : "tags";
}

function hasConflict(path, field) {
  return conflicts.has(`${path}|${field}`);
}

/**
 * A write of mine met a newer version (409), or their change arrived while I
 * was editing the same notes. Never dropped silently: the field shows both
 * and the person picks.
 */
function showConflict(path, mine, current) {
  const field = conflictField(mine);
  if (path !== inspectorFor) {
    const s = store("sel");
    if (s)
      s.message = `${path.split("/").pop()} was changed by ${current?.updated_by ?? "someone"}; your change was not applied.`;
    if (current) showRecords([current]);
    return;
  }
  if (field === "notes") {
    const n = $("#inspector-body .notes");
    if (n) clearTimeout(notesTimers.get(n));
  }
  conflicts.set(`${path}|${field}`, { path, field, mine, current });
  renderConflicts();
}

function resolveConflict(key, choice) {
  const c = conflicts.get(key);
  if (!c) return;
  conflicts.delete(key);
  const n = $("#inspector-body .notes");
  if (c.field === "notes" && n) {
    if (choice === "mine") {
      n.dataset.base = n.value;
      patchItem(c.path, { set_notes: n.value }, { baseVersion: c.current?.version });
    } else {
      n.value = c.current?.notes ?? "";
      n.dataset.base = n.value;
      refreshInspector();
    }
  } else if (choice === "mine") {
    patchItem(c.path, c.mine, { baseVersion: c.current?.version });
  } else {
    refreshInspector();
    if (c.current) showRecords([c.current]);
  }
  renderConflicts();
}

function renderConflicts() {
  for (const slot of $$("#inspector-body .conflict-slot")) slot.replaceChildren();
  for (const [key, c] of conflicts) {
    if (c.path !== inspectorFor) continue;
    const slot = $(`#inspector-body .conflict-slot[data-conflict="${c.field}"]`);
    if (!slot) continue;
    const cur = c.current ?? {};
    const theirs =
      c.field === "star"
        ? "★".repeat(cur.star ?? 0) || "no stars"
        : c.field === "notes"
          ? `“${(cur.notes ?? "").slice(0, 120)}”`
          : (cur.tags ?? []).join(", ") || "no tags";
    const ago = cur.updated_at ? relTime(cur.updated_at) : "just now";
    const box = document.createElement("div");
    box.className = "conflict";
    box.setAttribute("role", "alert");
    const msg = document.createElement("div");
    msg.textContent = `Changed by ${(cur.updated_by ?? "someone").replace(/ \(.*\)$/, "")} ${ago}: ${theirs}`;
    const actions = document.createElement("div");
    actions.className = "actions";
    for (const [label, choice] of [
      ["Apply mine again", "mine"],
      ["Keep theirs", "theirs"],
    ]) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.onclick = () => resolveConflict(key, choice);
      actions.append(b);
    }
    box.append(msg, actions);
    slot.replaceChildren(box);
  }
}

function relTime(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

// ---------------------------------------------------------------- inspector editing
function inspectorPath(el) {
  return el.closest("#inspector-body")?.dataset.path || null;
}

const notesTimers = new WeakMap();
/** Notes save themselves 0.8 s after the last keystroke (and on blur). */
function scheduleNotesSave(textarea) {
  clearTimeout(notesTimers.get(textarea));
  notesTimers.set(
    textarea,
    setTimeout(() => saveNotes(textarea), 800),
  );
}
function saveNotes(textarea) {
  // A re-rendered inspector leaves its old textarea detached: its pending timer must not save.
  if (!textarea.isConnected || swappingInspector) return;
  const path = inspectorPath(textarea);
  if (!path) return;
  const value = textarea.value;
  if (
    value === textarea.dataset.base ||
    value === textarea.dataset.saving ||
    hasConflict(path, "notes")
  )
    return;
  const base = Number(textarea.closest("#inspector-body").dataset.version);
  textarea.dataset.saving = value;
  patchItem(path, { set_notes: value }, { baseVersion: versions.get(path) ?? base }).then(
    (body) => {
      delete textarea.dataset.saving;
      // Only a saved text becomes the base: after a conflict or failure the field stays "dirty".
      if (body && textarea.isConnected) textarea.dataset.base = value;
      const ib = $("#inspector-body");
      if (body && ib?.dataset.path === path) ib.dataset.version = String(body.version);
    },
  );
}

document.addEventListener("input", (e) => {
  const t = e.target;
  if (t.matches?.("#inspector-body .notes")) {
    scheduleNotesSave(t);
    document.dispatchEvent(new CustomEvent("lenslet:typing"));
  }
});
document.addEventListener(
  "blur",
  (e) => {
    if (e.target.matches?.("#inspector-body .notes")) {
      clearTimeout(notesTimers.get(e.target));
      saveNotes(e.target);
    }
  },
  true,
);

document.addEventListener("keydown", (e) => {
  const t = e.target;
  if (e.key !== "Enter") return;
  if (t.matches?.("#inspector-body .tag-input")) {
    e.preventDefault();
    const tag = t.value.trim();
    const path = inspectorPath(t);
    if (tag && path) {
      t.value = "";
      patchItem(path, { add_tags: [tag] });
    }
  } else if (t.matches?.(".bulk-tag-input, .bulk-untag-input")) {
    e.preventDefault();
    const tag = t.value.trim();
    if (!tag) return;
    t.value = "";
    const field = t.classList.contains("bulk-tag-input") ? "add_tags" : "remove_tags";
    patchMany([...selection.paths], { [field]: [tag] });
  }
});

// ---------------------------------------------------------------- clicks
document.addEventListener("click", (e) => {
  const t = e.target;
  const action = t.closest?.("[data-action]");
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
      if (path) patchItem(path, { remove_tags: [action.dataset.tag] });
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
      $("#shortcuts")?.showModal();
      return;
    }
    if (a === "rename") {
      openWhoami();
      return;
    }
    if (a === "export-selection") {
      exportSelection(action.dataset.format);
      return;
    }
    if (a === "retry") {
      retryFailed();
      return;
    }
  }
  // A folder opened from the tree also unfolds there (htmx cancels the summary's own toggle).
  const folderLink = t.closest?.(".tree summary .folder-link");
  if (folderLink) {
    const details = folderLink.closest("details");
    if (details && !details.open) details.open = true;
  }
  if (t.closest?.(".save-status.failed")) {
    retryFailed();
    return;
  }
  const card = t.closest?.(".card");
  if (card && grid.el?.contains(card)) {
    e.preventDefault();
    const i = Number(card.dataset.index);
    const path = card.dataset.path;
    if (e.shiftKey) selection.range(i, path);
    else if (e.ctrlKey || e.metaKey) selection.toggle(i, path);
    else selection.selectOnly(i, path);
    grid.el.focus({ preventScroll: true });
  }
});

document.addEventListener("dblclick", (e) => {
  const card = e.target.closest?.(".card");
  if (card) openViewer(card.dataset.path);
});

function openWhoami(focus = true) {
  const d = $("#whoami");
  if (!d || d.open) return;
  $("#whoami-name").value = me.name;
  d.show();
  d.addEventListener("close", () => localStorage.setItem("lenslet.nameAsked", "1"), { once: true });
  if (focus) $("#whoami-name").select();
}

function setName(name) {
  const clean = name.trim().slice(0, 64);
  if (!clean) return;
  me.name = clean;
  localStorage.setItem("lenslet.name", clean);
  const s = store("me");
  if (s) s.name = clean;
  document.dispatchEvent(new CustomEvent("lenslet:rename"));
}

document.addEventListener("submit", (e) => {
  if (e.target.matches?.('[data-action="whoami-form"]')) setName($("#whoami-name").value);
});

async function exportSelection(format) {
  const paths = [...selection.paths];
  if (!paths.length) return;
  const res = await fetch("/export", {
    method: "POST",
    headers: writeHeaders(),
    body: JSON.stringify({ paths, format }),
  });
  const blob = await res.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `lenslet-selection.${format}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---------------------------------------------------------------- viewer
async function openViewer(path) {
  if (!path) return;
  if (!selection.has(path) || selection.paths.size !== 1) {
    const card = cardFor(path);
    selection.selectOnly(Number(card?.dataset.index ?? -1), path);
  }
  await window.htmx.ajax("GET", withQuery("/viewer", { sel: path }), {
    target: "#viewer-slot",
    swap: "innerHTML",
  });
  syncUrl();
}
function closeViewer() {
  const slot = $("#viewer-slot");
  if (slot) slot.replaceChildren();
  syncUrl();
  const sel = selection.single();
  const card = sel ? cardFor(sel) : null;
  if (card) grid.scrollToIndex(Number(card.dataset.index), "nearest");
}
function stepViewer(delta) {
  const v = $("#viewer");
  const next = delta < 0 ? v?.dataset.prev : v?.dataset.next;
  if (!next) return;
  const card = cardFor(next);
  selection.selectOnly(Number(card?.dataset.index ?? -1), next);
  openViewer(next);
}

// ---------------------------------------------------------------- keyboard
function typing(t) {
  return (
    t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))
  );
}

async function moveCursor(delta, extend) {
  if (!grid.total) return;
  let i =
    selection.cursor < 0 ? 0 : Math.min(grid.total - 1, Math.max(0, selection.cursor + delta));
  if (selection.cursor < 0) i = 0;
  grid.scrollToIndex(i, "nearest");
  let card = grid.cardAt(i);
  if (!card) {
    const page = Math.floor(i / grid.pageSize);
    await grid.load(page);
    card = grid.cardAt(i);
  }
  if (!card) return;
  const path = card.dataset.path;
  if (extend) selection.range(i, path);
  else selection.selectOnly(i, path);
}

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || typing(e.target)) return;
  if ($("#shortcuts")?.open) return;
  const viewerOpen = !!$("#viewer");
  const k = e.key;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && (k === "a" || k === "A")) {
    e.preventDefault();
    selection.selectAll();
    return;
  }
  if (mod || e.altKey) return;
  const digit = /^Digit([0-5])$/.exec(e.code);
  if (digit) {
    e.preventDefault();
    const n = Number(digit[1]);
    if (viewerOpen) {
      const p = $("#viewer").dataset.path;
      patchItem(p, starFields(n));
      if (e.shiftKey) stepViewer(1);
    } else {
      rateSelection(n);
      if (e.shiftKey) moveCursor(1, false);
    }
    return;
  }
  if (viewerOpen) {
    if (k === "Escape") closeViewer();
    else if (k === "ArrowLeft" || k === "a" || k === "A") stepViewer(-1);
    else if (k === "ArrowRight" || k === "d" || k === "D") stepViewer(1);
    else return;
    e.preventDefault();
    return;
  }
  const cols = grid.cols || 1;
  const moves = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -cols,
    ArrowDown: cols,
    a: -1,
    d: 1,
    w: -cols,
    s: cols,
  };
  const m = moves[k] ?? moves[k.toLowerCase?.()];
  if (m !== undefined) {
    e.preventDefault();
    moveCursor(m, e.shiftKey);
    return;
  }
  if (k === "Enter") {
    const p = selection.single() ?? selection.cursorPath;
    if (p) {
      e.preventDefault();
      openViewer(p);
    }
    return;
  }
  if (k === "Escape") {
    selection.clear();
    return;
  }
  if (k === "/") {
    e.preventDefault();
    $("#search")?.focus();
    return;
  }
  if (k === "Backspace") {
    const folder = currentFolder();
    if (folder !== "/") {
      e.preventDefault();
      const parent = folder.slice(0, folder.lastIndexOf("/")) || "/";
      const link = $(`.crumb[data-folder="${CSS.escape(parent)}"]`);
      link?.click();
    }
    return;
  }
  if (k === "?") {
    $("#shortcuts")?.showModal();
  }
});

// Esc in a field leaves the field, so shortcuts work again.
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && typing(e.target)) e.target.blur();
});

// ---------------------------------------------------------------- htmx wiring
function onLoad(root) {
  const g = root.id === "grid" ? root : root.querySelector?.("#grid");
  if (g) {
    selection.allPaths = null;
    // A new view keeps the selection only for items still in it.
    const sel = new URLSearchParams(location.search).get("sel");
    selection.paths = new Set(sel ? [sel] : []);
    selection.cursor = -1;
    selection.cursorPath = sel;
    const s = store("sel");
    if (s) s.count = selection.paths.size;
    grid.init(g);
    const card = sel ? cardFor(sel) : null;
    if (card) selection.cursor = Number(card.dataset.index);
    document.querySelectorAll(".folder-link").forEach((a) => {
      const on = a.dataset.folder === currentFolder();
      a.classList.toggle("current", on);
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    // The search box survives swaps (hx-preserve) so typing is never interrupted; when the view
    // changed for another reason (Reveal, a link) it shows that view's query, and text typed while
    // this view was on its way gets its own search.
    const search = $("#search");
    const viewQ = browseEl()?.dataset.q ?? "";
    if (search && document.activeElement !== search) search.value = viewQ;
    else if (search && search.value.trim() !== viewQ)
      search.dispatchEvent(new Event("input", { bubbles: true }));
    const title = browseEl()?.dataset.title;
    if (title) document.title = `${title} · Lenslet`;
    document.dispatchEvent(new CustomEvent("lenslet:folder"));
    document.dispatchEvent(new CustomEvent("lenslet:cards"));
  }
  if (root.id === "inspector-body" || root.querySelector?.("#inspector-body")) {
    const ib = root.id === "inspector-body" ? root : root.querySelector("#inspector-body");
    if (ib.dataset.path) noteVersion(ib.dataset.path, ib.dataset.version);
  }
}

function start() {
  const htmx = window.htmx;
  htmx.onLoad((el) => onLoad(el));
  const sel = new URLSearchParams(location.search).get("sel");
  if (sel) {
    selection.paths = new Set([sel]);
    inspectorFor = sel;
  }
  onLoad(document.body);
  if (!sel) inspectorFor = null;
  if (askName) openWhoami(false);
  window.lenslet = {
    grid,
    selection,
    versions,
    me,
    patchItem,
    cardFor,
    showRecords,
    retryFailed,
    currentFolder,
    noteVersion,
    labelDrivenView,
    reloadView,
    inspectorPath: () => inspectorFor,
    remoteInspectorUpdate,
    reveal,
    onPersistence,
    oldestPendingSaveAt: () => oldestPendingAt,
  };
  document.dispatchEvent(new CustomEvent("lenslet:ready"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
