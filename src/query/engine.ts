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
import { DEFAULT_BINS, type Facet, histogram, valueCounts } from "./facets.ts";
import { evaluate, type Filter, FilterError, filterFields } from "./filter.ts";
import {
  permutation,
  presentCount,
  type SortDir,
  SortError,
  select,
  selectReversed,
  type TieOrder,
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
  /** Matching rows in order. */
  rows: Uint32Array;
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
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}

export class QueryEngine {
  /** 4 bytes a row each: 16 orders of a million rows are 64 MB. */
  private readonly perms = new Lru<string, Versioned<Uint32Array>>(16);
  private readonly filters = new Lru<string, Versioned<Bitset>>(64);

  constructor(readonly table: Table) {}

  run(spec: QuerySpec): QueryResult {
    const n = this.table.rowCount;
    const base =
      spec.base === undefined
        ? Bitset.full(n)
        : spec.base instanceof Bitset
          ? spec.base
          : Bitset.range(n, spec.base.start, spec.base.end);
    const filters = spec.filters ?? [];
    const bits = filters.map((f) => this.filterBits(f));
    const mask = base.clone();
    for (const b of bits) mask.and(b);
    const total = mask.count();
    let rows: Uint32Array;
    if (spec.sort) {
      const { field, dir, ties } = spec.sort;
      if (dir === "desc" && ties === "reverse") {
        // Read the ascending order backwards: one cached order serves both directions.
        const asc = this.permutation(field, "asc");
        rows = selectReversed(asc, presentCount(this.table.get(field)!, asc), mask.words, total);
      } else rows = select(this.permutation(field, dir, ties), mask.words, total);
    } else rows = mask.toRows();

    const facets: Facet[] = [];
    const wanted =
      spec.facets === "all"
        ? [...this.table.columns.values()]
            .filter((c) => c.kind === "metric" || c.kind === "date" || c.kind === "category")
            .map((c) => c.name)
        : (spec.facets ?? []);
    for (const field of wanted) {
      const c = this.table.get(field);
      if (!c) throw new FilterError(field, `no field '${field}'`);
      // Crossfilter: this field's own filters do not narrow its facet.
      const own = filters.map((f) => filterFields(f).includes(field));
      let m = mask;
      if (own.some(Boolean)) {
        m = base.clone();
        bits.forEach((b, i) => {
          if (!own[i]) m.and(b);
        });
      }
      if (c.kind === "metric" || c.kind === "date")
        facets.push(histogram(c, base, m, spec.bins ?? DEFAULT_BINS));
      else if (c.kind === "category") facets.push(valueCounts(c, base, m));
      else throw new FilterError(field, `'${field}' has no facet`);
    }
    return { rows, total, baseTotal: base.count(), facets };
  }

  /** Every row ordered by a field (cached per column version). */
  permutation(field: string, dir: SortDir, ties: TieOrder = "keep"): Uint32Array {
    const c = this.table.get(field);
    if (!c) throw new SortError(field, `no field '${field}'`);
    const key = `${field}\u0000${dir}\u0000${dir === "desc" ? ties : ""}`;
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
