// @ts-check
// Compare on touch (spec M4): fingers drive the one shared zoom of public/compare.js, so every
// frame follows. Two fingers pinch (the scale follows their distance, the picture their midpoint),
// one finger pans when zoomed, a double tap toggles fit ↔ 1:1 around the tap, and at fit a
// sideways swipe moves focus to the next or previous frame (whose keys and buttons then act).
import { compareGestures as g } from "./compare.js";

const DOUBLE_TAP_MS = 350;
const TAP_PX = 10;
const SWIPE_PX = 60;

/** Fingers on a stage, in client pixels. @type {Map<number, { x: number, y: number }>} */
const fingers = new Map();
/**
 * @typedef {{ x: number, y: number }} Pt
 * @type {{ kind: "pan", frame: HTMLElement, start: Pt, last: Pt, moved: boolean }
 *   | { kind: "pinch", frame: HTMLElement, d0: number, s0: number, mid: Pt } | null}
 */
let gesture = null;
/** @type {{ at: number, x: number, y: number } | null} */
let lastTap = null;

/** @returns {Pt[]} */
const points = () => [...fingers.values()];
/** @param {Pt[]} p */
const distance = ([a, b]) => (a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0) || 1;
/** @param {Pt[]} p @returns {Pt} */
const midpoint = ([a, b]) => (a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : { x: 0, y: 0 });

/** A client point in the frame's stage. @param {HTMLElement} f @param {Pt} p */
function inStage(f, p) {
  const r = /** @type {HTMLElement} */ (f.querySelector(".compare-stage")).getBoundingClientRect();
  return { x: p.x - r.left, y: p.y - r.top };
}

/** @param {HTMLElement} frame */
function startPan(frame) {
  const p = /** @type {Pt} */ (points()[0]);
  gesture = { kind: "pan", frame, start: p, last: p, moved: false };
}

document.addEventListener("pointerdown", (e) => {
  if (e.pointerType !== "touch") return;
  const at = g.stageAt(e);
  if (!at) return;
  e.preventDefault();
  fingers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  if (fingers.size === 1) {
    at.f.focus({ preventScroll: true });
    startPan(at.f);
  } else if (fingers.size === 2) {
    const frame = gesture?.frame ?? at.f;
    gesture = {
      kind: "pinch",
      frame,
      d0: distance(points()),
      s0: g.scaleOf(frame),
      mid: midpoint(points()),
    };
  }
});

document.addEventListener("pointermove", (e) => {
  if (!fingers.has(e.pointerId) || !gesture) return;
  fingers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  if (gesture.kind === "pinch" && fingers.size >= 2) {
    const mid = midpoint(points());
    // The picture follows the fingers' midpoint, then scales around it.
    g.panBy(gesture.frame, mid.x - gesture.mid.x, mid.y - gesture.mid.y);
    gesture.mid = mid;
    const at = inStage(gesture.frame, mid);
    g.zoomTo((gesture.s0 * distance(points())) / gesture.d0, gesture.frame, at.x, at.y);
  } else if (gesture.kind === "pan") {
    const p = /** @type {Pt} */ (points()[0]);
    if (Math.hypot(p.x - gesture.start.x, p.y - gesture.start.y) > TAP_PX) gesture.moved = true;
    g.panBy(gesture.frame, p.x - gesture.last.x, p.y - gesture.last.y);
    gesture.last = p;
  }
});

/** @param {PointerEvent} e */
function lift(e) {
  if (!fingers.delete(e.pointerId)) return;
  const done = gesture;
  if (fingers.size > 0) {
    // One finger left after a pinch pans from where it is; it never swipes or taps.
    if (done) startPan(done.frame);
    if (gesture?.kind === "pan") gesture.moved = true;
    return;
  }
  gesture = null;
  if (done?.kind !== "pan" || e.type === "pointercancel") return;
  const dx = done.last.x - done.start.x;
  const dy = done.last.y - done.start.y;
  if (g.isFit() && Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) {
    lastTap = null;
    g.focusStep(done.frame, dx < 0 ? 1 : -1);
    return;
  }
  if (done.moved) return;
  const now = Date.now();
  const t = lastTap;
  if (t && now - t.at < DOUBLE_TAP_MS && Math.hypot(t.x - done.last.x, t.y - done.last.y) < 30) {
    lastTap = null;
    g.touchZoomedAt = now;
    const at = inStage(done.frame, done.last);
    if (g.isFit()) g.zoomTo(1, done.frame, at.x, at.y);
    else g.fitAll();
  } else lastTap = { at: now, x: done.last.x, y: done.last.y };
}
document.addEventListener("pointerup", lift);
document.addEventListener("pointercancel", lift);
