// @ts-check
// Compare (spec M4): C with 2–4 images selected shows them side by side (GET /compare) in a modal
// overlay: focus moves in, the page behind is inert, Esc closes and focus goes back. Zoom and pan
// are ONE shared state (scale in image pixels, the image point at each frame's centre), so every
// frame follows the one being zoomed or dragged, 1:1 included. Keys act on the frame in focus
// (←/→ move it); "Keep this one" picks it and rejects the others in one batch write.

import { cullFieldsOf, showCull } from "./cull-buttons.js";
import { typing } from "./keyboard.js";
import { showOverlay } from "./overlay.js";
import { noteVersion } from "./page-state.js";
import { patchEach, patchItem } from "./writes.js";

const MAX_SCALE = 16;

/** Shared zoom: fit (each frame fits its own), or a scale with the image point at the centre. */
const zoom = { fit: true, scale: 1, cx: 0.5, cy: 0.5 };
/** @type {{ root: HTMLElement, close: () => void, resize: ResizeObserver } | null} */
let open = null;
/** @type {{ frame: HTMLElement, x: number, y: number, cx: number, cy: number } | null} */
let drag = null;

/** @param {string[]} paths */
export async function openCompare(paths) {
  if (open || paths.length < 2 || paths.length > 4) return;
  const q = new URLSearchParams();
  for (const p of paths) q.append("path", p);
  const res = await fetch(`/compare?${q}`);
  if (!res.ok || open) return;
  const html = await res.text();
  if (open) return;
  const modal = showOverlay("compare-slot", html);
  const root = /** @type {HTMLElement | null} */ (modal.slot.querySelector("#compare"));
  if (!root) {
    modal.close();
    return;
  }
  Object.assign(zoom, { fit: true, scale: 1, cx: 0.5, cy: 0.5 });
  open = { root, close: modal.close, resize: new ResizeObserver(() => layout()) };
  for (const f of frames()) {
    noteVersion(f.dataset.path ?? "", f.dataset.version);
    const img = /** @type {HTMLImageElement} */ (f.querySelector(".compare-img"));
    img.addEventListener("load", () => layout());
    img.addEventListener("error", () => {
      if (img.dataset.display && img.getAttribute("src") !== img.dataset.display)
        img.src = img.dataset.display;
    });
    open.resize.observe(/** @type {Element} */ (f.querySelector(".compare-stage")));
  }
  layout();
  frames()[0]?.focus();
}

export function closeCompare() {
  if (!open) return;
  const { close, resize } = open;
  open = null;
  resize.disconnect();
  close();
}

/** @returns {HTMLElement[]} */
function frames() {
  return open ? [...open.root.querySelectorAll(/** @type {"section"} */ (".compare-frame"))] : [];
}

/** @param {HTMLElement} f */
function sizeOf(f) {
  const pic = /** @type {HTMLElement} */ (f.querySelector(".compare-pic"));
  const img = /** @type {HTMLImageElement} */ (f.querySelector(".compare-img"));
  const holder = /** @type {HTMLImageElement} */ (f.querySelector(".compare-placeholder"));
  const w = Number(pic.dataset.width) || img.naturalWidth || holder.naturalWidth || 0;
  const h = Number(pic.dataset.height) || img.naturalHeight || holder.naturalHeight || 0;
  const stage = /** @type {HTMLElement} */ (
    f.querySelector(".compare-stage")
  ).getBoundingClientRect();
  return { pic, w, h, W: stage.width, H: stage.height };
}

/** The scale that fits this frame's image (never enlarged past 1:1). @param {HTMLElement} f */
function fitScale(f) {
  const { w, h, W, H } = sizeOf(f);
  return w && h && W && H ? Math.min(1, W / w, H / h) : 1;
}

/** Applies the shared zoom to every frame. */
function layout() {
  if (!open) return;
  for (const f of frames()) {
    const { pic, w, h, W, H } = sizeOf(f);
    if (!w || !h) continue;
    const s = zoom.fit ? fitScale(f) : zoom.scale;
    let x = W / 2 - zoom.cx * w * s;
    let y = H / 2 - zoom.cy * h * s;
    // Centred along an axis where it is smaller than the stage, edge to edge where bigger.
    x = w * s <= W ? (W - w * s) / 2 : Math.min(0, Math.max(W - w * s, x));
    y = h * s <= H ? (H - h * s) / 2 : Math.min(0, Math.max(H - h * s, y));
    pic.style.width = `${w}px`;
    pic.style.height = `${h}px`;
    pic.style.transform = `translate(${x}px, ${y}px) scale(${s})`;
    f.dataset.zoom = zoom.fit ? "fit" : String(Math.round(s * 100) / 100);
    f.dataset.center = `${zoom.cx.toFixed(3)},${zoom.cy.toFixed(3)}`;
  }
  open.root.dataset.zoom = zoom.fit ? "fit" : String(Math.round(zoom.scale * 100) / 100);
  const level = open.root.querySelector(".compare-level");
  const first = frames()[0];
  if (level && first)
    level.textContent = `${Math.round((zoom.fit ? fitScale(first) : zoom.scale) * 100)} %`;
}

/**
 * Zooms every frame to `scale`, keeping the image point under (px, py) of frame `f` still.
 * @param {number} scale @param {HTMLElement | null} f @param {number} [px] @param {number} [py]
 */
function zoomTo(scale, f, px, py) {
  const base = f ?? frames()[0];
  if (!base) return;
  const { w, h, W, H } = sizeOf(base);
  const from = zoom.fit ? fitScale(base) : zoom.scale;
  const s = Math.max(Math.min(1, fitScale(base)), Math.min(MAX_SCALE, scale));
  if (w && h && px !== undefined && py !== undefined) {
    // The image point under the pointer now (from the frame's current transform)...
    const x0 = zoom.fit ? (W - w * from) / 2 : W / 2 - zoom.cx * w * from;
    const y0 = zoom.fit ? (H - h * from) / 2 : H / 2 - zoom.cy * h * from;
    const u = (px - x0) / (w * from);
    const v = (py - y0) / (h * from);
    // ...stays under it at the new scale.
    zoom.cx = u - (px - W / 2) / (w * s);
    zoom.cy = v - (py - H / 2) / (h * s);
  } else if (zoom.fit) {
    zoom.cx = 0.5;
    zoom.cy = 0.5;
  }
  zoom.scale = s;
  zoom.fit = Math.abs(s - fitScale(base)) < 1e-3 && s <= 1;
  clampCenter();
  layout();
}

function fitAll() {
  Object.assign(zoom, { fit: true, cx: 0.5, cy: 0.5 });
  layout();
}

const clampCenter = () => {
  zoom.cx = Math.min(1, Math.max(0, zoom.cx));
  zoom.cy = Math.min(1, Math.max(0, zoom.cy));
};

/** @param {MouseEvent} e @returns {{ f: HTMLElement, px: number, py: number } | null} */
function onStage(e) {
  const t = /** @type {Element} */ (e.target);
  const stage = open && t instanceof Element ? t.closest(".compare-stage") : null;
  const f = /** @type {HTMLElement | null} */ (stage?.closest(".compare-frame") ?? null);
  if (!stage || !f) return null;
  const r = stage.getBoundingClientRect();
  return { f, px: e.clientX - r.left, py: e.clientY - r.top };
}

document.addEventListener(
  "wheel",
  (e) => {
    const at = onStage(e);
    if (!at) return;
    e.preventDefault();
    const from = zoom.fit ? fitScale(at.f) : zoom.scale;
    zoomTo(from * Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), at.f, at.px, at.py);
  },
  { passive: false },
);

document.addEventListener("dblclick", (e) => {
  const at = onStage(e);
  // A double tap was handled as one already (compare-touch.js); the browser may add a dblclick.
  if (!at || Date.now() - compareGestures.touchZoomedAt < 600) return;
  e.preventDefault();
  if (zoom.fit) zoomTo(1, at.f, at.px, at.py);
  else fitAll();
});

document.addEventListener("pointerdown", (e) => {
  const at = onStage(e);
  // Fingers are public/compare-touch.js's: pinch, pan, double tap, swipe.
  if (!at || e.button > 0 || e.pointerType === "touch") return;
  at.f.focus({ preventScroll: true });
  if (!zoom.fit) drag = { frame: at.f, x: e.clientX, y: e.clientY, cx: zoom.cx, cy: zoom.cy };
});
document.addEventListener("pointermove", (e) => {
  if (!drag || !open) return;
  const { w, h } = sizeOf(drag.frame);
  if (!w || !h) return;
  zoom.cx = drag.cx - (e.clientX - drag.x) / (w * zoom.scale);
  zoom.cy = drag.cy - (e.clientY - drag.y) / (h * zoom.scale);
  clampCenter();
  layout();
});
const endDrag = () => {
  drag = null;
};
document.addEventListener("pointerup", endDrag);
document.addEventListener("pointercancel", endDrag);

// ---------------------------------------------------------------- labels of one frame
/** The frame in focus (or holding the focused control), else the first. */
function focusedFrame() {
  const el = document.activeElement;
  return /** @type {HTMLElement | null} */ (el?.closest?.(".compare-frame") ?? frames()[0] ?? null);
}

/** @param {HTMLElement} f @param {Record<string, unknown>} fields */
function write(f, fields) {
  const path = f.dataset.path;
  if (!path) return;
  show(f, fields);
  patchItem(path, fields);
}

/** Shows fields on a frame at once; the answer (or another person's edit) confirms them. */
/** @param {HTMLElement} f @param {Record<string, unknown>} fields */
function show(f, fields) {
  if ("set_star" in fields) f.dataset.star = String(fields.set_star ?? 0);
  if ("set_flag" in fields) f.dataset.flag = /** @type {string} */ (fields.set_flag ?? "");
  if ("set_color" in fields) f.dataset.color = /** @type {string} */ (fields.set_color ?? "");
  showCull(f, { flag: f.dataset.flag, color: f.dataset.color });
  const star = Number(f.dataset.star);
  for (const b of f.querySelectorAll(/** @type {"button"} */ ('button[data-compare="star"]'))) {
    const on = Number(b.dataset.value) > 0 && Number(b.dataset.value) <= star;
    b.classList.toggle("on", on);
    b.setAttribute("aria-pressed", on ? "true" : "false");
  }
}

/** Picks this frame and rejects the others of the set: one batch write. @param {HTMLElement} keep */
function keepThis(keep) {
  /** @type {{ path: string, fields: import("../src/labels/schema.ts").PatchFields }[]} */
  const entries = frames().map((f) => ({
    path: f.dataset.path ?? "",
    fields: { set_flag: f === keep ? "pick" : "reject" },
  }));
  for (const [i, f] of frames().entries()) show(f, entries[i]?.fields ?? {});
  patchEach(entries);
}

// Records from our own writes and from other people's (item-updated) alike (writes.js showRecords).
document.addEventListener("lenslet:records", (e) => {
  if (!open) return;
  const records =
    /** @type {CustomEvent<{ path: string, version: number, star: number | null, flag?: string | null, color?: string | null }[]>} */ (
      e
    ).detail;
  for (const r of records ?? []) {
    for (const f of frames()) {
      if (f.dataset.path !== r.path || Number(r.version) < Number(f.dataset.version ?? 0)) continue;
      f.dataset.version = String(r.version);
      show(f, {
        set_star: r.star,
        ...("flag" in r ? { set_flag: r.flag } : {}),
        ...("color" in r ? { set_color: r.color } : {}),
      });
    }
  }
});

document.addEventListener("click", (e) => {
  const t = /** @type {Element} */ (e.target);
  const b = /** @type {HTMLElement | null} */ (
    open && t instanceof Element ? t.closest("#compare [data-compare], #compare [data-cull]") : null
  );
  if (!b) return;
  const f = /** @type {HTMLElement | null} */ (b.closest(".compare-frame"));
  const cull = cullFieldsOf(b);
  if (cull) {
    if (f) write(f, cull);
    return;
  }
  const v = b.dataset.value ?? "";
  switch (b.dataset.compare) {
    case "close":
      closeCompare();
      return;
    case "zoom":
      if (v === "fit") fitAll();
      else zoomTo(Number(v), null);
      return;
  }
  if (!f) return;
  if (b.dataset.compare === "star") write(f, { set_star: Number(v) || null });
  else if (b.dataset.compare === "keep") keepThis(f);
});

/** @type {Record<string, "pick" | "reject" | null>} */
const FLAG_KEYS = { p: "pick", x: "reject", u: null };
/** @type {Record<string, string>} */
const COLOR_CODES = {
  Digit6: "red",
  Digit7: "yellow",
  Digit8: "green",
  Digit9: "blue",
  KeyV: "purple",
};

// Captured before the page's own keys (keyboard.js, cull-keys.js): while compare is open they act
// on the frame in focus, never on the grid behind it.
document.addEventListener(
  "keydown",
  (e) => {
    // Opening it (C, "Compare N") is public/openers.js's: this module loads on first use.
    if (!open) return;
    if (e.key === "Tab" || e.key === "?" || typing(e.target)) return;
    e.stopPropagation();
    const f = focusedFrame();
    const k = e.key.toLowerCase();
    const mod = e.ctrlKey || e.metaKey || e.altKey;
    const digit = /^Digit([0-5])$/.exec(e.code);
    if (e.key === "Escape") closeCompare();
    else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const all = frames();
      const i = f ? all.indexOf(f) : 0;
      const next = all[(i + (e.key === "ArrowLeft" ? -1 : 1) + all.length) % all.length];
      next?.focus();
    } else if (mod || !f) return;
    else if (digit) write(f, { set_star: Number(digit[1]) || null });
    else if (!e.shiftKey && k in FLAG_KEYS) write(f, { set_flag: FLAG_KEYS[k] });
    else if (!e.shiftKey && COLOR_CODES[e.code]) {
      const c = COLOR_CODES[e.code];
      write(f, { set_color: f.dataset.color === c ? null : c });
    } else if (k === "k") keepThis(f);
    else return;
    e.preventDefault();
  },
  true,
);

// ---------------------------------------------------------------- for touch (compare-touch.js)
/** Moves focus to the next (+1) or previous (−1) frame, round. @param {HTMLElement | null} f @param {number} step */
function focusStep(f, step) {
  const all = frames();
  const i = f ? all.indexOf(f) : 0;
  all[(i + step + all.length) % all.length]?.focus();
}

/** Pans every frame by (dx, dy) screen pixels as seen in frame `f` (nothing to pan at fit). */
/** @param {HTMLElement} f @param {number} dx @param {number} dy */
function panBy(f, dx, dy) {
  if (zoom.fit) return;
  const { w, h } = sizeOf(f);
  if (!w || !h) return;
  zoom.cx -= dx / (w * zoom.scale);
  zoom.cy -= dy / (h * zoom.scale);
  clampCenter();
  layout();
}

/** The shared zoom as fingers drive it: the same state the wheel, keys and mouse move. */
export const compareGestures = {
  /** @param {MouseEvent} e */
  stageAt: (e) => onStage(e),
  /** The frame's scale now (its fit scale at fit). @param {HTMLElement} f */
  scaleOf: (f) => (zoom.fit ? fitScale(f) : zoom.scale),
  isFit: () => zoom.fit,
  zoomTo,
  fitAll,
  panBy,
  focusStep,
  /** When a double tap last toggled the zoom (the dblclick that may follow is ignored). */
  touchZoomedAt: 0,
};
