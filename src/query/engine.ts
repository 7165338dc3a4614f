/**
 * The query engine over one Table: filter (bitsets), facets (histograms and
 * value counts, crossfilter style) and sort (cached permutations), then pages.
 * Pure: no HTTP, no files. Callers own the table and bump a column's version
 * when they change its values; every cache here checks those versions.
 *
 * Facets follow crossfilter: a field's own filters are left out of its facet,
 * so a brushed histogram still shows the rest of its distribution and a
 * category with one value picked still counts the others.
 */
import { Bitset } from "./bitset.ts";
import type { Column, Table } from "./columns.ts";
import {
  DEFAULT_BINS,
  type Facet,
  FacetCounter,
  histogram,
  valueCounts,
  type WholeCache,
} from "./facets.ts";
import { evaluate, type Filter, FilterError, filterFields } from "./filter.ts";
import {
  MAX_TOP_ROWS,
  permutation,
  presentCount,
  type SortDir,
  SortError,
  select,
  selectReversed,
  type TieOrder,
  topRows,
} from "./sort.ts";

export type { Facet, Filter, SortDir, TieOrder };
export { FilterError, SortError };

export interface QuerySpec {
  /** Rows the query starts from (a folder's range, a selection); default every row. */
  base?: { start: number; end: number } | Bitset;
  filters?: readonly Filter[];
  /** Default: row order. `ties` (default "keep", D9) says how a descending order breaks ties. */
  sort?: { field: string; dir: SortDir; ties?: TieOrder } | null;
  /** Fields to facet ("all": every metric, date and category field); default none. */
  facets?: readonly string[] | "all";
  bins?: number;
}

export interface QueryResult {
  /** Matching rows in order (ordered on first read: a first page needs only `head`). */
  readonly rows: Uint32Array;
  /** The first k rows of `rows`, without ordering the rest when it can (top-k, D9). */
  head(k: number): Uint32Array;
  total: number;
  /** Rows of the base before filtering. */
  baseTotal: number;
  facets: Facet[];
}

interface Versioned<T> {
  versions: number[];
  columns: Column[];
  value: T;
}

function fresh<T>(hit: Versioned<T> | undefined, table: Table): hit is Versioned<T> {
  if (hit === undefined) return false;
  return hit.columns.every((c, i) => table.get(c.name) === c && c.version === hit.versions[i]);
}

/** A small LRU map. */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  /** Without making it the most recent. */
  peek(k: K): V | undefined {
    return this.map.get(k);
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}

/** One query's rows: the full order is made only when something past a head is read. */
class Ordered implements QueryResult {
  private all: Uint32Array | null = null;
  private top: Uint32Array | null = null;

  constructor(
    private readonly order: () => Uint32Array,
    private readonly cut: ((k: number) => Uint32Array | null) | null,
    readonly total: number,
    readonly baseTotal: number,
    readonly facets: Facet[],
  ) {}

  get rows(): Uint32Array {
    this.all ??= this.order();
    return this.all;
  }

  head(k: number): Uint32Array {
    const want = Math.max(0, Math.min(k, this.total));
    if (want === 0) return new Uint32Array(0);
    if (this.all) return this.all.subarray(0, want);
    if (this.top && this.top.length >= want) return this.top.subarray(0, want);
    const cut = this.cut?.(want) ?? null;
    if (cut === null) return this.rows.subarray(0, want);
    this.top = cut;
    return cut;
  }
}

export class QueryEngine {
  /** 4 bytes a row each: 16 orders of a million rows are 64 MB. */
  private readonly perms = new Lru<string, Versioned<Uint32Array>>(16);
  private readonly filters = new Lru<string, Versioned<Bitset>>(64);
  /** Facet counts of the whole base, per field and base range (brushing changes only the rest). */
  private readonly wholeCounts: WholeCache = new WeakMap();

  constructor(readonly table: Table) {}

  run(spec: QuerySpec): QueryResult {
    const n = this.table.rowCount;
    const range =
      spec.base === undefined
        ? { start: 0, end: n }
        : spec.base instanceof Bitset
          ? null
          : {
              start: Math.max(0, Math.min(n, spec.base.start)),
              end: Math.max(0, Math.min(n, spec.base.end)),
            };
    const base =
      spec.base instanceof Bitset ? spec.base : Bitset.range(n, range!.start, range!.end);
    const baseTotal = range ? Math.max(0, range.end - range.start) : base.count();
    const filters = spec.filters ?? [];
    const bits = filters.map((f) => this.filterBits(f));
    const mask = base.clone();
    for (const b of bits) mask.and(b);
    const total = mask.count();
    const [order, cut] = this.ordering(spec.sort ?? null, mask, total);

    const facets: Facet[] = [];
    const wanted =
      spec.facets === "all"
        ? [...this.table.columns.values()]
            .filter((c) => c.kind === "metric" || c.kind === "date" || c.kind === "category")
            .map((c) => c.name)
        : (spec.facets ?? []);
    const counter = new FacetCounter(base, range, baseTotal, this.wholeCounts);
    // Crossfilter masks (a field's own filters left out), one per distinct set of filters left out.
    const masks = new Map<string, { mask: Bitset; total: number }>();
    for (const field of wanted) {
      const c = this.table.get(field);
      if (!c) throw new FilterError(field, `no field '${field}'`);
      if (c.kind !== "metric" && c.kind !== "date" && c.kind !== "category")
        throw new FilterError(field, `'${field}' has no facet`);
      // Crossfilter: this field's own filters do not narrow its facet.
      const own = filters.map((f) => filterFields(f).includes(field));
      let m = { mask, total };
      if (own.some(Boolean)) {
        const key = own.map(Number).join("");
        let hit = masks.get(key);
        if (!hit) {
          const bm = base.clone();
          bits.forEach((b, i) => {
            if (!own[i]) bm.and(b);
          });
          hit = { mask: bm, total: own.every(Boolean) ? baseTotal : bm.count() };
          masks.set(key, hit);
        }
        m = hit;
      }
      if (c.kind === "category") facets.push(valueCounts(c, counter, m.mask, m.total));
      else facets.push(histogram(c, counter, m.mask, m.total, spec.bins ?? DEFAULT_BINS));
    }
    return new Ordered(order, cut, total, baseTotal, facets);
  }

  /**
   * How a result's rows are ordered: the full order (a cached permutation read through the
   * mask), and a cheaper way to its first k rows — the cached permutation read until k rows
   * are found, or a top-k pass over the filtered rows of a number or date field whose order is
   * not cached — or null (the full order is needed).
   */
  private ordering(
    sort: QuerySpec["sort"],
    mask: Bitset,
    total: number,
  ): [() => Uint32Array, ((k: number) => Uint32Array | null) | null] {
    if (!sort) return [() => mask.toRows(), (k) => mask.firstRows(k)];
    const { field, dir } = sort;
    const c = this.table.get(field);
    if (!c) throw new SortError(field, `no field '${field}'`);
    const ties = sort.ties ?? "keep";
    // Read the ascending order backwards: one cached order serves both directions.
    const viaAsc = dir === "desc" && ties === "reverse";
    const fromPerm = (perm: Uint32Array, count: number) =>
      viaAsc
        ? selectReversed(perm, presentCount(c, perm), mask.words, count)
        : select(perm, mask.words, count);
    const order = () =>
      fromPerm(viaAsc ? this.permutation(field, "asc") : this.permutation(field, dir, ties), total);
    const cut = (k: number): Uint32Array | null => {
      const cached = this.cachedPermutation(field, viaAsc ? "asc" : dir, ties);
      if (cached) return fromPerm(cached, k);
      if ((c.kind === "metric" || c.kind === "date") && k <= MAX_TOP_ROWS)
        return topRows(c.values, dir, ties, mask.words, k);
      return null;
    };
    return [order, cut];
  }

  private permKey(field: string, dir: SortDir, ties: TieOrder): string {
    return `${field}\u0000${dir}\u0000${dir === "desc" ? ties : ""}`;
  }

  /** A permutation already made and still current, or null (nothing is sorted). */
  private cachedPermutation(field: string, dir: SortDir, ties: TieOrder): Uint32Array | null {
    const hit = this.perms.peek(this.permKey(field, dir, ties));
    return fresh(hit, this.table) ? hit.value : null;
  }

  /** Every row ordered by a field (cached per column version). */
  permutation(field: string, dir: SortDir, ties: TieOrder = "keep"): Uint32Array {
    const c = this.table.get(field);
    if (!c) throw new SortError(field, `no field '${field}'`);
    const key = this.permKey(field, dir, ties);
    const hit = this.perms.get(key);
    if (fresh(hit, this.table)) return hit.value;
    const value = permutation(c, dir, ties);
    this.perms.set(key, { columns: [c], versions: [c.version], value });
    return value;
  }

  private filterBits(f: Filter): Bitset {
    const columns = filterFields(f).map((name) => {
      const c = this.table.get(name);
      if (!c) throw new FilterError(name, `no field '${name}'`);
      return c;
    });
    const key = JSON.stringify(f);
    const hit = this.filters.get(key);
    if (fresh(hit, this.table)) return hit.value;
    // Typing a search: a cached shorter needle the new one contains bounds the rows to test.
    let within: Bitset | undefined;
    if (f.kind === "contains") {
      const needle = f.needle.toLowerCase();
      for (const [k, v] of this.filters.entries()) {
        const g = JSON.parse(k) as Filter;
        if (
          g.kind === "contains" &&
          g.fields.join("\u0000") === f.fields.join("\u0000") &&
          needle.includes(g.needle.toLowerCase()) &&
          fresh(v, this.table) &&
          (!within || v.value.count() < within.count())
        )
          within = v.value;
      }
    }
    const value = evaluate(this.table, f, within);
    this.filters.set(key, { columns, versions: columns.map((c) => c.version), value });
    return value;
  }
}
