// @ts-check
// The Bursts / Duplicates region (spec M5): the toolbar's buttons open GET /groups/view for the
// folder shown (its whole subtree) in a modal overlay; while images are still being hashed it asks
// again until none are (the status bar's hashing progress is public/hash-status.js's). "Open in compare"
// hands a group (its first 4) to compare. Loaded on first use (public/openers.js).
import { openCompare } from "./compare.js";
import { watchHashing } from "./hash-status.js";
import { showOverlay } from "./overlay.js";
import { browseEl } from "./page-state.js";

const POLL_MS = 1500;

/** @type {{ slot: HTMLElement, close: () => void, kind: string, timer: number } | null} */
let open = null;

/** @param {string} kind */
function viewUrl(kind) {
  const folder = browseEl()?.dataset.folder ?? "/";
  return `/groups/view?${new URLSearchParams({ kind, folder, recursive: "1" })}`;
}

/** @param {"burst" | "duplicate"} kind */
export async function openGroups(kind) {
  const res = await fetch(viewUrl(kind));
  if (!res.ok) return;
  const html = await res.text();
  if (open) {
    show(html, kind);
    return;
  }
  const modal = showOverlay("groups-slot", html);
  open = { ...modal, kind, timer: 0 };
  /** @type {HTMLElement | null} */ (modal.slot.querySelector("button"))?.focus();
  again();
  watchHashing();
}

/** Replaces the region's content in place, keeping focus on the same control when it is still there. @param {string} html @param {string} kind */
function show(html, kind) {
  if (!open) return;
  const focused = document.activeElement;
  const key =
    focused instanceof HTMLElement && open.slot.contains(focused)
      ? (focused.dataset.groupsKind ?? focused.dataset.groups ?? null)
      : null;
  open.slot.innerHTML = html;
  open.kind = kind;
  const back = key
    ? open.slot.querySelector(`[data-groups-kind="${key}"], [data-groups="${key}"]`)
    : open.slot.querySelector("button");
  /** @type {HTMLElement | null} */ (back)?.focus();
  again();
}

/** While images of the region are still to be hashed, ask again. */
function again() {
  if (!open) return;
  clearTimeout(open.timer);
  const pending = Number(open.slot.querySelector("#groups")?.getAttribute("data-pending") ?? 0);
  if (pending <= 0) return;
  const kind = open.kind;
  open.timer = window.setTimeout(async () => {
    if (!open || open.kind !== kind) return;
    const res = await fetch(viewUrl(kind)).catch(() => null);
    if (res?.ok && open?.kind === kind) show(await res.text(), kind);
  }, POLL_MS);
}

export function closeGroups() {
  if (!open) return;
  clearTimeout(open.timer);
  const { close } = open;
  open = null;
  close();
}

document.addEventListener("click", (e) => {
  const t = e.target instanceof Element ? e.target : null;
  if (!open || !t || !open.slot.contains(t)) return;
  const kind = /** @type {HTMLElement | null} */ (t.closest("[data-groups-kind]"));
  if (kind) {
    openGroups(kind.dataset.groupsKind === "duplicate" ? "duplicate" : "burst");
    return;
  }
  const b = /** @type {HTMLElement | null} */ (t.closest("[data-groups]"));
  if (b?.dataset.groups === "close") closeGroups();
  else if (b?.dataset.groups === "compare") {
    const paths = JSON.parse(b.closest(".group")?.getAttribute("data-paths") ?? "[]");
    closeGroups();
    openCompare(paths.slice(0, 4));
  }
});

document.addEventListener(
  "keydown",
  (e) => {
    if (!open || document.getElementById("compare")) return;
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      closeGroups();
    } else if (e.key !== "Tab") e.stopPropagation();
  },
  true,
);
