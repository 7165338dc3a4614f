/**
 * Histograms of number and date fields and value counts of category fields,
 * each computed in one pass over the rows that counts both the filtered set
 * and the whole (the base: the folder or table being viewed).
 *
 * Bins span the field's finite range over the table (not the filtered set), so
 * brushing never moves the axis: bin b holds min + b·w ≤ v < min + (b+1)·w,
 * the last bin includes max, w = (max − min) / bins; −∞ counts in the first bin,
 * +∞ in the last. A field with one value has it all in bin 0. Each row's bin is
 * computed once per column version.
 */
import type { Bitset } from "./bitset.ts";
import type { CategoryColumn, DateColumn, MetricColumn } from "./columns.ts";

export const DEFAULT_BINS = 40;
/** Bin code of a missing value. */
const MISSING_BIN = 255;

export interface Histogram {
  kind: "histogram";
  field: string;
  /** Finite range over the whole table; both NaN when the field has no finite value. */
  min: number;
  max: number;
  /** Rows of the filtered set per bin. */
  counts: number[];
  /** Rows of the base per bin. */
  whole: number[];
  missing: number;
  missingWhole: number;
}

export interface ValueCounts {
  kind: "values";
  field: string;
  /** In dictionary order; the first entry is the missing value (null). */
  values: { value: string | null; count: number; whole: number }[];
}

export type Facet = Histogram | ValueCounts;

/** The bin a value falls in (the rule above), for the engine and for models of it. */
export function binOf(v: number, min: number, max: number, bins: number): number {
  if (v === Number.POSITIVE_INFINITY) return bins - 1;
  if (!(max > min) || v === Number.NEGATIVE_INFINITY) return 0;
  // Halves first: max − min of two finite doubles can overflow to ∞.
  const b = Math.floor(((v / 2 - min / 2) / (max / 2 - min / 2)) * bins);
  return Math.max(0, Math.min(bins - 1, b));
}

interface Binned {
  version: number;
  bins: number;
  min: number;
  max: number;
  codes: Uint8Array;
}
const binnedCache = new WeakMap<MetricColumn | DateColumn, Binned>();

function binned(c: MetricColumn | DateColumn, bins: number): Binned {
  const hit = binnedCache.get(c);
  if (hit && hit.version === c.version && hit.bins === bins) return hit;
  const a = c.values;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) continue; // NaN and ±∞ do not stretch the axis
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) {
    min = Number.NaN;
    max = Number.NaN;
  }
  const codes = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    codes[i] = Number.isNaN(v) ? MISSING_BIN : binOf(v, min, max, bins);
  }
  const out = { version: c.version, bins, min, max, codes };
  binnedCache.set(c, out);
  return out;
}

/** Counts codes of the rows in `base` (whole) and in `mask` (filtered, a subset of base). */
function countCodes(
  codes: ArrayLike<number>,
  base: Bitset,
  mask: Bitset,
  size: number,
): { counts: Uint32Array; whole: Uint32Array } {
  const counts = new Uint32Array(size);
  const whole = new Uint32Array(size);
  const bw = base.words;
  const mw = mask.words;
  for (let w = 0; w < bw.length; w++) {
    const b = bw[w]!;
    if (b === 0) continue;
    const m = mw[w]!;
    const off = w << 5;
    if (b === 0xffffffff) {
      for (let j = 0; j < 32; j++) {
        const c = codes[off + j]!;
        whole[c]!++;
        counts[c]! += (m >>> j) & 1;
      }
    } else {
      for (let j = 0; j < 32; j++) {
        if (((b >>> j) & 1) === 0) continue;
        const c = codes[off + j]!;
        whole[c]!++;
        counts[c]! += (m >>> j) & 1;
      }
    }
  }
  return { counts, whole };
}

export function histogram(
  c: MetricColumn | DateColumn,
  base: Bitset,
  mask: Bitset,
  bins = DEFAULT_BINS,
): Histogram {
  const b = binned(c, bins);
  const { counts, whole } = countCodes(b.codes, base, mask, 256);
  return {
    kind: "histogram",
    field: c.name,
    min: b.min,
    max: b.max,
    counts: Array.from(counts.subarray(0, bins)),
    whole: Array.from(whole.subarray(0, bins)),
    missing: counts[MISSING_BIN]!,
    missingWhole: whole[MISSING_BIN]!,
  };
}

export function valueCounts(c: CategoryColumn, base: Bitset, mask: Bitset): ValueCounts {
  const { counts, whole } = countCodes(c.codes, base, mask, c.dict.length);
  return {
    kind: "values",
    field: c.name,
    values: c.dict.map((value, code) => ({ value, count: counts[code]!, whole: whole[code]! })),
  };
}
