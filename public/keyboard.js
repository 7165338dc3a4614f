// @ts-check
// Keyboard shortcuts (spec G10); none fires while typing in a field.
import { autoAdvanceOn } from "./auto-advance.js";
import { grid } from "./grid.js";
import { showDialog } from "./modal.js";
import { $, currentFolder, parentOf, state } from "./page-state.js";
import { selection } from "./selection.js";
import { closeViewer, openViewer, stepViewer } from "./viewer.js";
import { patchItem, rateSelection, starFields } from "./writes.js";

/** @param {EventTarget | null} t */
export function typing(t) {
  return (
    t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))
  );
}

/** @param {number} delta @param {boolean} extend */
export function moveCursor(delta, extend) {
  return moveTo(state.cursor < 0 ? 0 : state.cursor + delta, extend);
}

/** Home, End, PageUp, PageDown: the first, the last, a screenful up or down. @param {string} key */
function jumpFor(key) {
  const screen = Math.max(
    1,
    Math.floor((grid.el?.clientHeight ?? 0) / (grid.rowH + grid.gap || 1)),
  );
  const page = screen * (grid.cols || 1);
  if (key === "Home") return -Infinity;
  if (key === "End") return Infinity;
  if (key === "PageDown") return page;
  if (key === "PageUp") return -page;
  return null;
}

/** @param {number} index @param {boolean} extend */
async function moveTo(index, extend) {
  if (!grid.total) return;
  const i = Math.min(grid.total - 1, Math.max(0, index));
  grid.scrollToIndex(i, "nearest");
  let card = grid.cardAt(i);
  if (!card) {
    const page = Math.floor(i / grid.pageSize);
    await grid.load(page);
    card = grid.cardAt(i);
  }
  if (!card) return;
  const path = card.dataset.path ?? "";
  if (extend) selection.range(i, path);
  else selection.selectOnly(i, path);
}

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || typing(e.target)) return;
  if (shortcutsDialog()?.open) return;
  const viewerOpen = !!$("#viewer");
  const k = e.key;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && (k === "a" || k === "A")) {
    e.preventDefault();
    selection.selectAll();
    return;
  }
  if (mod || e.altKey) return;
  const digit = /^Digit([0-5])$/.exec(e.code);
  if (digit) {
    e.preventDefault();
    const n = Number(digit[1]);
    if (viewerOpen) {
      const p = $("#viewer")?.dataset.path;
      if (p) patchItem(p, starFields(n));
      if (e.shiftKey || autoAdvanceOn(e)) stepViewer(1);
    } else {
      rateSelection(n);
      if (e.shiftKey || autoAdvanceOn(e)) moveCursor(1, false);
    }
    return;
  }
  if (viewerOpen) {
    if (k === "Escape") closeViewer();
    else if (k === "ArrowLeft" || k === "a" || k === "A") stepViewer(-1);
    else if (k === "ArrowRight" || k === "d" || k === "D") stepViewer(1);
    else return;
    e.preventDefault();
    return;
  }
  const cols = grid.cols || 1;
  /** @type {Record<string, number>} */
  const moves = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -cols,
    ArrowDown: cols,
    a: -1,
    d: 1,
    w: -cols,
    s: cols,
  };
  const jump = jumpFor(k);
  if (jump !== null) {
    e.preventDefault();
    const from = Math.max(state.cursor, 0);
    moveTo(Number.isFinite(jump) ? from + jump : jump < 0 ? 0 : grid.total - 1, e.shiftKey);
    return;
  }
  const m = moves[k] ?? moves[k.toLowerCase()];
  if (m !== undefined) {
    e.preventDefault();
    moveCursor(m, e.shiftKey);
    return;
  }
  if (k === "Enter") {
    // Enter on a link or a button is theirs (a skip link, Reveal, a tile), never "open the viewer".
    if (e.target instanceof Element && e.target.closest("a[href], button, summary")) return;
    const p = selection.single() ?? state.cursorPath;
    if (p) {
      e.preventDefault();
      openViewer(p);
    }
    return;
  }
  if (k === "Escape") {
    selection.clear();
    return;
  }
  if (k === "/") {
    e.preventDefault();
    $("#search")?.focus();
    return;
  }
  if (k === "Backspace" || k === "Delete") {
    const folder = currentFolder();
    if (folder !== "/") {
      e.preventDefault();
      $(`.crumb[data-folder="${CSS.escape(parentOf(folder))}"]`)?.click();
    }
    return;
  }
  if (k === "?") {
    const d = shortcutsDialog();
    if (d) showDialog(d);
  }
});

function shortcutsDialog() {
  return /** @type {HTMLDialogElement | null} */ ($("#shortcuts"));
}

// Ctrl/⌘+B (the folder tree, at every width) is public/drawers.js.

// Esc in a field leaves the field, so shortcuts work again. Not in an open popover (the Filters menu): Esc
// closes it, and the browser gives the focus back to its button only while the focus is still inside it.
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || !typing(e.target)) return;
  const t = /** @type {HTMLElement} */ (e.target);
  if (!t.closest("[popover]:popover-open")) t.blur();
});
