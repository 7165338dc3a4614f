// Every label edit: a PATCH (or a batch) with an Idempotency-Key and the
// base version, the save status, retries with the same keys, and showing
// accepted records in the cards and inspector.
import { applyLabels } from "./card-labels.js";
import { cardFor, decorate, grid, pulses } from "./grid.js";
import {
  conflictCount,
  inspectedPath,
  refreshInspector,
  showConflict,
  unsentNotes,
} from "./inspector.js";
import {
  browseEl,
  currentQuery,
  noteVersion,
  parentOf,
  setSave,
  store,
  versions,
  withQuery,
  writeHeaders,
} from "./page-state.js";
import { saveStatus, unsaved } from "./save-status.js";
import { selection } from "./selection.js";

let inFlight = 0;
let oldestPendingAt = null;
/** When the oldest unanswered write was sent (null when none): "saving is slow" after 10 s. */
export function oldestPendingSaveAt() {
  return oldestPendingAt;
}
const failed = new Map(); // idempotency key -> retry function
let lastError = null; // why the last write failed, until one succeeds with nothing kept
let diskError = null; // the server says its disk fails (persistence event)
let started = false;
/** The write with this key failed and is kept to be re-sent with it. */
export function isKept(key) {
  return failed.has(key);
}
// A write with no answer by then is kept and re-sent with its key (safe: the server applies a key once),
// so a hung connection cannot hold up the writes queued behind it.
const WRITE_TIMEOUT_MS = 20_000;
const unanswered = (err) => (err?.name === "TimeoutError" ? "no answer" : "offline");

/** Everything not saved yet: writes in flight or kept, text typed and not sent, conflicts awaiting a choice. */
function pendingWork() {
  return {
    kept: failed.size,
    error: diskError ?? lastError,
    saving: inFlight + (unsentNotes() ? 1 : 0),
    waiting: conflictCount(),
    started,
  };
}
/** Shows the save status from what is unsaved now; call after anything that changes it. */
export function refreshSaveStatus() {
  const s = saveStatus(pendingWork());
  setSave(s.state, s.label);
}
// Alpine (and its store) starts after this module: show what was already unsaved by then (a conflict offered
// again at load, U11).
document.addEventListener("alpine:initialized", () => refreshSaveStatus());
function saveStarted() {
  if (inFlight === 0) oldestPendingAt = Date.now();
  inFlight++;
  started = true;
  refreshSaveStatus();
}
function saveFinished(ok, reason) {
  inFlight--;
  if (inFlight === 0) oldestPendingAt = null;
  if (!ok) lastError = String(reason ?? "");
  else if (failed.size === 0) lastError = null;
  refreshSaveStatus();
}

// The last write queued for each path. A write waits for the ones before it on the same items, so quick
// edits (4 then 5) go out in order and never conflict with each other (U7).
const tails = new Map();
function inOrder(paths, job) {
  const before = paths.map((p) => tails.get(p)).filter(Boolean);
  const run = Promise.allSettled(before).then(job);
  for (const p of paths) tails.set(p, run);
  const forget = () => {
    for (const p of paths) if (tails.get(p) === run) tails.delete(p);
  };
  run.then(forget, forget);
  return run;
}

// The version a write queued behind another must be based on: the one it returned, or, when it was refused
// or not answered, the one it was based on. So an edit made before a conflict was shown conflicts too,
// instead of landing on a version the person never saw.
const chainedBase = new Map();

/** One PATCH with an idempotency key; retried with the same key until it is answered. */
export function patchItem(path, fields, opts = {}) {
  saveStarted();
  const queued = tails.has(path);
  return inOrder([path], () =>
    sendPatch(path, fields, opts, queued ? chainedBase.get(path) : null),
  );
}

/** `chained`: the base a queued write inherits; a retry starts afresh (opts as first given). */
async function sendPatch(path, fields, opts, chained) {
  const key = opts.key ?? crypto.randomUUID();
  const base =
    opts.baseVersion ??
    chained ??
    versions.get(path) ??
    Number(cardFor(path)?.dataset.version ?? 1);
  chainedBase.set(path, base);
  let res;
  try {
    res = await fetch(`/item?path=${encodeURIComponent(path)}`, {
      method: "PATCH",
      headers: { ...writeHeaders(), "Idempotency-Key": key },
      body: JSON.stringify({ base_version: base, ...fields }),
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    });
  } catch (err) {
    failed.set(key, () => patchItem(path, fields, { ...opts, key }));
    saveFinished(false, unanswered(err));
    return null;
  }
  const body = await res.json().catch(() => ({}));
  if (res.ok) {
    failed.delete(key);
    chainedBase.set(path, body.version);
    noteVersion(path, body.version);
    saveFinished(true);
    afterWrite([body]);
    return body;
  }
  if (res.status === 409 && body.error === "version_conflict") {
    noteVersion(path, body.current?.version);
    // The conflict counts as unsaved from here on (U12): it is shown before the status is.
    (opts.onConflict ?? showConflict)(path, fields, body.current);
    saveFinished(true);
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
export async function patchMany(paths, fields) {
  const written = [];
  let conflicts = 0;
  for (let i = 0; i < paths.length; i += 1000) {
    const chunk = paths.slice(i, i + 1000);
    saveStarted();
    const results = await inOrder(chunk, () => sendChunk(chunk, fields));
    // A chunk that failed is kept for a retry (same key, same body); the next ones still go.
    for (const r of results ?? []) {
      if (r.status === 200) written.push(r);
      else if (r.status === 409) conflicts++;
    }
  }
  bulkDone(written, conflicts);
}

function bulkDone(written, conflicts) {
  const s = store("sel");
  if (s)
    s.message = conflicts ? `${conflicts} changed by someone else meanwhile; not overwritten.` : "";
  afterWrite(written);
}

/**
 * One POST /items/patch; its per-item results, or null when the call as a whole failed, in which case
 * it is kept in `failed` and re-sent later with the same key and body (`again`).
 */
async function sendChunk(chunk, fields, again = null) {
  const key = again?.key ?? crypto.randomUUID();
  const patches =
    again?.patches ??
    chunk.map((path) => ({ path, base_version: versions.get(path) ?? 1, ...fields }));
  for (const p of patches) chainedBase.set(p.path, p.base_version);
  const keep = () =>
    failed.set(key, () => {
      saveStarted();
      inOrder(chunk, () => sendChunk(chunk, fields, { key, patches })).then((results) => {
        if (results)
          bulkDone(
            results.filter((r) => r.status === 200),
            results.filter((r) => r.status === 409).length,
          );
      });
    });
  try {
    const res = await fetch("/items/patch", {
      method: "POST",
      headers: { ...writeHeaders(), "Idempotency-Key": key },
      body: JSON.stringify({ patches }),
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      if (res.status >= 500) keep();
      saveFinished(false, body.message ?? body.error ?? res.status);
      return null;
    }
    failed.delete(key);
    const results = body.results ?? [];
    for (const r of results) {
      noteVersion(r.path, r.status === 409 ? r.current?.version : r.version);
      if (r.status === 200) chainedBase.set(r.path, r.version);
    }
    saveFinished(true);
    return results;
  } catch (err) {
    keep();
    saveFinished(false, unanswered(err));
    return null;
  }
}

/** Re-sends failed writes with their original keys (never applied twice). */
export function retryFailed() {
  const jobs = [...failed.values()];
  failed.clear();
  for (const job of jobs) job();
}
// Leaving with an edit not yet saved (in flight, kept for a retry, typed and not sent, or waiting in a conflict)
// would lose it: the browser asks first.
window.addEventListener("beforeunload", (e) => {
  if (unsaved(pendingWork())) e.preventDefault();
});

// Failed writes are kept and re-sent by themselves every few seconds (and when the stream is back).
setInterval(() => {
  if (failed.size && inFlight === 0) retryFailed();
}, 5000);

export function starFields(n) {
  return { set_star: n === 0 ? null : n };
}

export function rateSelection(n) {
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
export function labelDrivenView() {
  const q = new URLSearchParams(currentQuery());
  const sort = q.get("sort") ?? "";
  return q.has("stars") || q.has("tag") || q.has("q") || sort === "stars" || metricSorted();
}

/** True when the view is ordered by a metric (`sort=metric:<name>`). */
export function metricSorted() {
  return (new URLSearchParams(currentQuery()).get("sort") ?? "").startsWith("metric:");
}

/** Re-fetches what the view shows, keeping the scroll position (items may enter or leave a filter). */
export function reloadView() {
  selection.allPaths = null;
  if (grid.el?.isConnected && grid.total) grid.reloadVisible();
  else if (browseEl())
    window.htmx.ajax("GET", withQuery("/"), {
      source: "#columns",
      target: "#browse",
      swap: "outerHTML",
    });
}

/** Shows an item wherever it is: its folder, no filters, selected. */
export function reveal(path) {
  const url = `/?folder=${encodeURIComponent(parentOf(path))}&sel=${encodeURIComponent(path)}`;
  window.htmx
    .ajax("GET", url, { source: "#columns", target: "#browse", swap: "outerHTML" })
    .then(() => {
      history.pushState(history.state, "", url);
      selection.paths = new Set([path]);
      selection.changed();
    });
}

export function onPersistence(p) {
  if (p.state === "failed") diskError = p.last_error ?? "disk error";
  else if (p.state === "saved") {
    diskError = null;
    if (failed.size) retryFailed();
  }
  refreshSaveStatus();
}

/** Shows accepted records: cards in place, the inspector, and the view itself when labels drive it. */
function afterWrite(records) {
  showRecords(records);
  const inspected = inspectedPath();
  if (inspected && records.some((r) => r.path === inspected)) refreshInspector();
  if (labelDrivenView()) reloadView();
}

/** Writes records (write answers or item-updated events) into their cards on the page. */
export function showRecords(records, pulse = false) {
  // Other views of an item (the viewer's header) follow the same records.
  document.dispatchEvent(new CustomEvent("lenslet:records", { detail: records }));
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
