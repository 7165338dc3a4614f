// @ts-check
// The multi-selection inspector: with more than one image selected, the server renders what they hold now
// (POST /inspector/many, views/BulkInspector.tsx) in place of the single inspector; it follows the selection
// and every shown write. Its edits go to all: stars (public/app.js), tags, notes.
import { $, state, subscribe, writeHeaders } from "./page-state.js";
import { patchMany } from "./writes.js";

let generation = 0;

async function refresh() {
  const bulk = $("#bulk-inspector");
  const single = /** @type {HTMLElement | null} */ ($(".single-inspector"));
  if (!bulk) return;
  const many = state.selected.size > 1;
  if (single) single.hidden = many;
  const gen = ++generation;
  if (!many) {
    bulk.hidden = true;
    return;
  }
  // Notes being typed here stay: a refresh while the field has focus waits for the next one.
  if (bulk.contains(document.activeElement) && document.activeElement?.matches("textarea, input"))
    return;
  const res = await fetch("/inspector/many", {
    method: "POST",
    headers: writeHeaders(),
    body: JSON.stringify({ paths: [...state.selected] }),
  }).catch(() => null);
  if (!res?.ok || gen !== generation) return;
  const html = await res.text();
  const now = $("#bulk-inspector");
  if (!now || gen !== generation || state.selected.size < 2) return;
  // Morphed, not replaced: a button being pressed (Compare N) is the same element when released, so
  // a refresh between mousedown and mouseup (someone's edit, our own answer) never eats the click.
  await window.htmx.swap({ text: html, target: now, swap: "outerMorph" });
  document.dispatchEvent(new CustomEvent("lenslet:bulk"));
}

subscribe("selection", refresh);
subscribe("records", ({ records }) => {
  if (state.selected.size > 1 && records.some((r) => state.selected.has(r.path))) refresh();
});

document.addEventListener("click", (e) => {
  const b = /** @type {HTMLElement | null} */ (
    e.target instanceof Element ? e.target.closest("#bulk-inspector [data-action]") : null
  );
  if (!b) return;
  const paths = [...state.selected];
  if (b.dataset.action === "bulk-remove-tag" && b.dataset.tag)
    patchMany(paths, { remove_tags: [b.dataset.tag] });
  else if (b.dataset.action === "bulk-notes-save") {
    const field = /** @type {HTMLTextAreaElement | null} */ ($("#bulk-notes"));
    if (!field) return;
    field.dataset.base = field.value;
    field.blur();
    patchMany(paths, { set_notes: field.value });
  }
});
