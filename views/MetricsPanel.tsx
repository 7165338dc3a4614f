/** @jsxImportSource hono/jsx */
/**
 * The Metrics panel (D18): one SVG histogram per metric (the filtered view's
 * bars over the whole folder's, shaded behind) and counted checkboxes per
 * category, from GET /facets' data. Drag on a histogram, tick a value or press
 * × and public/metrics-panel.js rewrites the URL's `m.<field>` / `c.<field>`
 * and swaps #browse; every link here also works as a plain link without JS.
 */
import {
  type BrowseQuery,
  browseHref,
  browseParams,
  CATEGORY_PREFIX,
  MISSING_CATEGORY,
  RANGE_PREFIX,
} from "../src/gallery/browse-query.ts";
import { formatCount, formatDate } from "./format.ts";
import type { FacetsModel } from "./model.ts";

type Facet = FacetsModel["facets"][number];
type HistogramFacet = Extract<Facet, { kind: "histogram" }>;
type ValuesFacet = Extract<Facet, { kind: "values" }>;

/** SVG user units: the bars fill W × H; the browser scales the whole to the panel's width. */
const W = 200;
const H = 40;
/** Values shown per category before "and N more" (the checked ones always show). */
const MAX_VALUES = 12;

const LABELS: Record<string, string> = {
  "@size": "File size",
  "@date": "File date",
  "@width": "Width",
  "@height": "Height",
};
const fieldLabel = (f: string) => LABELS[f] ?? f;

const DAY_MS = 86_400_000;

/** A date on an axis: the day, and the time (UTC) too when the whole axis is within 3 days. */
function dateText(v: number, axisMs = Number.POSITIVE_INFINITY): string {
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const t = formatDate(v);
  return axisMs < 3 * DAY_MS ? t : t.slice(0, 10);
}

/** A value as a person reads it: dates as days, sizes in KB/MB, others with 3 significant digits. */
export function formatFieldValue(field: string, v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (field === "@date") return dateText(v);
  if (field === "@size") {
    if (v >= 1e6) return `${(v / 1e6).toPrecision(3)} MB`;
    if (v >= 1e3) return `${(v / 1e3).toPrecision(3)} KB`;
    return `${Math.round(v)} B`;
  }
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

function withoutRange(q: BrowseQuery, field: string): string {
  const { [field]: _, ...ranges } = q.ranges;
  return browseHref(q, { ranges, sel: undefined, view: false });
}
function withoutCats(q: BrowseQuery, field: string): string {
  const { [field]: _, ...cats } = q.cats;
  return browseHref(q, { cats, sel: undefined, view: false });
}

function Clear({ href, field }: { href: string; field: string }) {
  return (
    <a
      class="facet-clear"
      href={href}
      data-facet-clear={field}
      title={`Clear the ${fieldLabel(field)} filter`}
      aria-label={`Clear the ${fieldLabel(field)} filter`}
    >
      ×
    </a>
  );
}

/**
 * The bins `range` covers, snapped outward to whole bins ([from, to), 0 ≤ from < to ≤ bins), or the whole
 * axis without one: where the keyboard's handles sit.
 */
export function rangeBins(
  range: { lo: number; hi: number } | undefined,
  min: number,
  max: number,
  bins: number,
): { from: number; to: number } {
  const w = (max - min) / bins;
  if (!range || !(w > 0)) return { from: 0, to: bins };
  // A hair of slack: edges written back from a drag are rounded to 6 digits.
  const from = Number.isFinite(range.lo) ? Math.floor((range.lo - min) / w + 1e-6) : 0;
  const to = Number.isFinite(range.hi) ? Math.ceil((range.hi - min) / w - 1e-6) : bins;
  const f = Math.max(0, Math.min(bins - 1, from));
  return { from: f, to: Math.max(f + 1, Math.min(bins, to)) };
}

/** A value of a histogram's field as a person reads it: a date field's as dates (the file date, a table's). */
function valueText(f: Pick<HistogramFacet, "field" | "date" | "min" | "max">, v: number): string {
  return f.date ? dateText(v, (f.max ?? 0) - (f.min ?? 0)) : formatFieldValue(f.field, v);
}

/** A handle's value as read aloud: the bin edge, or "lowest"/"highest" at an open end. */
export function edgeText(
  f: Pick<HistogramFacet, "field" | "date" | "min" | "max">,
  bins: number,
  at: number,
) {
  const min = f.min ?? 0;
  const max = f.max ?? 0;
  if (at <= 0) return `lowest (${valueText(f, min)})`;
  if (at >= bins) return `highest (${valueText(f, max)})`;
  return valueText(f, min + (at * (max - min)) / bins);
}

/**
 * Two native sliders under a histogram (D23): the range's low and high edge in bins, for the keyboard and
 * screen readers (arrows a bin, Shift+arrows or Page keys ten, Home/End, Esc or Backspace clears);
 * public/metrics-panel.js turns them into `m.<field>` like a drag.
 */
function RangeHandles({
  f,
  range,
}: {
  f: HistogramFacet;
  range: { lo: number; hi: number } | undefined;
}) {
  const bins = f.whole.length;
  const min = f.min!;
  const max = f.max!;
  const { from, to } = rangeBins(range, min, max, bins);
  const name = fieldLabel(f.field);
  const handle = (end: "lo" | "hi", at: number) => (
    <input
      type="range"
      class={`range-handle range-${end}`}
      min="0"
      max={String(bins)}
      step="1"
      value={String(at)}
      data-end={end}
      aria-label={`${name}, ${end === "lo" ? "from" : "to"}`}
      aria-valuetext={edgeText(f, bins, at)}
      aria-keyshortcuts="Escape Backspace"
    />
  );
  return (
    <div
      class="histogram-range"
      data-edges={JSON.stringify(
        Array.from({ length: bins + 1 }, (_, at) => edgeText(f, bins, at)),
      )}
    >
      {handle("lo", from)}
      {handle("hi", to)}
    </div>
  );
}

function Histogram({ f, q }: { f: HistogramFacet; q: BrowseQuery }) {
  const range = q.ranges[f.field];
  const bins = f.whole.length;
  if (f.min === null || f.max === null || bins === 0) {
    return (
      <section class="facet histogram empty" data-field={f.field}>
        <h3>
          <span class="facet-name">{fieldLabel(f.field)}</span>
          {range && <Clear href={withoutRange(q, f.field)} field={f.field} />}
        </h3>
        <p class="muted">No values yet</p>
      </section>
    );
  }
  const top = Math.max(1, ...f.whole);
  const bw = W / bins;
  const span = f.max - f.min;
  const xOf = (v: number) =>
    span > 0 ? Math.max(0, Math.min(W, ((v - f.min!) / span) * W)) : v >= f.min! ? W : 0;
  const shown = f.counts.reduce((a, b) => a + b, 0);
  return (
    <section class={range ? "facet histogram active" : "facet histogram"} data-field={f.field}>
      <h3>
        <span class="facet-name">{fieldLabel(f.field)}</span>
        <span class="facet-range muted">
          {range
            ? `${valueText(f, range.lo)} – ${valueText(f, range.hi)}`
            : `${valueText(f, f.min)} – ${valueText(f, f.max)}`}
        </span>
        {range && <Clear href={withoutRange(q, f.field)} field={f.field} />}
      </h3>
      <svg
        class="histogram-plot"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${fieldLabel(f.field)}: ${formatCount(shown)} shown of ${formatCount(f.whole.reduce((a, b) => a + b, 0))}; drag, or use the two sliders below, to filter a range`}
        data-field={f.field}
        data-min={String(f.min)}
        data-max={String(f.max)}
        data-bins={String(bins)}
        data-date={f.date ? "1" : undefined}
        data-param={`${RANGE_PREFIX}${f.field}`}
      >
        {f.whole.map((n, b) =>
          n > 0 ? (
            <rect
              class="bar-whole"
              x={String(b * bw)}
              width={String(bw * 0.9)}
              y={String(H - (n / top) * H)}
              height={String((n / top) * H)}
            />
          ) : null,
        )}
        {f.counts.map((n, b) =>
          n > 0 ? (
            <rect
              class="bar-shown"
              data-bin={String(b)}
              data-count={String(n)}
              x={String(b * bw)}
              width={String(bw * 0.9)}
              y={String(H - (n / top) * H)}
              height={String((n / top) * H)}
            />
          ) : null,
        )}
        {range && (
          <rect
            class="brush"
            x={String(xOf(range.lo))}
            width={String(Math.max(0.5, xOf(range.hi) - xOf(range.lo)))}
            y="0"
            height={String(H)}
          />
        )}
        <rect class="brush-live" x="0" width="0" y="0" height={String(H)} />
      </svg>
      <RangeHandles f={f} range={range} />
      {f.missing_whole > 0 && (
        <p class="facet-missing muted">
          {f.missing === f.missing_whole
            ? `${formatCount(f.missing)} without a value`
            : `${formatCount(f.missing)} shown without a value, of ${formatCount(f.missing_whole)}`}
        </p>
      )}
    </section>
  );
}

function Values({ f, q }: { f: ValuesFacet; q: BrowseQuery }) {
  const chosen = q.cats[f.field];
  const isChosen = (v: string | null) => chosen?.includes(v) ?? false;
  const ordered = f.values
    .filter((v) => v.whole > 0 || isChosen(v.value))
    .sort((a, b) => b.whole - a.whole || String(a.value).localeCompare(String(b.value)));
  const shown = ordered.filter((v, i) => i < MAX_VALUES || isChosen(v.value));
  const more = ordered.length - shown.length;
  return (
    <section
      class={chosen ? "facet values active" : "facet values"}
      data-field={f.field}
      data-param={`${CATEGORY_PREFIX}${f.field}`}
    >
      <h3>
        <span class="facet-name">{f.field}</span>
        {chosen && <Clear href={withoutCats(q, f.field)} field={f.field} />}
      </h3>
      <ul class="facet-values">
        {shown.map((v) => {
          const value = v.value ?? MISSING_CATEGORY;
          return (
            <li>
              <label>
                <input
                  type="checkbox"
                  data-facet-value={value}
                  checked={isChosen(v.value)}
                  value={value}
                />
                <span class={v.value === null ? "facet-value muted" : "facet-value"}>{value}</span>
                <span class="facet-count muted" title={`${v.count} shown of ${v.whole}`}>
                  {formatCount(v.count)}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      {more > 0 && <p class="muted">and {formatCount(more)} more</p>}
    </section>
  );
}

/** The panel's body (GET /facets/panel), swapped into #metrics-panel. */
export function MetricsPanel({ q, facets }: { q: BrowseQuery; facets: FacetsModel }) {
  return (
    <div class="metrics-body" data-total={String(facets.total)} data-query={browseHref(q)}>
      {facets.facets.map((f) =>
        f.kind === "histogram" ? <Histogram f={f} q={q} /> : <Values f={f} q={q} />,
      )}
    </div>
  );
}

/** The collapsible section in the sidebar; public/metrics-panel.js fills it for the current view. */
export function MetricsSection() {
  return (
    <details id="metrics" class="metrics" open>
      <summary>Metrics</summary>
      <div id="metrics-panel" class="metrics-panel" aria-live="off" />
      {/* Outside the swapped body: what a keyboard range change did, read once it is shown. */}
      <p id="metrics-status" class="sr-only" role="status" aria-live="polite" />
    </details>
  );
}

/**
 * The view's field filters as hidden inputs of the toolbar's form, so changing the sort or the
 * search (a form submit) keeps the brushed ranges and ticked categories.
 */
export function FieldFilterInputs({ q }: { q: BrowseQuery }) {
  const params = [...browseParams(q)].filter(
    ([k]) => k.startsWith(RANGE_PREFIX) || k.startsWith(CATEGORY_PREFIX),
  );
  return (
    <>
      {params.map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
    </>
  );
}
