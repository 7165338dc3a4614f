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
  /** The field holds dates (epoch ms): shown and brushed as dates. */
  date: boolean;
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

/**
 * Counts per code over one query's sets: the base's counts ("whole") are kept per codes array,
 * version and base range, since brushing changes only the filtered set; the filtered counts are
 * a tight loop over the mask's rows, materialised once per mask and shared by every field (or
 * over the rows the mask leaves out of the base, subtracted from the whole, when that is fewer).
 * So a facet costs one increment per filtered row, at most half the base, not two per base row.
 */
export class FacetCounter {
  private readonly rowsOf = new Map<Bitset, { rows: Uint32Array; complement: boolean }>();

  constructor(
    private readonly base: Bitset,
    /** The base as a row range when it is one (the key of the kept whole counts), else null. */
    private readonly range: { start: number; end: number } | null,
    private readonly baseTotal: number,
    private readonly kept: WholeCache,
  ) {}

  /** Counts of `codes` (values < size) over `mask` (a subset of the base) and over the base. */
  count(
    codes: ArrayLike<number>,
    version: number,
    size: number,
    mask: Bitset,
    maskTotal: number,
  ): { counts: Uint32Array; whole: Uint32Array } {
    const whole = this.whole(codes, version, size);
    if (maskTotal === this.baseTotal) return { counts: whole.slice(), whole };
    let r = this.rowsOf.get(mask);
    if (!r) {
      const complement = maskTotal > this.baseTotal / 2;
      r = {
        rows: complement ? this.base.clone().andNot(mask).toRows() : mask.toRows(),
        complement,
      };
      this.rowsOf.set(mask, r);
    }
    const part = countRows(codes, r.rows, size);
    if (!r.complement) return { counts: part, whole };
    for (let c = 0; c < size; c++) part[c] = whole[c]! - part[c]!;
    return { counts: part, whole };
  }

  private whole(codes: ArrayLike<number>, version: number, size: number): Uint32Array {
    const key = this.range ? `${this.range.start}:${this.range.end}:${size}` : null;
    if (key !== null) {
      const hit = this.kept.get(codes as object);
      if (hit && hit.version === version) {
        const w = hit.byBase.get(key);
        if (w) return w;
      }
    }
    let w: Uint32Array;
    if (this.range) {
      w = new Uint32Array(size);
      for (let i = this.range.start; i < this.range.end; i++) w[codes[i]!]!++;
    } else w = countRows(codes, this.rowsOfBase(), size);
    if (key !== null) {
      let hit = this.kept.get(codes as object);
      if (!hit || hit.version !== version) {
        hit = { version, byBase: new Map() };
        this.kept.set(codes as object, hit);
      }
      // A few bases a field (the folders last viewed); each is at most 256 counts.
      if (hit.byBase.size >= 16) hit.byBase.delete(hit.byBase.keys().next().value!);
      hit.byBase.set(key, w);
    }
    return w;
  }

  private baseRows: Uint32Array | null = null;
  private rowsOfBase(): Uint32Array {
    this.baseRows ??= this.base.toRows();
    return this.baseRows;
  }
}

/** Whole counts kept per codes array (binned codes are a new array per column version). */
export type WholeCache = WeakMap<object, { version: number; byBase: Map<string, Uint32Array> }>;

function countRows(codes: ArrayLike<number>, rows: Uint32Array, size: number): Uint32Array {
  const out = new Uint32Array(size);
  for (let k = 0; k < rows.length; k++) out[codes[rows[k]!]!]!++;
  return out;
}

export function histogram(
  c: MetricColumn | DateColumn,
  counter: FacetCounter,
  mask: Bitset,
  maskTotal: number,
  bins = DEFAULT_BINS,
): Histogram {
  const b = binned(c, bins);
  const { counts, whole } = counter.count(b.codes, 0, 256, mask, maskTotal);
  return {
    kind: "histogram",
    field: c.name,
    date: c.kind === "date",
    min: b.min,
    max: b.max,
    counts: Array.from(counts.subarray(0, bins)),
    whole: Array.from(whole.subarray(0, bins)),
    missing: counts[MISSING_BIN]!,
    missingWhole: whole[MISSING_BIN]!,
  };
}

export function valueCounts(
  c: CategoryColumn,
  counter: FacetCounter,
  mask: Bitset,
  maskTotal: number,
): ValueCounts {
  const { counts, whole } = counter.count(c.codes, c.version, c.dict.length, mask, maskTotal);
  return {
    kind: "values",
    field: c.name,
    values: c.dict.map((value, code) => ({ value, count: counts[code]!, whole: whole[code]! })),
  };
}
