// @ts-check
// How the features loaded on first use (public/on-demand.js) are opened: these stay in the first load, the
// features come when first asked for. C with 2–4 images selected, or the multi-selection inspector's
// "Compare N", opens compare (M4); the toolbar's Bursts / Duplicates open the groups (M5); the first viewer
// shown (opened here or in the page from the server, `view=1`) brings its zoom and pan (U33).
import { typing } from "./keyboard.js";
import * as later from "./on-demand.js";
import { $, state } from "./page-state.js";

/** @param {string[]} paths */
export async function openCompare(paths) {
  (await later.compare()).openCompare(paths);
}

document.addEventListener("click", (e) => {
  const t = e.target instanceof Element ? e.target : null;
  if (t?.closest("[data-compare-open]")) {
    e.preventDefault();
    openCompare([...state.selected]);
    return;
  }
  const groups = /** @type {HTMLElement | null} */ (t?.closest("[data-groups-open]") ?? null);
  if (groups) {
    e.preventDefault();
    const kind = groups.dataset.groupsOpen === "duplicate" ? "duplicate" : "burst";
    later.groups().then((m) => m.openGroups(kind));
  }
});

document.addEventListener("keydown", (e) => {
  // While compare is open it takes the keys itself (captured, public/compare.js).
  if (e.key.toLowerCase() !== "c" || e.defaultPrevented || typing(e.target)) return;
  if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
  if ($("#viewer") || $("#groups") || $("#compare")) return;
  if (/** @type {HTMLDialogElement | null} */ ($("#shortcuts"))?.open) return;
  const paths = [...state.selected];
  if (paths.length < 2 || paths.length > 4) return;
  e.preventDefault();
  openCompare(paths);
});

// Zoom watches every viewer after this one itself (public/zoom.js).
function viewerShown() {
  const slot = document.getElementById("viewer-slot");
  if (!slot) return;
  const seen = new MutationObserver(() => {
    if (!document.getElementById("viewer")) return;
    seen.disconnect();
    later.zoom();
  });
  seen.observe(slot, { childList: true });
  if (document.getElementById("viewer")) {
    seen.disconnect();
    later.zoom();
  }
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", viewerShown);
else viewerShown();
