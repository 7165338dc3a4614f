// @ts-check
// The viewer's header follows the item's labels live: a rating from the viewer, the keyboard or
// another person shows at once in its star buttons (never an older version over a newer one);
// and `?` lists the shortcuts over the viewer too.
import { showCull } from "./cull-buttons.js";
import { typing } from "./keyboard.js";

/** Records come from write answers and item-updated events alike (showRecords in writes.js). */
document.addEventListener("lenslet:records", (e) => {
  const viewer = document.getElementById("viewer");
  if (!viewer) return;
  const records =
    /** @type {CustomEvent<{ path: string, version: number, star: number | null, flag?: string | null, color?: string | null }[]>} */ (
      e
    ).detail;
  for (const r of records ?? []) {
    if (r.path !== viewer.dataset.path) continue;
    if (Number(r.version) < Number(viewer.dataset.version ?? 0)) continue;
    viewer.dataset.version = String(r.version);
    showCull(viewer, {
      ...("flag" in r ? { flag: r.flag } : {}),
      ...("color" in r ? { color: r.color } : {}),
    });
    const star = r.star ?? 0;
    for (const b of viewer.querySelectorAll(
      /** @type {"button"} */ ('.star-buttons .star[data-action="star"]'),
    )) {
      const on = Number(b.dataset.value) <= star;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }
});

document.addEventListener("keydown", (e) => {
  if (e.key !== "?" || e.defaultPrevented || typing(e.target)) return;
  const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("shortcuts"));
  if (!document.getElementById("viewer") || !dialog || dialog.open) return;
  e.preventDefault();
  dialog.showModal();
});
