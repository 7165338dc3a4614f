// @ts-check
// The folder tree and the inspector as panels on wide screens and drawers on narrow ones
// (≤ 900 px), each with a visible toggle in the top bar. Ctrl/⌘+B shows or hides the tree at
// every width (remembered on wide screens); Esc or a tap beside an open drawer closes it, and
// opening a folder from the tree drawer closes it to show the folder.
const NARROW = window.matchMedia("(max-width: 900px)");
const columns = () => document.getElementById("columns");

/** @param {"tree" | "inspector" | null} name */
function setDrawer(name) {
  const c = columns();
  if (!c) return;
  c.dataset.drawer = name ?? "";
  for (const b of document.querySelectorAll(/** @type {"button"} */ ("[data-drawer-toggle]"))) {
    const open = NARROW.matches
      ? b.dataset.drawerToggle === name
      : b.dataset.drawerToggle === "tree" && !c.classList.contains("no-tree");
    b.setAttribute("aria-expanded", open ? "true" : "false");
  }
}

/** The tree toggle: a drawer when narrow, the remembered column when wide. @param {"tree" | "inspector"} name */
function toggle(name) {
  const c = columns();
  if (!c) return;
  if (NARROW.matches) {
    setDrawer(c.dataset.drawer === name ? null : name);
    const panel = /** @type {HTMLElement | null} */ (
      c.querySelector(name === "tree" ? ".sidebar" : ".inspector")
    );
    if (c.dataset.drawer === name) panel?.focus({ preventScroll: true });
    return;
  }
  if (name === "tree") {
    const hidden = c.classList.toggle("no-tree");
    localStorage.setItem("lenslet.tree", hidden ? "hidden" : "shown");
  }
  setDrawer(null);
}

// Capture phase on window: before the page's other shortcuts, which then leave the key alone.
window.addEventListener(
  "keydown",
  (e) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && (e.key === "b" || e.key === "B")) {
      e.preventDefault();
      toggle("tree");
    } else if (e.key === "Escape" && columns()?.dataset.drawer) {
      e.preventDefault();
      setDrawer(null);
    }
  },
  true,
);

document.addEventListener("click", (e) => {
  const t = /** @type {Element} */ (e.target);
  const button = /** @type {HTMLElement | null} */ (t.closest?.("[data-drawer-toggle]"));
  if (button) {
    toggle(button.dataset.drawerToggle === "inspector" ? "inspector" : "tree");
    return;
  }
  if (t.closest?.("[data-action='close-drawer']")) setDrawer(null);
  else if (NARROW.matches && t.closest?.(".sidebar .folder-link")) setDrawer(null);
});

NARROW.addEventListener("change", () => setDrawer(null));

function start() {
  if (localStorage.getItem("lenslet.tree") === "hidden") columns()?.classList.add("no-tree");
  setDrawer(null);
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
