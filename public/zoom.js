// @ts-check
// The viewer's picture: the thumbnail stretched to the image's shape until the original has
// loaded (fetched with a reader for big files, so the viewer says how much has arrived), the
// display image when the browser cannot decode the original, and zoom and pan: Fit, 1:1, the
// wheel, pinch, double-click or double-tap, drag to pan, and swipe left/right to step.
// Each #viewer swapped in starts afresh (fit, nothing in flight from the one before).
import { stepViewer } from "./viewer.js";

const MAX_SCALE = 16;
const SWIPE_PX = 60;
const DOUBLE_TAP_MS = 300;

/** @typedef {{ x: number, y: number }} Point */
/**
 * @typedef {{ kind: "pinch", d0: number, s0: number, mid: Point }
 *   | { kind: "drag", start: Point, last: Point, x0: number, y0: number, type: string }} Gesture
 */
/**
 * @typedef {{
 *   viewer: HTMLElement, stage: HTMLElement, frame: HTMLElement, img: HTMLImageElement,
 *   holder: HTMLImageElement | null, w: number, h: number, scale: number, x: number, y: number,
 *   fit: boolean, abort: AbortController, objectUrl: string | null, pointers: Map<number, Point>,
 *   gesture: Gesture | null, lastTap: { at: number, x: number, y: number } | null, dblAt: number,
 *   enlarge: boolean, resize: ResizeObserver,
 * }} View
 */

/** The viewer being shown: its elements, the image's size in pixels, and the zoom. @type {View | null} */
let v = null;
/** The view, where only a shown viewer calls. */
const shown = () => /** @type {View} */ (v);
/** @param {EventTarget | null} t */
const elementOf = (t) => /** @type {Element} */ (t);

/** @param {HTMLElement} viewer */
function setup(viewer) {
  teardown();
  const stage = /** @type {HTMLElement | null} */ (viewer.querySelector(".viewer-stage"));
  const frame = /** @type {HTMLElement | null} */ (viewer.querySelector(".viewer-frame"));
  const img = /** @type {HTMLImageElement | null} */ (viewer.querySelector(".viewer-img"));
  const holder = /** @type {HTMLImageElement | null} */ (
    viewer.querySelector(".viewer-placeholder")
  );
  if (!stage || !frame || !img) return;
  const view = {
    viewer,
    stage,
    frame,
    img,
    holder,
    w: Number(frame.dataset.width) || 0,
    h: Number(frame.dataset.height) || 0,
    scale: 1,
    x: 0,
    y: 0,
    fit: true,
    abort: new AbortController(),
    objectUrl: null,
    pointers: new Map(),
    gesture: null,
    lastTap: null,
    dblAt: 0,
    // A display image (TIFF, SVG) may be enlarged to fit; an original bitmap never is.
    enlarge: (img.getAttribute("src") ?? img.dataset.src) === img.dataset.display,
    resize: new ResizeObserver(() => v && relayout()),
  };
  v = view;
  view.resize.observe(stage);
  if (!view.w || !view.h) {
    // Size unknown (never read): the placeholder's shape, then the original's, stand in.
    /** @param {HTMLImageElement} el */
    const adopt = (el) => {
      if (v && el.naturalWidth && (!v.w || el === img)) {
        const sized = v.w;
        v.w = el.naturalWidth;
        v.h = el.naturalHeight;
        if (!sized || v.fit) relayout();
      }
    };
    if (holder?.complete) adopt(holder);
    holder?.addEventListener("load", () => adopt(holder));
    img.addEventListener("load", () => adopt(img));
  }
  img.addEventListener("load", () => loaded());
  img.addEventListener("error", () => failed());
  if (img.dataset.src) fetchWithProgress(img.dataset.src, Number(frame.dataset.size) || 0);
  else if (img.complete && img.naturalWidth) loaded();
  // This module loads with the first viewer: its image may have failed before it was here to hear it.
  else if (img.complete && img.getAttribute("src")) failed();
  relayout();
}

function teardown() {
  if (!v) return;
  v.abort.abort();
  v.resize.disconnect();
  if (v.objectUrl) URL.revokeObjectURL(v.objectUrl);
  v = null;
}

function loaded() {
  if (!v) return;
  v.frame.classList.add("loaded");
  progress(null);
}

/** The original did not decode here: the server's display image instead (or its "Can't decode" tile). */
function failed() {
  if (!v) return;
  const display = v.img.dataset.display;
  if (display && v.img.getAttribute("src") !== display) v.img.src = display;
}

/** @param {string} url @param {number} size */
async function fetchWithProgress(url, size) {
  const { img, abort } = shown();
  progress(0, size);
  try {
    const res = await fetch(url, { signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
    // Big originals are streamed (chunked): the index's size is the total then.
    const total = Number(res.headers.get("Content-Length")) || size;
    const reader = res.body.getReader();
    const chunks = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.byteLength;
      if (v?.img === img) progress(got, total);
    }
    if (v?.img !== img) return;
    const blob = new Blob(chunks, { type: res.headers.get("Content-Type") ?? "" });
    v.objectUrl = URL.createObjectURL(blob);
    img.src = v.objectUrl;
  } catch (err) {
    if (abort.signal.aborted || v?.img !== img) return;
    console.warn("lenslet: original not fetched, loading it directly", err);
    img.src = url;
  }
}

/** Shows how much of the original has arrived; null hides it. @param {number | null} got */
function progress(got, total = 0) {
  const box = /** @type {HTMLElement | null | undefined} */ (
    v?.viewer.querySelector(".viewer-progress")
  );
  if (!box) return;
  box.hidden = got === null;
  if (got === null) return;
  const pct = total ? Math.min(100, Math.round((got / total) * 100)) : 0;
  box.style.setProperty("--pct", `${pct}%`);
  const label = box.querySelector(".pct");
  if (label) label.textContent = `Loading original… ${pct} % of ${mb(total)}`;
}
/** @param {number} n */
const mb = (n) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MB`;

// ---------------------------------------------------------------- zoom and pan
function fitScale() {
  const v = shown();
  const { width, height } = v.stage.getBoundingClientRect();
  if (!v.w || !v.h || !width || !height) return 1;
  const s = Math.min(width / v.w, height / v.h);
  return v.enlarge ? s : Math.min(1, s);
}

function relayout() {
  const v = shown();
  v.frame.style.width = `${v.w}px`;
  v.frame.style.height = `${v.h}px`;
  if (v.fit) setScale(fitScale(), null, true);
  else clampAndApply();
}

/** Zooms to `scale`, keeping the stage point `at` still (null: the centre). @param {number} scale @param {Point | null} at */
function setScale(scale, at, fit = false) {
  const v = shown();
  const rect = v.stage.getBoundingClientRect();
  const min = Math.min(fitScale(), 1);
  const s = Math.max(min, Math.min(MAX_SCALE, scale));
  const cx = at ? at.x : rect.width / 2;
  const cy = at ? at.y : rect.height / 2;
  if (fit) {
    v.x = (rect.width - v.w * s) / 2;
    v.y = (rect.height - v.h * s) / 2;
  } else {
    v.x = cx - ((cx - v.x) * s) / v.scale;
    v.y = cy - ((cy - v.y) * s) / v.scale;
  }
  v.scale = s;
  v.fit = fit || Math.abs(s - fitScale()) < 1e-3;
  clampAndApply();
}

/** Keeps the picture on the stage: centred along an axis where it is smaller, edge to edge where bigger. */
function clampAndApply() {
  const v = shown();
  const rect = v.stage.getBoundingClientRect();
  const w = v.w * v.scale;
  const h = v.h * v.scale;
  v.x = w <= rect.width ? (rect.width - w) / 2 : Math.min(0, Math.max(rect.width - w, v.x));
  v.y = h <= rect.height ? (rect.height - h) / 2 : Math.min(0, Math.max(rect.height - h, v.y));
  v.frame.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.scale})`;
  v.viewer.classList.toggle("zoomed", !v.fit);
  v.viewer.dataset.zoom = v.fit ? "fit" : String(Math.round(v.scale * 100) / 100);
  const out = v.viewer.querySelector(".zoom-level");
  if (out) out.textContent = `${Math.round(v.scale * 100)} %`;
}

/** Double-click / double-tap: fit ↔ 1:1 (or twice the fit, for images smaller than the window). */
/** @param {Point} at */
function toggleZoom(at) {
  const v = shown();
  if (v.fit) setScale(Math.abs(fitScale() - 1) < 0.05 ? fitScale() * 2 : 1, at);
  else setScale(fitScale(), null, true);
}

/** @param {MouseEvent} e @returns {Point} */
function stagePoint(e) {
  const r = shown().stage.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}

/** @param {Event} e */
const onStage = (e) =>
  !!v?.stage.contains(elementOf(e.target)) && !elementOf(e.target).closest("button");

document.addEventListener(
  "wheel",
  (e) => {
    if (!onStage(e)) return;
    e.preventDefault();
    setScale(shown().scale * Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), stagePoint(e));
  },
  { passive: false },
);

document.addEventListener("dblclick", (e) => {
  if (!onStage(e) || elementOf(e.target).closest("a") || Date.now() - shown().dblAt < 500) return;
  e.preventDefault();
  toggleZoom(stagePoint(e));
});

document.addEventListener("click", (e) => {
  const b = /** @type {HTMLElement | null} */ (
    elementOf(e.target).closest?.("#viewer [data-zoom]")
  );
  if (!b || !v) return;
  if (b.dataset.zoom === "fit") setScale(fitScale(), null, true);
  else setScale(Number(b.dataset.zoom), null);
});

document.addEventListener("pointerdown", (e) => {
  if (!onStage(e) || e.button > 0) return;
  const v = shown();
  v.pointers.set(e.pointerId, stagePoint(e));
  const pts = [...v.pointers.values()];
  if (pts.length === 2 && pts[0]) {
    // Pinch: the scale follows the fingers' distance, the picture their midpoint.
    v.gesture = { kind: "pinch", d0: dist(pts), s0: v.scale, mid: midpoint(pts) };
  } else if (pts.length === 1 && pts[0]) {
    v.gesture = {
      kind: "drag",
      start: pts[0],
      last: pts[0],
      x0: v.x,
      y0: v.y,
      type: e.pointerType,
    };
  }
});

document.addEventListener("pointermove", (e) => {
  if (!v?.pointers.has(e.pointerId)) return;
  const view = v;
  view.pointers.set(e.pointerId, stagePoint(e));
  const g = view.gesture;
  const pts = [...v.pointers.values()];
  if (g?.kind === "pinch" && pts.length >= 2) {
    const mid = midpoint(pts);
    view.x += mid.x - g.mid.x;
    view.y += mid.y - g.mid.y;
    g.mid = mid;
    setScale((g.s0 * dist(pts)) / g.d0, mid);
  } else if (g?.kind === "drag") {
    g.last = pts[0] ?? g.last;
    if (!view.fit) {
      view.x = g.x0 + g.last.x - g.start.x;
      view.y = g.y0 + g.last.y - g.start.y;
      clampAndApply();
    }
  }
});

/** @param {PointerEvent} e */
function pointerEnd(e) {
  if (!v?.pointers.has(e.pointerId)) return;
  const v2 = v;
  v.pointers.delete(e.pointerId);
  const g = v.gesture;
  if (v.pointers.size > 0) {
    // One finger left after a pinch: it pans from here, it never swipes.
    const p = /** @type {Point} */ ([...v2.pointers.values()][0]);
    v2.gesture = { kind: "drag", start: p, last: p, x0: v2.x, y0: v2.y, type: "pinched" };
    return;
  }
  v.gesture = null;
  if (g?.kind !== "drag" || e.type === "pointercancel") return;
  const dx = g.last.x - g.start.x;
  const dy = g.last.y - g.start.y;
  if (g.type === "touch" && v.fit && Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) {
    stepViewer(dx < 0 ? 1 : -1);
    return;
  }
  if (g.type === "touch" && Math.abs(dx) < 10 && Math.abs(dy) < 10) {
    const now = Date.now();
    const t = v.lastTap;
    if (t && now - t.at < DOUBLE_TAP_MS && Math.hypot(t.x - g.last.x, t.y - g.last.y) < 30) {
      v.lastTap = null;
      v.dblAt = now;
      toggleZoom(g.last);
    } else v.lastTap = { at: now, x: g.last.x, y: g.last.y };
  }
}
document.addEventListener("pointerup", pointerEnd);
document.addEventListener("pointercancel", pointerEnd);

/** @param {Point[]} pts */
const dist = ([a, b]) => (a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0) || 1;
/** @param {Point[]} pts @returns {Point} */
const midpoint = ([a, b]) => (a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : { x: 0, y: 0 });

// ---------------------------------------------------------------- each viewer swapped in
function watch() {
  const slot = document.getElementById("viewer-slot");
  if (!slot) return;
  const check = () => {
    const viewer = document.getElementById("viewer");
    if (viewer && viewer !== v?.viewer) setup(viewer);
    else if (!viewer) teardown();
  };
  new MutationObserver(check).observe(slot, { childList: true });
  check();
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
else watch();
