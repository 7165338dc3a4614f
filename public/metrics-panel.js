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
  if (dragging) return refreshSoon();
  inFlight?.abort();
  const ctl = new AbortController();
  inFlight = ctl;
  const query = currentQuery();
  try {
    const r = await fetch(`/facets/panel${query ? `?${query}` : ""}`, { signal: ctl.signal });
    if (!r.ok) return;
    const html = await r.text();
    if (ctl.signal.aborted) return;
    el.innerHTML = html;
    shownQuery = query;
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
  const min = Number(svg.dataset.min);
  const max = Number(svg.dataset.max);
  const bins = Number(svg.dataset.bins);
  const w = (max - min) / bins;
  const from = Math.max(0, Math.min(bins - 1, Math.floor(Math.min(a, b) * bins)));
  const to = Math.max(from + 1, Math.min(bins, Math.ceil(Math.max(a, b) * bins)));
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
