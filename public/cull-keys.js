// @ts-check
// Lightroom's culling keys (spec U18): P pick, X reject, U unflag the selection (or the image in
// the viewer); 6–9 toggle red, yellow, green, blue; V toggles purple (Lightroom has no key for it:
// V for violet). With auto-advance on, the cursor then moves to the next image.
import { autoAdvanceOn } from "./auto-advance.js";
import { cullFieldsOf, showCull } from "./cull-buttons.js";
import { cardFor } from "./grid.js";
import { inspectorPath } from "./inspector.js";
import { moveCursor, typing } from "./keyboard.js";
import { $, state } from "./page-state.js";
import { stepViewer } from "./viewer.js";
import { patchItem, patchMany } from "./writes.js";

/** @type {Record<string, "pick" | "reject" | null>} */
const FLAG_KEYS = { p: "pick", x: "reject", u: null };
/** @type {Record<string, "red" | "yellow" | "green" | "blue">} */
const COLOR_CODES = { Digit6: "red", Digit7: "yellow", Digit8: "green", Digit9: "blue" };

/** The images a key acts on: the one in the viewer, else the selection. */
function targets() {
  const viewer = $("#viewer");
  if (viewer?.dataset.path) return { paths: [viewer.dataset.path], viewer };
  return { paths: [...state.selected], viewer: null };
}

/** The colour an image shows now (card, or the viewer's badges). @param {string} path */
function colorOf(path) {
  const el = cardFor(path) ?? $(`#viewer .cull-buttons`);
  return el?.getAttribute("data-color") ?? "";
}

/** @param {string[]} paths @param {Record<string, unknown>} fields */
function send(paths, fields) {
  if (paths.length === 1) patchItem(paths[0], fields);
  else patchMany(paths, fields);
  // Instant feedback on visible cards; the answer re-renders them.
  for (const p of paths) {
    const card = cardFor(p);
    if (!card) continue;
    if ("set_flag" in fields)
      card.dataset.flag = /** @type {string | null} */ (fields.set_flag) ?? "";
    if ("set_color" in fields)
      card.dataset.color = /** @type {string | null} */ (fields.set_color) ?? "";
  }
}

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
  if (/** @type {HTMLDialogElement | null} */ ($("#shortcuts"))?.open) return;
  const k = e.key.toLowerCase();
  /** @type {Record<string, unknown> | null} */
  let fields = null;
  const { paths, viewer } = targets();
  if (!paths.length) return;
  if (!e.shiftKey && k in FLAG_KEYS) fields = { set_flag: FLAG_KEYS[k] };
  else if (!e.shiftKey && (COLOR_CODES[e.code] || k === "v")) {
    const color = COLOR_CODES[e.code] ?? "purple";
    // Toggle, as Lightroom: when every target has it already, it goes.
    const all = paths.every((p) => colorOf(p) === color);
    fields = { set_color: all ? null : color };
  }
  if (!fields) return;
  e.preventDefault();
  send(paths, fields);
  if (!autoAdvanceOn(e)) return;
  if (viewer) stepViewer(1);
  else moveCursor(1, false);
});

// The buttons of the inspector and the viewer (compare handles its own frames).
document.addEventListener("click", (e) => {
  const b = /** @type {HTMLElement | null} */ (
    e.target instanceof Element ? e.target.closest("[data-cull]") : null
  );
  if (!b || b.closest("#compare")) return;
  const fields = cullFieldsOf(b);
  const bulk = b.closest("#bulk-inspector");
  const path = inspectorPath(b);
  const paths = bulk ? [...state.selected] : path ? [path] : [];
  if (!fields || !paths.length) return;
  e.preventDefault();
  send(paths, fields);
  const box = b.closest("#inspector-body, #viewer, #bulk-inspector");
  if (box)
    showCull(box, "set_flag" in fields ? { flag: fields.set_flag } : { color: fields.set_color });
});
