// @ts-check
// Edits the page had not sent when it went away (a note typed within the autosave delay, then reload or close).
// On pagehide each is sent with `keepalive` (the request outlives the page) and kept in localStorage with its
// Idempotency-Key and base version. The next page that loads sends it again with the same key: the server answers
// a key once, so a write that landed answers 200 again, one that met a newer version answers 409 again and is
// offered as a conflict, and one that never arrived is applied now. Nothing typed is dropped silently.
import { writeHeaders } from "./page-state.js";

const KEY = "lenslet.leftovers";

/**
 * @import { PatchFields, Sidecar } from "../src/labels/schema.ts"
 * @typedef {{ path: string, fields: PatchFields, base: number, from?: { notes?: string }, key: string,
 *   conflicted?: boolean, current?: Sidecar }} Leftover
 * `current`: a conflict left open, with the version it met (offered again, never sent by itself).
 */

/** @returns {Leftover[]} */
export function leftovers() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** @param {Leftover[]} list */
function store(list) {
  if (list.length) localStorage.setItem(KEY, JSON.stringify(list));
  else localStorage.removeItem(KEY);
}

/** @param {string} key */
export function dropLeftover(key) {
  store(leftovers().filter((l) => l.key !== key));
}

/** A conflict still open when the page went away: kept as it is, to be offered again (nothing is sent). */
/** @param {string} path @param {PatchFields} fields @param {Sidecar} current */
export function keepUnchosen(path, fields, current) {
  const field = Object.keys(fields)[0];
  const others = leftovers().filter(
    (l) => !(l.path === path && l.current && Object.keys(l.fields)[0] === field),
  );
  store([
    ...others,
    { path, fields, base: current?.version ?? 1, current, key: crypto.randomUUID() },
  ]);
}

/** Its resend met a newer version while its item was not shown: keep it until the item is inspected. */
/** @param {string} key */
export function keepConflicted(key) {
  store(leftovers().map((l) => (l.key === key ? { ...l, conflicted: true } : l)));
}

/**
 * The page is going away with `fields` of `path` unsent: send them now and keep them for the next load.
 * `from`: the values they were typed over, so a later conflict on other fields only can be told apart.
 */
/** @param {string} path @param {PatchFields} fields @param {number} base @param {{ notes?: string }} from */
export function sendWhileLeaving(path, fields, base, from) {
  const leftover = { path, fields, base, from, key: crypto.randomUUID() };
  store([...leftovers().filter((l) => l.path !== path), leftover]);
  fetch(`/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    keepalive: true,
    headers: { ...writeHeaders(), "Idempotency-Key": leftover.key },
    body: JSON.stringify({ base_version: base, ...fields }),
  }).catch(() => {});
  return leftover;
}
