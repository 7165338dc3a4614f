// @ts-check
// Every label edit: a PATCH (or a batch) with an Idempotency-Key and the
// base version, the save status, retries with the same keys, and showing
// accepted records in the cards. It knows nothing of the inspector: it tells whoever listens
// (notify "save", "conflict", "written"); save-tracker.js turns that into the status line.
import { applyLabels, showStars } from "./card-labels.js";
import { cardFor, decorate, grid, pulses } from "./grid.js";
import {
  browseEl,
  currentQuery,
  noteVersion,
  notify,
  parentOf,
  state,
  store,
  versions,
  withQuery,
  writeHeaders,
} from "./page-state.js";
import { selection } from "./selection.js";

/**
 * @import { BatchPatchBody, BatchResponse, PatchFields, Sidecar, WriteResponse } from "../src/labels/schema.ts"
 * @typedef {BatchResponse["results"][number]} BatchResult
 * @typedef {{ path: string, version: number, star: number | null, tags: string[], flag?: string | null, color?: string | null }} ShownRecord
 *   what a card shows of a record (write answers and item-updated events both carry it)
 * @typedef {(path: string, fields: PatchFields, current: Sidecar) => unknown} OnConflict
 * @typedef {{ key?: string, baseVersion?: number, onConflict?: OnConflict }} PatchOptions
 */

let inFlight = 0;
/** @type {number | null} */
let oldestPendingAt = null;
/** When the oldest unanswered write was sent (null when none): "saving is slow" after 10 s. */
export function oldestPendingSaveAt() {
  return oldestPendingAt;
}
/** @type {Map<string, () => void>} idempotency key -> retry function */
const failed = new Map();
/** @type {string | null} why the last write failed, until one succeeds with nothing kept */
let lastError = null;
/** @type {string | null} the server says its disk fails (persistence event) */
let diskError = null;
let started = false;
/** The write with this key failed and is kept to be re-sent with it. @param {string} key */
export function isKept(key) {
  return failed.has(key);
}
// A write with no answer by then is kept and re-sent with its key (safe: the server applies a key once),
// so a hung connection cannot hold up the writes queued behind it.
const WRITE_TIMEOUT_MS = 20_000;
/** @param {unknown} err */
const unanswered = (err) =>
  /** @type {Error | undefined} */ (err)?.name === "TimeoutError" ? "no answer" : "offline";

/** The writes' part of what is unsaved: kept for a retry, the last error, in flight, anything written yet. */
export function writeState() {
  return { kept: failed.size, error: diskError ?? lastError, inFlight, started };
}
const refreshSaveStatus = () => notify("save");
function saveStarted() {
  if (inFlight === 0) oldestPendingAt = Date.now();
  inFlight++;
  started = true;
  refreshSaveStatus();
}
/** @param {boolean} ok @param {unknown} [reason] */
function saveFinished(ok, reason) {
  inFlight--;
  if (inFlight === 0) oldestPendingAt = null;
  if (!ok) lastError = String(reason ?? "");
  else if (failed.size === 0) lastError = null;
  refreshSaveStatus();
}

// The last write queued for each path. A write waits for the ones before it on the same items, so quick
// edits (4 then 5) go out in order and never conflict with each other (U7).
/** @type {Map<string, Promise<unknown>>} */
const tails = new Map();
/**
 * @template T
 * @param {string[]} paths
 * @param {() => Promise<T>} job
 * @returns {Promise<T>}
 */
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
/** @type {Map<string, number>} */
const chainedBase = new Map();

/**
 * One PATCH with an idempotency key; retried with the same key until it is answered.
 * @param {string} path @param {PatchFields} fields @param {PatchOptions} [opts]
 * @returns {Promise<WriteResponse | null>} the accepted record, or null (conflict, failure)
 */
export function patchItem(path, fields, opts = {}) {
  saveStarted();
  const queued = tails.has(path);
  return inOrder([path], () =>
    sendPatch(path, fields, opts, queued ? chainedBase.get(path) : null),
  );
}

/**
 * `chained`: the base a queued write inherits; a retry starts afresh (opts as first given).
 * @param {string} path @param {PatchFields} fields @param {PatchOptions} opts @param {number | null | undefined} chained
 * @returns {Promise<WriteResponse | null>}
 */
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
    if (opts.onConflict) opts.onConflict(path, fields, body.current);
    else notify("conflict", { path, fields, current: body.current });
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

/** Bulk edit: POST /items/patch in chunks of 1,000 with one key per chunk. @param {string[]} paths @param {PatchFields} fields */
export async function patchMany(paths, fields) {
  /** @type {ShownRecord[]} */
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

/**
 * Different fields per item in ONE POST /items/patch (one key, each item's base version), as
 * compare's "Keep this one" (M4): the pick and the rejects land together or are retried together.
 * @param {{ path: string, fields: PatchFields }[]} entries
 */
export async function patchEach(entries) {
  const chunk = entries.map((e) => e.path);
  const patches = entries.map((e) => ({
    path: e.path,
    base_version: versions.get(e.path) ?? 1,
    ...e.fields,
  }));
  saveStarted();
  const again = { key: crypto.randomUUID(), patches };
  const results = await inOrder(chunk, () => sendChunk(chunk, {}, again));
  bulkDone(
    /** @type {ShownRecord[]} */ ((results ?? []).filter((r) => r.status === 200)),
    (results ?? []).filter((r) => r.status === 409).length,
  );
}

/** @param {ShownRecord[]} written @param {number} conflicts */
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
/**
 * @param {string[]} chunk @param {PatchFields} fields
 * @param {{ key: string, patches: BatchPatchBody["patches"] } | null} [again]
 * @returns {Promise<BatchResult[] | null>}
 */
async function sendChunk(chunk, fields, again = null) {
  const key = again?.key ?? crypto.randomUUID();
  const patches =
    again?.patches ??
    chunk.map((path) => ({ path, base_version: versions.get(path) ?? 1, ...fields }));
  for (const p of patches) chainedBase.set(p.path, p.base_version ?? 1);
  const keep = () =>
    failed.set(key, () => {
      saveStarted();
      inOrder(chunk, () => sendChunk(chunk, fields, { key, patches })).then((results) => {
        if (results)
          bulkDone(
            /** @type {ShownRecord[]} */ (results.filter((r) => r.status === 200)),
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
// Failed writes are kept and re-sent by themselves every few seconds (and when the stream is back).
setInterval(() => {
  if (failed.size && inFlight === 0) retryFailed();
}, 5000);

/** @param {number} n @returns {PatchFields} */
export function starFields(n) {
  return { set_star: n === 0 ? null : n };
}

/** @param {number} n */
export function rateSelection(n) {
  const paths = [...state.selected];
  if (!paths.length) return;
  if (paths.length === 1) patchItem(paths[0], starFields(n));
  else patchMany(paths, starFields(n));
  // Instant feedback on visible cards; the server's answer re-renders them.
  for (const p of paths) {
    const card = cardFor(p);
    if (card) showStars(card, n || null);
  }
}

/** True when labels decide which items the view shows or their order. */
export function labelDrivenView() {
  const q = new URLSearchParams(currentQuery());
  const sort = q.get("sort") ?? "";
  return (
    q.has("stars") ||
    q.has("tag") ||
    q.has("q") ||
    q.has("flag") ||
    q.has("color") ||
    // A stack's card is its best frame (M6): a star or a flag may change which.
    q.has("stack") ||
    sort === "stars" ||
    sort === "flag" ||
    metricSorted()
  );
}

/** True when the view is ordered by a metric (`sort=metric:<name>`). */
export function metricSorted() {
  return (new URLSearchParams(currentQuery()).get("sort") ?? "").startsWith("metric:");
}

/** Re-fetches what the view shows, keeping the scroll position (items may enter or leave a filter). */
export function reloadView() {
  state.allPaths = null;
  if (grid.el?.isConnected && grid.total) grid.reloadVisible();
  else if (browseEl())
    window.htmx.ajax("GET", withQuery("/"), {
      source: "#columns",
      target: "#browse",
      swap: "outerHTML",
    });
}

/** Shows an item wherever it is: its folder, no filters, selected. */
/** @param {string} path */
export function reveal(path) {
  const url = `/?folder=${encodeURIComponent(parentOf(path))}&sel=${encodeURIComponent(path)}`;
  window.htmx
    .ajax("GET", url, { source: "#columns", target: "#browse", swap: "outerHTML" })
    .then(() => {
      history.pushState(history.state, "", url);
      state.selected = new Set([path]);
      selection.changed();
    });
}

/** @param {import("../src/live/protocol.ts").PersistenceState} p */
export function onPersistence(p) {
  if (p.state === "failed") diskError = p.last_error ?? "disk error";
  else if (p.state === "saved") {
    diskError = null;
    if (failed.size) retryFailed();
  }
  refreshSaveStatus();
}

/** Shows accepted records: cards in place, whoever listens (the inspector), and the view when labels drive it. */
/** @param {ShownRecord[]} records */
function afterWrite(records) {
  showRecords(records);
  notify("written", { records });
  if (labelDrivenView()) reloadView();
}

/** Writes records (write answers or item-updated events) into their cards on the page. */
/** @param {ShownRecord[]} records @param {boolean} [pulse] */
export function showRecords(records, pulse = false) {
  notify("records", { records });
  // Other views of an item (the viewer's header) follow the same records.
  document.dispatchEvent(new CustomEvent("lenslet:records", { detail: records }));
  for (const r of records) {
    noteVersion(r.path, r.version);
    const card = cardFor(r.path);
    const applied = card ? applyLabels(card, r) : false;
    if (pulse && (applied || !card)) {
      pulses.set(r.path, Date.now());
      if (card?.parentElement) decorate(card.parentElement);
    }
  }
}
