// @ts-check
// The Metrics panel (views/MetricsPanel.tsx, D18): fetches the panel's body for the view #browse shows,
// again whenever #browse is swapped or others push scores or labels (coalesced), and turns a drag on a
// histogram, a ticked value or a × into `m.<field>=lo..hi` / `c.<field>=a,b` in the URL, swapping #browse
// the way every other filter does (grid, counts and, through the swap, the panel follow).
import { $, browseEl, currentQuery } from "./page-state.js";

const panel = () => $("#metrics-panel");
const section = () => /** @type {HTMLDetailsElement | null} */ ($("#metrics"));

/** @type {AbortController | null} */
let inFlight = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let soon;
/** The query the panel shows, so a swap of the same view does not re-fetch. */
let shownQuery = /** @type {string | null} */ (null);
let dragging = false;

async function refresh() {
  const el = panel();
  if (!el || !browseEl()) return;
  if (section()?.open === false) {
    shownQuery = null; // fetched again when opened
    return;
  }
  if (dragging || keyed.timer !== undefined) return refreshSoon();
  inFlight?.abort();
  const ctl = new AbortController();
  inFlight = ctl;
  const query = currentQuery();
  try {
    const r = await fetch(`/facets/panel${query ? `?${query}` : ""}`, { signal: ctl.signal });
    if (!r.ok) return;
    const html = await r.text();
    if (ctl.signal.aborted) return;
    const focused = focusedHandle();
    el.innerHTML = html;
    shownQuery = query;
    if (focused) refocus(focused);
    el.dispatchEvent(new CustomEvent("lenslet:metrics-panel", { bubbles: true }));
  } catch {
    // aborted by a newer refresh, or offline: the next event refreshes it
  } finally {
    if (inFlight === ctl) inFlight = null;
  }
}

/** Pushes and label changes arrive in bursts: one fetch per quiet 250 ms. */
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(refresh, 250);
}

/** Shows the view `params` names in #browse and the address bar, as the toolbar's filters do. */
/** @param {URLSearchParams} params */
function go(params) {
  params.delete("sel");
  params.delete("view");
  params.delete("offset");
  const qs = params.toString();
  const url = qs ? `/?${qs}` : "/";
  return window.htmx
    .ajax("GET", url, { source: "#columns", target: "#browse", swap: "outerHTML" })
    .then(() => history.pushState(history.state, "", url));
}

/** @param {number} v */
const short = (v) => String(Number(v.toPrecision(6)));

/**
 * The range a drag covers, snapped outward to whole bins; the first bin leaves the low end open and the
 * last the high end, so −∞/+∞ and the maximum itself are inside (src/query/facets.ts bins them there).
 * @param {SVGSVGElement} svg @param {number} a @param {number} b fractions of the width, 0..1
 */
export function brushRange(svg, a, b) {
  const bins = Number(svg.dataset.bins);
  const from = Math.max(0, Math.min(bins - 1, Math.floor(Math.min(a, b) * bins)));
  const to = Math.max(from + 1, Math.min(bins, Math.ceil(Math.max(a, b) * bins)));
  return binRange(svg, from, to);
}

/**
 * The `lo..hi` of bins [from, to): the first bin leaves the low end open, the last the high end.
 * @param {SVGSVGElement} svg @param {number} from @param {number} to
 */
export function binRange(svg, from, to) {
  const min = Number(svg.dataset.min);
  const max = Number(svg.dataset.max);
  const bins = Number(svg.dataset.bins);
  const w = (max - min) / bins;
  const date = svg.dataset.date === "1";
  /** @param {number} v */
  const text = (v) => (date ? new Date(Math.round(v)).toISOString() : short(v));
  const lo = from === 0 ? "" : text(min + from * w);
  const hi = to >= bins ? "" : text(min + to * w);
  return `${lo}..${hi}`;
}

/** @param {SVGSVGElement} svg @param {number} clientX */
function fraction(svg, clientX) {
  const box = svg.getBoundingClientRect();
  return box.width > 0 ? Math.max(0, Math.min(1, (clientX - box.left) / box.width)) : 0;
}

/** @param {PointerEvent} e */
function onPointerDown(e) {
  const svg = /** @type {SVGSVGElement | null} */ (
    /** @type {Element} */ (e.target).closest?.("svg.histogram-plot")
  );
  if (!svg || e.button !== 0) return;
  e.preventDefault();
  dragging = true;
  svg.setPointerCapture(e.pointerId);
  const start = fraction(svg, e.clientX);
  const live = /** @type {SVGRectElement | null} */ (svg.querySelector(".brush-live"));
  const vb = svg.viewBox.baseVal.width || 200;
  /** @param {number} at */
  const draw = (at) => {
    live?.setAttribute("x", String(Math.min(start, at) * vb));
    live?.setAttribute("width", String(Math.abs(at - start) * vb));
  };
  /** @param {PointerEvent} m */
  const move = (m) => draw(fraction(svg, m.clientX));
  /** @param {PointerEvent} u */
  const up = (u) => {
    svg.removeEventListener("pointermove", move);
    svg.removeEventListener("pointerup", up);
    svg.removeEventListener("pointercancel", up);
    dragging = false;
    if (u.type === "pointercancel") return draw(start);
    const params = new URLSearchParams(currentQuery());
    params.set(
      svg.dataset.param ?? `m.${svg.dataset.field}`,
      brushRange(svg, start, fraction(svg, u.clientX)),
    );
    go(params);
  };
  svg.addEventListener("pointermove", move);
  svg.addEventListener("pointerup", up);
  svg.addEventListener("pointercancel", up);
}

// ---- The sliders under each histogram (D23): the keyboard's and screen readers' way to brush.

/** Edits by key wait this long for the next key, so holding an arrow makes one navigation. */
const KEY_SETTLE_MS = 400;
/** The handle being keyed and its pending commit. */
const keyed = {
  /** @type {ReturnType<typeof setTimeout> | undefined} */ timer: undefined,
  /** @type {HTMLInputElement | null} */ input: null,
};

/** @param {EventTarget | null} t */
const handleOf = (t) =>
  t instanceof HTMLInputElement && t.matches(".histogram-range input[data-end]") ? t : null;

/** @param {HTMLInputElement} input */
function partsOf(input) {
  const facet = /** @type {HTMLElement} */ (input.closest(".facet"));
  const svg = /** @type {SVGSVGElement} */ (facet.querySelector("svg.histogram-plot"));
  const lo = /** @type {HTMLInputElement} */ (facet.querySelector('input[data-end="lo"]'));
  const hi = /** @type {HTMLInputElement} */ (facet.querySelector('input[data-end="hi"]'));
  return { facet, svg, lo, hi, bins: Number(svg.dataset.bins) };
}

/** Which handle has the focus, so the refreshed panel can give it back. */
function focusedHandle() {
  const input = handleOf(document.activeElement);
  if (!input || !panel()?.contains(input)) return null;
  return { field: partsOf(input).facet.dataset.field ?? "", end: input.dataset.end ?? "" };
}

/** @param {{ field: string, end: string }} f */
function refocus(f) {
  const input = Array.from(panel()?.querySelectorAll(".facet.histogram") ?? [])
    .find((el) => /** @type {HTMLElement} */ (el).dataset.field === f.field)
    ?.querySelector(`input[data-end="${f.end}"]`);
  if (input instanceof HTMLInputElement) input.focus({ preventScroll: true });
}

/** A handle's value as read aloud: the server's text for that edge (views/MetricsPanel.tsx). */
/** @param {HTMLInputElement} input */
function edgeText(input) {
  const box = /** @type {HTMLElement | null} */ (input.closest(".histogram-range"));
  try {
    return JSON.parse(box?.dataset.edges ?? "[]")[Number(input.value)] ?? input.value;
  } catch {
    return input.value;
  }
}

/**
 * Moves one handle to `at` bins (kept at least a bin from the other), draws the range and says it,
 * then commits it once the keys settle.
 * @param {HTMLInputElement} input @param {number} at @param {boolean} now commit at once
 */
function moveHandle(input, at, now) {
  const { svg, lo, hi, bins } = partsOf(input);
  const v =
    input === lo
      ? Math.max(0, Math.min(Number(hi.value) - 1, at))
      : Math.min(bins, Math.max(Number(lo.value) + 1, at));
  input.value = String(v);
  input.setAttribute("aria-valuetext", edgeText(input));
  const live = svg.querySelector(".brush-live");
  const vb = svg.viewBox.baseVal.width || 200;
  live?.setAttribute("x", String((Number(lo.value) / bins) * vb));
  live?.setAttribute("width", String(((Number(hi.value) - Number(lo.value)) / bins) * vb));
  clearTimeout(keyed.timer);
  keyed.input = input;
  keyed.timer = setTimeout(commitKeyed, now ? 0 : KEY_SETTLE_MS);
}

/** Sets (or, over the whole axis, removes) the keyed histogram's `m.<field>` and shows that view. */
function commitKeyed() {
  const input = keyed.input;
  keyed.timer = undefined;
  keyed.input = null;
  if (!input?.isConnected) return;
  const { svg, lo, hi, bins } = partsOf(input);
  const param = svg.dataset.param ?? `m.${svg.dataset.field}`;
  const params = new URLSearchParams(currentQuery());
  const from = Number(lo.value);
  const to = Number(hi.value);
  if (from <= 0 && to >= bins) params.delete(param);
  else params.set(param, binRange(svg, from, to));
  if (params.toString() === new URLSearchParams(currentQuery()).toString()) return;
  announceAfter(svg.dataset.field ?? "");
  go(params);
}

/** Once the panel shows the new view, says what the range now holds (#metrics-status, polite). */
/** @param {string} field */
function announceAfter(field) {
  const status = $("#metrics-status");
  if (!status) return;
  status.textContent = "";
  panel()?.addEventListener(
    "lenslet:metrics-panel",
    () => {
      const body = /** @type {HTMLElement | null} */ ($("#metrics-panel .metrics-body"));
      const facet = Array.from(panel()?.querySelectorAll(".facet.histogram") ?? []).find(
        (el) => /** @type {HTMLElement} */ (el).dataset.field === field,
      );
      const name = facet?.querySelector(".facet-name")?.textContent ?? field;
      const range = facet?.querySelector(".facet-range")?.textContent ?? "";
      const total = Number(body?.dataset.total ?? 0);
      status.textContent = `${name} ${range}: ${total.toLocaleString("en-US")} ${total === 1 ? "image" : "images"}`;
    },
    { once: true },
  );
}

/** Arrows a bin, Shift+arrows and Page keys ten, Home/End the ends, Enter now, Esc/Backspace/Delete clear. */
/** @param {KeyboardEvent} e */
function onKeyDown(e) {
  const input = handleOf(e.target);
  if (!input || e.ctrlKey || e.metaKey || e.altKey) return;
  const { lo, hi, bins, svg } = partsOf(input);
  const at = Number(input.value);
  const step = e.shiftKey ? 10 : 1;
  /** @type {Record<string, number>} */
  const moves = {
    ArrowLeft: at - step,
    ArrowDown: at - step,
    ArrowRight: at + step,
    ArrowUp: at + step,
    PageDown: at - 10,
    PageUp: at + 10,
    Home: 0,
    End: bins,
  };
  if (e.key in moves) {
    e.preventDefault();
    moveHandle(input, /** @type {number} */ (moves[e.key]), false);
  } else if (e.key === "Enter") {
    e.preventDefault();
    if (keyed.timer !== undefined) moveHandle(input, at, true);
  } else if (e.key === "Escape" || e.key === "Backspace" || e.key === "Delete") {
    const param = svg.dataset.param ?? `m.${svg.dataset.field}`;
    const params = new URLSearchParams(currentQuery());
    if (!params.has(param) && keyed.timer === undefined) return; // nothing to clear: Esc goes on
    e.preventDefault();
    e.stopPropagation();
    clearTimeout(keyed.timer);
    keyed.timer = undefined;
    keyed.input = null;
    lo.value = "0";
    hi.value = String(bins);
    for (const h of [lo, hi]) h.setAttribute("aria-valuetext", edgeText(h));
    svg.querySelector(".brush-live")?.setAttribute("width", "0");
    if (!params.has(param)) return; // only unsent keys to forget
    params.delete(param);
    announceAfter(svg.dataset.field ?? "");
    go(params);
  }
}

/** A thumb dragged with the pointer (or moved by a screen reader's own slider gestures). */
/** @param {Event} e */
function onInput(e) {
  const input = handleOf(e.target);
  if (input) moveHandle(input, Number(input.value), false);
}

/** @param {Event} e */
function onChange(e) {
  const box = /** @type {HTMLInputElement} */ (e.target);
  const facet = box.closest?.(".facet.values");
  if (!(facet instanceof HTMLElement) || !facet.dataset.param) return;
  const values = Array.from(facet.querySelectorAll("input[data-facet-value]"))
    .filter((i) => /** @type {HTMLInputElement} */ (i).checked)
    .map((i) => /** @type {HTMLInputElement} */ (i).value);
  const params = new URLSearchParams(currentQuery());
  if (values.length) params.set(facet.dataset.param, values.join(","));
  else params.delete(facet.dataset.param);
  go(params);
}

/** @param {MouseEvent} e */
function onClick(e) {
  const clear = /** @type {Element} */ (e.target).closest?.("a.facet-clear");
  if (!(clear instanceof HTMLAnchorElement) || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  go(new URL(clear.href).searchParams);
}

function init() {
  const el = panel();
  if (!el) return;
  el.addEventListener("pointerdown", onPointerDown);
  el.addEventListener("change", onChange);
  el.addEventListener("input", onInput);
  el.addEventListener("keydown", onKeyDown);
  el.addEventListener("click", onClick);
  section()?.addEventListener("toggle", () => {
    if (section()?.open && shownQuery !== currentQuery()) refresh();
  });
  // #browse is replaced whole on every navigation (filters, sort, folder, Back): follow the view it shows.
  const columns = $("#columns");
  if (columns)
    new MutationObserver(() => {
      if (shownQuery !== currentQuery()) refresh();
    }).observe(columns, { childList: true });
  for (const name of ["metrics-updated", "item-updated", "gallery-changed"])
    document.addEventListener(`lenslet:${name}`, refreshSoon);
  refresh();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
