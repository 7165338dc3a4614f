// @ts-check
// The inspector: one item's details, re-rendered from the server while
// keeping what the person is typing; notes autosave; conflicts as explicit
// state that survives re-renders until the person chooses. It follows the selection and hears of writes
// through page-state (subscribe), so nothing below it imports it.

import {
  dropLeftover,
  keepConflicted,
  keepUnchosen,
  leftovers,
  sendWhileLeaving,
} from "./leftovers.js";
import {
  $,
  $$,
  notify,
  singleSelected,
  state,
  store,
  subscribe,
  versions,
  writeHeaders,
} from "./page-state.js";
import { isKept, patchItem, patchMany, showRecords } from "./writes.js";

const refreshSaveStatus = () => notify("save");
/**
 * @import { Sidecar, PatchFields } from "../src/labels/schema.ts"
 * @import { ItemUpdated } from "../src/live/protocol.ts"
 * @typedef {import("../views/Conflict.tsx").ConflictField} ConflictField
 * @typedef {{ path: string, field: ConflictField, mine: PatchFields, current: Sidecar }} Conflict
 */

/** The notes field in an inspector body. @param {ParentNode | null} root */
function notesIn(root) {
  return /** @type {HTMLTextAreaElement | null} */ (root?.querySelector(".notes") ?? null);
}

/** The item the inspector shows (null when none or several). */
export function inspectedPath() {
  return state.inspected;
}
/** Set at start-up from the URL, before the first render. */
/** @param {string | null} path */
export function setInspectedPath(path) {
  state.inspected = path;
}
/** @param {string | null} path @param {boolean} [force] */
export function loadInspector(path, force = false) {
  const body = $("#inspector-body");
  if (!body) return;
  if (!force && path === state.inspected) return;
  state.inspected = path;
  // Nothing selected: the server's empty inspector (GET /inspector without a path).
  if (!path && !body.dataset.path) return;
  window.htmx.ajax("GET", path ? `/inspector?path=${encodeURIComponent(path)}` : "/inspector", {
    source: "#inspector",
    target: "#inspector-body",
    swap: "outerHTML",
  });
}

let inspectorSwaps = 0; // refreshes in flight (a newer one replaces an older)
/** @type {{ path: string, value: string, from: string, version: number, textarea?: HTMLTextAreaElement } | null} unsent notes text between the old field and the new one */
let carried = null;

/**
 * Re-renders the inspector from the server, keeping what the person is in
 * the middle of: focus, caret, and any unsaved notes or tag text.
 */
export async function refreshInspector() {
  const body = $("#inspector-body");
  if (!body || !state.inspected) return;
  const active = /** @type {HTMLInputElement | null} */ (document.activeElement);
  const keep =
    active && body.contains(active) && active.matches("textarea, input")
      ? {
          cls: active.className,
          value: active.value,
          start: active.selectionStart,
          end: active.selectionEnd,
        }
      : null;
  const notes = notesIn(body);
  const dirtyNotes = notes && notes.value !== notes.dataset.base ? notes.value : null;
  // Until it is in the new field, the text is carried here (a page leaving meanwhile still sends it).
  if (notes && dirtyNotes !== null && !hasConflict(state.inspected, "notes"))
    carried = {
      path: state.inspected,
      value: dirtyNotes,
      from: notes.dataset.base ?? "",
      version: Number(body.dataset.version),
    };
  // Removing a focused textarea fires blur: that must not save (the text moves to the new one).
  inspectorSwaps++;
  try {
    await window.htmx.ajax("GET", `/inspector?path=${encodeURIComponent(state.inspected)}`, {
      source: "#inspector",
      target: "#inspector-body",
      swap: "outerHTML",
    });
  } finally {
    inspectorSwaps--;
    if (inspectorSwaps === 0) carried = null;
  }
  const fresh = $("#inspector-body");
  if (!fresh) return;
  const freshNotes = notesIn(fresh);
  if (dirtyNotes !== null && freshNotes) {
    freshNotes.value = dirtyNotes;
    scheduleNotesSave(freshNotes);
  }
  renderConflicts();
  if (keep) {
    const el = /** @type {HTMLInputElement | null} */ (
      fresh.querySelector(`.${keep.cls.split(" ").filter(Boolean).join(".")}`)
    );
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
/** @param {Pick<ItemUpdated, "path" | "changed_fields"> & Partial<ItemUpdated>} ev */
export async function remoteInspectorUpdate(ev) {
  const body = $("#inspector-body");
  if (!body || body.dataset.path !== ev.path) return;
  const notes = notesIn(body);
  const mine = notes && notes.value !== notes.dataset.base ? notes.value : null;
  await refreshInspector();
  if (mine !== null && ev.changed_fields?.includes("notes") && ev.notes !== mine) {
    showConflict(
      ev.path,
      { set_notes: mine },
      /** @type {Sidecar} */ (/** @type {unknown} */ (ev)),
    );
  }
}

// ---------------------------------------------------------------- conflicts
// Open conflicts by "path|field": they outlive inspector re-renders until the person chooses.
/** @type {Map<string, Conflict>} */
const conflicts = new Map();

/** @param {PatchFields} mine @returns {ConflictField} */
function conflictField(mine) {
  if ("set_notes" in mine) return "notes";
  if ("set_star" in mine) return "star";
  if ("set_flag" in mine) return "flag";
  if ("set_color" in mine) return "color";
  return "tags";
}

/** @param {string | null} path @param {ConflictField} field */
function hasConflict(path, field) {
  return conflicts.has(`${path}|${field}`);
}

/** Changes waiting for the person's choice: unsaved until chosen (U12). */
export function conflictCount() {
  return conflicts.size;
}

/**
 * A write of mine met a newer version (409), or their change arrived while I
 * was editing the same notes. Never dropped silently: the field shows both
 * and the person picks.
 */
/** @param {string} path @param {PatchFields} mine @param {Sidecar} current */
export function showConflict(path, mine, current) {
  const field = conflictField(mine);
  if (path !== state.inspected) {
    const s = store("sel");
    if (s)
      s.message = `${path.split("/").pop()} was changed by ${current?.updated_by ?? "someone"}; your change was not applied.`;
    if (current) showRecords([current]);
    return;
  }
  if (field === "notes") {
    const n = notesIn($("#inspector-body"));
    if (n) clearTimeout(notesTimers.get(n));
  }
  conflicts.set(`${path}|${field}`, { path, field, mine, current });
  renderConflicts();
  refreshSaveStatus();
}

/**
 * @param {string} key @param {"mine" | "theirs"} choice
 * @param {number} [shownVersion] the version the box showed as theirs: mine goes on it
 */
function resolveConflict(key, choice, shownVersion) {
  const c = conflicts.get(key);
  if (!c) return;
  conflicts.delete(key);
  boxes.delete(key);
  refreshSaveStatus();
  const baseVersion = Math.max(shownVersion || 0, c.current?.version ?? 0) || undefined;
  const n = notesIn($("#inspector-body"));
  if (c.field === "notes" && n) {
    if (choice === "mine") {
      n.dataset.base = n.value;
      patchItem(c.path, { set_notes: n.value }, { baseVersion });
    } else {
      n.value = c.current?.notes ?? "";
      n.dataset.base = n.value;
      refreshInspector();
    }
  } else if (choice === "mine") {
    patchItem(c.path, c.mine, { baseVersion });
  } else {
    refreshInspector();
    if (c.current) showRecords([c.current]);
  }
  renderConflicts();
}

// The boxes are the server's (POST /conflict, views/Conflict.tsx): the last one shown per conflict is put
// back at once after an inspector re-render, then fetched again against the item as it is now.
/** @type {Map<string, string>} */
const boxes = new Map();

/** What this person wanted, in the box's terms. @param {Conflict} c */
function mineOf(c) {
  const m = c.mine;
  if (c.field === "star") return { star: m.set_star ?? null };
  if (c.field === "flag") return { flag: m.set_flag ?? null };
  if (c.field === "color") return { color: m.set_color ?? null };
  if (c.field === "notes") {
    const n = notesIn($("#inspector-body"));
    return { notes: n && c.path === state.inspected ? n.value : (m.set_notes ?? "") };
  }
  const tags = new Set(m.set_tags ?? c.current?.tags ?? []);
  for (const t of m.add_tags ?? []) tags.add(t);
  for (const t of m.remove_tags ?? []) tags.delete(t);
  return { tags: [...tags] };
}

function renderConflicts() {
  for (const slot of $$("#inspector-body .conflict-slot")) {
    const key = `${state.inspected}|${slot.dataset.conflict}`;
    const c = conflicts.get(key);
    if (!c) {
      slot.replaceChildren();
      delete slot.dataset.key;
      continue;
    }
    slot.dataset.key = key;
    slot.innerHTML = boxes.get(key) ?? "";
    loadBox(slot, key, c);
  }
}

/** @param {HTMLElement} slot @param {string} key @param {Conflict} c */
async function loadBox(slot, key, c) {
  const res = await fetch("/conflict", {
    method: "POST",
    headers: writeHeaders(),
    body: JSON.stringify({ path: c.path, field: c.field, mine: mineOf(c) }),
  }).catch(() => null);
  if (!res?.ok) return;
  const html = await res.text();
  if (conflicts.get(key) !== c) return;
  boxes.set(key, html);
  if (slot.isConnected && slot.dataset.key === key) slot.innerHTML = html;
}

document.addEventListener("click", (e) => {
  const b = /** @type {HTMLElement | null} */ (
    e.target instanceof Element ? e.target.closest('[data-action="conflict-choose"]') : null
  );
  const key = /** @type {HTMLElement | null} */ (b?.closest(".conflict-slot"))?.dataset.key;
  if (!b || !key) return;
  const shown = Number(/** @type {HTMLElement | null} */ (b.closest(".conflict"))?.dataset.version);
  resolveConflict(key, b.dataset.choice === "mine" ? "mine" : "theirs", shown);
});

// ---------------------------------------------------------------- inspector editing
/** @param {Element} el */
export function inspectorPath(el) {
  // The viewer's star buttons edit the item it shows.
  return (
    /** @type {HTMLElement | null} */ (el.closest("#inspector-body, #viewer"))?.dataset.path || null
  );
}

/** @type {WeakMap<HTMLTextAreaElement, ReturnType<typeof setTimeout>>} */
const notesTimers = new WeakMap();

/**
 * The notes text typed and not yet sent (the autosave waits 0.8 s), or null. Text waiting in a conflict is
 * counted there instead; text on its way is counted as in flight.
 */
export function unsentNotes() {
  if (carried) return carried;
  const n = notesIn($("#inspector-body"));
  const path = n && inspectorPath(n);
  if (!path || n.value === n.dataset.base || n.value === n.dataset.saving) return null;
  if (hasConflict(path, "notes")) return null;
  const version = Number($("#inspector-body")?.dataset.version);
  return { path, value: n.value, from: n.dataset.base ?? "", version, textarea: n };
}

/** The base version a notes save of the inspected item goes on. */
/** @param {string} path */
function notesBase(path) {
  return versions.get(path) ?? Number($("#inspector-body")?.dataset.version);
}
/** Notes save themselves 0.8 s after the last keystroke (and on blur). */
/** @param {HTMLTextAreaElement} textarea */
function scheduleNotesSave(textarea) {
  clearTimeout(notesTimers.get(textarea));
  notesTimers.set(
    textarea,
    setTimeout(() => saveNotes(textarea), 800),
  );
}
/** @param {HTMLTextAreaElement} textarea */
function saveNotes(textarea) {
  // A re-rendered inspector leaves its old textarea detached: its pending timer must not save.
  if (!textarea.isConnected || inspectorSwaps > 0) return;
  const path = inspectorPath(textarea);
  if (!path) return;
  const value = textarea.value;
  if (
    value === textarea.dataset.base ||
    value === textarea.dataset.saving ||
    hasConflict(path, "notes")
  )
    return;
  textarea.dataset.saving = value;
  patchItem(path, { set_notes: value }, { baseVersion: notesBase(path) }).then((body) => {
    delete textarea.dataset.saving;
    // Only a saved text becomes the base: after a conflict or failure the field stays "dirty".
    if (body && textarea.isConnected) textarea.dataset.base = value;
    const ib = $("#inspector-body");
    if (body && ib?.dataset.path === path) ib.dataset.version = String(body.version);
  });
}

document.addEventListener("input", (e) => {
  const t = /** @type {HTMLTextAreaElement} */ (e.target);
  if (t.matches?.("#inspector-body .notes")) {
    scheduleNotesSave(t);
    refreshSaveStatus();
    document.dispatchEvent(new CustomEvent("lenslet:typing"));
  }
});
document.addEventListener(
  "blur",
  (e) => {
    const t = /** @type {HTMLTextAreaElement} */ (e.target);
    if (t.matches?.("#inspector-body .notes")) {
      clearTimeout(notesTimers.get(t));
      saveNotes(t);
    }
  },
  true,
);

document.addEventListener("keydown", (e) => {
  const t = /** @type {HTMLInputElement} */ (e.target);
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
    patchMany([...state.selected], { [field]: [tag] });
  }
});

// ---------------------------------------------------------------- leaving with text unsent (U11)
// The page goes away within the autosave delay: the text goes out now (keepalive) and is kept for the next load.
window.addEventListener("pagehide", () => {
  const u = unsentNotes();
  if (u) {
    if (u.textarea) clearTimeout(notesTimers.get(u.textarea));
    // On the version the field shows, not a newer one the page heard of but has not shown: a note that
    // changed meanwhile must come back as a conflict, never be overwritten unseen.
    sendWhileLeaving(u.path, { set_notes: u.value }, u.version || versions.get(u.path) || 1, {
      notes: u.from,
    });
    // Restored from the back/forward cache, the page re-sends it with the same key (pageshow) instead.
    if (u.textarea) u.textarea.dataset.saving = u.value;
  }
  // A choice not made yet is kept for the next page too (leaving asked first).
  const n = notesIn($("#inspector-body"));
  for (const c of conflicts.values()) {
    const mine =
      c.field === "notes" && n && c.path === state.inspected ? { set_notes: n.value } : c.mine;
    keepUnchosen(c.path, mine, c.current);
  }
});
window.addEventListener("pageshow", (e) => {
  if (e.persisted) offerLeftovers();
});

/** @type {Set<string>} leftover keys on their way */
const offering = new Set();
/**
 * Sends again, with their keys, the edits a page left unsent (public/leftovers.js). The inspected item's note
 * goes back into its field first, so a conflict is offered there like any other; a conflict on an item not
 * shown keeps the text until that item is inspected.
 */
/** @param {string | null} [onlyPath] */
export function offerLeftovers(onlyPath = null) {
  for (const l of leftovers()) {
    if (onlyPath && l.path !== onlyPath) continue;
    const n = l.path === state.inspected ? notesIn($("#inspector-body")) : null;
    if (offering.has(l.key) || ((l.conflicted || l.current) && !n)) continue;
    if (l.current) {
      // A conflict left open: offered again as it was, nothing sent.
      if (n && l.fields.set_notes !== undefined) n.value = l.fields.set_notes;
      dropLeftover(l.key);
      showConflict(l.path, l.fields, l.current);
      continue;
    }
    if (n && l.fields.set_notes !== undefined) {
      n.value = l.fields.set_notes;
      n.dataset.saving = n.value;
    }
    offering.add(l.key);
    let answered = false;
    let again = false; // re-applied on the current version: that write settles the field
    /** @type {import("./writes.js").OnConflict} */
    const onConflict = (path, fields, current) => {
      answered = true;
      // It landed earlier (and its key has since expired): nothing to choose.
      if (current?.notes === fields.set_notes) {
        if (n) n.dataset.base = n.value;
        return dropLeftover(l.key);
      }
      // Only other fields changed since (the note is still the one it was typed over): nothing to choose either.
      if (current && l.from && current.notes === l.from.notes) {
        dropLeftover(l.key);
        again = true;
        return patchItem(path, fields, { baseVersion: current.version }).then((body) => {
          if (n && body) n.dataset.base = n.value;
          if (n) delete n.dataset.saving;
        });
      }
      if (!n) return markConflicted(l.key, path, current);
      dropLeftover(l.key); // the conflict box holds it from here, and leaving asks
      showConflict(path, fields, current);
    };
    patchItem(l.path, l.fields, { key: l.key, baseVersion: l.base, onConflict }).then((body) => {
      offering.delete(l.key);
      if (n && !again) delete n.dataset.saving;
      if (body && n?.isConnected) n.dataset.base = n.value;
      // Saved, or refused for good (the status says why); one kept for a retry stays until it is answered.
      if (body || (!answered && !isKept(l.key))) dropLeftover(l.key);
      refreshSaveStatus();
    });
  }
}

/** @param {string} key @param {string} path @param {Sidecar} current */
function markConflicted(key, path, current) {
  keepConflicted(key);
  const s = store("sel");
  if (s)
    s.message = `Your note on ${path.split("/").pop()} was not saved: ${current?.updated_by ?? "someone"} changed it. Open the image to choose.`;
}
document.addEventListener("lenslet:ready", () => offerLeftovers());

// ---------------------------------------------------------------- what the inspector hears
subscribe("selection", () => loadInspector(singleSelected()));
subscribe("conflict", ({ path, fields, current }) => showConflict(path, fields, current));
subscribe("written", ({ records }) => {
  if (state.inspected && records.some((r) => r.path === state.inspected)) refreshInspector();
});
