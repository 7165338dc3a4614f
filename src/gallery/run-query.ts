/**
 * A browse query (folder, filters, search, sort) run by the columnar engine
 * (src/query/) over the gallery table (gallery-table.ts): the same engine for
 * folders and tables. A view's rows are cached by the query and the versions
 * of the columns it read, so scrolling pages of a million-image result is a
 * slice, never a new pass; a label write invalidates only the views that read
 * the columns it changed.
 */
import type { CategoryColumn, Column, StarColumn, Table } from "../query/columns.ts";
import {
  type Facet,
  type Filter,
  QueryEngine,
  type QueryResult,
  type QuerySpec,
} from "../query/engine.ts";
import type { BrowseQuery } from "./browse-query.ts";
import { flagRank } from "./cull-filters.ts";
import type { GalleryIndex } from "./gallery-index.ts";
import { FIELD, GalleryTable, type LabelFacts, type LabelLookup } from "./gallery-table.ts";
import {
  type Collapsed,
  collapseStacks,
  frameRank,
  type StackGroups,
  type StackSource,
} from "./stacks.ts";
import type { ImageEntry } from "./types.ts";

export type { LabelFacts, LabelLookup };

/** Facts read from the files themselves, lazily (EXIF capture time, src/media/exif.ts). */
export interface ImageFacts {
  /** Capture time in ms since epoch; undefined when unknown or not read yet. */
  takenMs(img: ImageEntry): number | undefined;
  /** Changes whenever a fact is learned. */
  readonly revision: number;
}

export type QueryKey = Pick<
  BrowseQuery,
  "folder" | "recursive" | "q" | "sort" | "metric" | "dir" | "stars" | "tag" | "seed"
> &
  Partial<Pick<BrowseQuery, "ranges" | "cats" | "similar" | "flag" | "color" | "stack" | "expand">>;

export interface QueryRunnerOptions {
  /** A table's own columns, rows in table order (`lenslet TABLE`). */
  source?: Table | null;
  /** Similarity scores of every row to one image (sort=similar), or null when not possible. */
  similar?: ((columns: GalleryTable, path: string) => Float32Array | null) | null;
  /** Bursts and near-duplicates of a folder, for `stack=` (M6). */
  stacks?: StackSource | null;
}

/** True when the query narrows the folder's images (search, stars, tag, flag, colour, field filters). */
export function isFiltered(q: QueryKey): boolean {
  return (
    q.q !== "" ||
    q.stars.length > 0 ||
    q.tag !== "" ||
    (q.flag?.length ?? 0) > 0 ||
    (q.color?.length ?? 0) > 0 ||
    Object.keys(q.ranges ?? {}).length > 0 ||
    Object.keys(q.cats ?? {}).length > 0
  );
}

/** Deterministic per-(seed, path) rank: a random order that is stable across pages and reloads. */
export function randomRank(seed: number, path: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return h >>> 0;
}

/** Rows of a first page or two are cut without ordering the rest (top-k); more need the full order. */
const HEAD_ROWS = 512;

/** One query's result: rows (gallery ordinals) in order, read a page at a time. */
export class QueryView {
  constructor(
    private readonly index: GalleryIndex,
    private readonly result: Pick<QueryResult, "rows" | "head" | "total">,
    /** Rows of the folder (or subtree) before filtering. */
    readonly unfiltered: number,
    /** Per-row score of a similarity sort (same order as rows), else null. */
    private readonly scores: Float32Array | Float64Array | null,
    /** Stacks (M6): each card's stack size and membership, and the counts; null when not stacking. */
    readonly stacks: Collapsed | null = null,
  ) {}

  /** Cards in the view (a stack is one card). */
  get total(): number {
    return this.result.total;
  }

  /** Images in the view, those inside collapsed stacks included. */
  get images(): number {
    return this.stacks?.images ?? this.result.total;
  }

  /** The i-th card's stack: its size (≥ 2) when it fronts one, whether it is a member shown open. */
  stackAt(i: number): { size: number; member: boolean } | null {
    const s = this.stacks;
    if (!s) return null;
    const size = s.size[i]!;
    const member = s.member[i] === 1;
    return size >= 2 || member ? { size, member } : null;
  }

  /** The rows up to `end` (exclusive): a head while that is enough, else the full order. */
  private upTo(end: number): Uint32Array {
    if (end > HEAD_ROWS) return this.result.rows;
    return this.result.head(end <= 256 ? 256 : HEAD_ROWS);
  }

  get rows(): Uint32Array {
    return this.result.rows;
  }

  at(i: number): ImageEntry {
    return this.index.at(this.upTo(i + 1)[i]!);
  }

  slice(offset: number, limit: number): ImageEntry[] {
    const end = Math.min(this.total, offset + limit);
    const rows = this.upTo(end);
    const out: ImageEntry[] = [];
    for (let i = Math.max(0, offset); i < end; i++) out.push(this.index.at(rows[i]!));
    return out;
  }

  /** Position of a path in the result, or -1. */
  indexOf(path: string): number {
    const o = this.index.ordinalOf(path);
    return o < 0 ? -1 : this.rows.indexOf(o);
  }

  pathAt(i: number): string {
    return this.index.pathAt(this.upTo(i + 1)[i]!);
  }

  /** The similarity score of the i-th row (sort=similar), else undefined. */
  scoreAt(i: number): number | undefined {
    if (!this.scores) return undefined;
    const v = this.scores[this.upTo(i + 1)[i]!]!;
    return Number.isNaN(v) ? undefined : v;
  }
}

/** A result read backwards (name order with `dir=desc`, G4): the full order is needed anyway. */
function reversed(r: QueryResult): Pick<QueryResult, "rows" | "head" | "total"> {
  let rows: Uint32Array | null = null;
  const all = () => {
    rows ??= r.rows.slice().reverse();
    return rows;
  };
  return {
    total: r.total,
    get rows() {
      return all();
    },
    head: (k) => all().subarray(0, k),
  };
}

interface Cached {
  /** The index revision the rows are ordinals of. */
  revision: number;
  columns: Column[];
  versions: number[];
  view: QueryView;
}

export class QueryRunner {
  readonly columns: GalleryTable;
  private engine: QueryEngine | null = null;
  private readonly views = new Map<string, Cached>();

  private readonly similar: QueryRunnerOptions["similar"];
  private readonly stacks: StackSource | null;

  constructor(
    private readonly gallery: GalleryIndex,
    labels: LabelLookup,
    private readonly maxCached = 32,
    private readonly facts: ImageFacts | null = null,
    opts: QueryRunnerOptions = {},
  ) {
    this.columns = new GalleryTable(gallery, labels, opts.source ?? null);
    this.similar = opts.similar ?? null;
    this.stacks = opts.stacks ?? null;
  }

  /** The groups `q.stack` stacks by (M6), or null when not stacking. */
  stackGroups(q: QueryKey): StackGroups | null {
    return q.stack && this.stacks ? this.stacks.groups(q.stack, q.folder, q.recursive) : null;
  }

  /** The whole result as entries (O(n) objects: tests and small results; pages use `view`). */
  run(q: QueryKey): ImageEntry[] {
    const v = this.view(q);
    return v.slice(0, v.total);
  }

  /** The result of a query, from the cache when none of the columns it read changed. */
  view(q: QueryKey): QueryView {
    const table = this.columns.current();
    if (!this.engine || this.engine.table !== table) this.engine = new QueryEngine(table);
    const spec = this.spec(q);
    // Stacking (M6) reads the groups of the folder as they are now (their revision keys the cache).
    const groups = this.stackGroups(q);
    // q.sort too: a sort that falls back to name order (no image has the key) must not share the
    // cache entry of name order itself, which `dir=desc` reverses.
    const key = JSON.stringify([
      q.folder,
      q.recursive,
      spec.filters,
      spec.sort,
      q.sort,
      q.dir,
      groups ? [q.stack, groups.revision, q.expand ?? null] : null,
    ]);
    const hit = this.views.get(key);
    if (
      hit &&
      hit.revision === this.gallery.revision &&
      hit.columns.every((c, i) => table.get(c.name) === c && c.version === hit.versions[i])
    ) {
      this.views.delete(key);
      this.views.set(key, hit);
      return hit.view;
    }
    const range = this.gallery.range(q.folder, q.recursive);
    const result = this.engine.run({ ...spec, base: range });
    // Name order is row order; `sort=name&dir=desc` reads it backwards (G4). A sort whose key no
    // image has (a metric nobody pushed yet) leaves every image "without it": name order, either way.
    let rows: Pick<QueryResult, "rows" | "head" | "total"> =
      !spec.sort && q.sort === "name" && q.dir === "desc" ? reversed(result) : result;
    const read = new Set<string>();
    for (const f of spec.filters ?? [])
      for (const n of f.kind === "contains" ? f.fields : [f.field]) read.add(n);
    if (spec.sort) read.add(spec.sort.field);
    let stacked: Collapsed | null = null;
    if (groups) {
      // A stack's front frame follows stars and flags: a new one re-collapses the view. Collapsing
      // needs the whole order (a group's first image may be anywhere), then pages are slices of it.
      const star = table.get(FIELD.star) as StarColumn;
      const flag = table.get(FIELD.flag) as CategoryColumn;
      const codeRank = flag.dict.map((v) => frameRank(v as "pick" | "reject" | null, 0));
      const o = q.expand ? this.gallery.ordinalOf(q.expand) : -1;
      stacked = collapseStacks(
        rows.rows,
        groups,
        (r) => codeRank[flag.codes[r]!]! + star.values[r]!,
        o < 0 ? -1 : groups.groupOf[o]!,
      );
      const collapsed = stacked.rows;
      rows = { total: collapsed.length, rows: collapsed, head: (k) => collapsed.subarray(0, k) };
      read.add(FIELD.star);
      read.add(FIELD.flag);
    }
    const columns = [...read].map((n) => table.get(n)!).filter(Boolean);
    const scores =
      q.sort === "similar" && spec.sort
        ? (table.get(spec.sort.field) as { values: Float32Array }).values
        : null;
    const view = new QueryView(this.gallery, rows, range.end - range.start, scores, stacked);
    this.views.set(key, {
      revision: this.gallery.revision,
      columns,
      versions: columns.map((c) => c.version),
      view,
    });
    while (this.views.size > this.maxCached) this.views.delete(this.views.keys().next().value!);
    return view;
  }

  /**
   * Facets (histograms of metrics, size and date; value counts of categories) of a query's view,
   * crossfilter style (D8): each field's own filter does not narrow its own facet.
   */
  facets(
    q: QueryKey,
    fields?: readonly string[],
    bins?: number,
  ): { total: number; baseTotal: number; facets: Facet[] } {
    const table = this.columns.current();
    const wanted = (fields ?? this.columns.defaultFacetFields()).filter((f) =>
      this.columns.need(f),
    );
    if (!this.engine || this.engine.table !== table) this.engine = new QueryEngine(table);
    const spec = this.spec(q);
    const r = this.engine.run({
      base: this.gallery.range(q.folder, q.recursive),
      filters: spec.filters,
      facets: wanted,
      bins,
    });
    return { total: r.total, baseTotal: r.baseTotal, facets: r.facets };
  }

  /** The engine's query for a browse state; fields it names are made current first. */
  private spec(q: QueryKey): Pick<QuerySpec, "filters" | "sort"> {
    const cols = this.columns;
    const filters: Filter[] = [];
    if (q.stars.length) {
      cols.need(FIELD.star);
      filters.push({
        kind: "stars",
        field: FIELD.star,
        values: q.stars.map((s) => (s === "unrated" ? 0 : Number(s))),
      });
    }
    if (q.tag) filters.push({ kind: "tag", field: FIELD.tags, tag: q.tag });
    // G14: `none` is the missing value of the flag and colour categories.
    const cull = (values: readonly string[] | undefined, field: string) => {
      if (values?.length)
        filters.push({
          kind: "anyOf",
          field,
          values: values.map((v) => (v === "none" ? null : v)),
        });
    };
    cull(q.flag, FIELD.flag);
    cull(q.color, FIELD.color);
    if (q.q) filters.push({ kind: "contains", fields: cols.searchFields(), needle: q.q });
    for (const [field, r] of Object.entries(q.ranges ?? {})) {
      const c = cols.need(field);
      // A range on a field nobody has matches nothing (a missing value never matches, D7).
      if (c?.kind === "metric" || c?.kind === "date")
        filters.push({ kind: "range", field, lo: r.lo, hi: r.hi });
      else filters.push({ kind: "range", field: this.emptyMetric(), lo: 0, hi: 0 });
    }
    for (const [field, values] of Object.entries(q.cats ?? {})) {
      const c = cols.need(field);
      if (c?.kind === "category") filters.push({ kind: "anyOf", field, values });
      else filters.push({ kind: "range", field: this.emptyMetric(), lo: 0, hi: 0 });
    }
    return { filters, sort: this.sortOf(q) };
  }

  private emptyMetric(): string {
    return this.columns.computedColumn("@none", (n) => new Float32Array(n).fill(Number.NaN)).name;
  }

  private sortOf(q: QueryKey): QuerySpec["sort"] {
    const dir = q.dir;
    // The grid's desc has always been its asc read backwards (G4): ties reversed too.
    const ties = "reverse" as const;
    switch (q.sort) {
      case "name":
        return null;
      case "date":
        return this.columns.need(FIELD.date) ? { field: FIELD.date, dir, ties } : null;
      case "size":
        return this.columns.need(FIELD.size) ? { field: FIELD.size, dir, ties } : null;
      case "stars":
        return { field: FIELD.star, dir, ties };
      case "metric":
        // Nobody has it: every image lacks it, so name order (images without a metric keep name order).
        return this.columns.need(q.metric) ? { field: q.metric, dir, ties } : null;
      case "flag": {
        // Rejects, unflagged, picks (flagRank); ranks computed per flag-column version.
        const flags = this.columns.current().get(FIELD.flag) as {
          codes: Uint8Array;
          dict: (string | null)[];
          version: number;
        };
        const name = `@flagrank:${flags.version}`;
        this.columns.computedColumn(name, (n) => {
          const rank = flags.dict.map((v) => flagRank((v as "pick" | "reject" | null) ?? null));
          const out = new Float64Array(n);
          for (let o = 0; o < n; o++) out[o] = rank[flags.codes[o]!]!;
          return out;
        });
        return { field: name, dir, ties };
      }
      case "taken": {
        // Capture times arrive as files are read: a taken order is as old as what it knew.
        const facts = this.facts;
        if (!facts) return null;
        const name = `@taken:${facts.revision}`;
        this.columns.computedColumn(name, (n) => {
          const out = new Float64Array(n);
          for (let o = 0; o < n; o++) out[o] = facts.takenMs(this.gallery.at(o)) ?? Number.NaN;
          return out;
        });
        return { field: name, dir, ties };
      }
      case "random": {
        const seed = q.seed;
        const name = `@random:${seed}`;
        this.columns.computedColumn(name, (n) => {
          const v = new Float64Array(n);
          for (let o = 0; o < n; o++) v[o] = randomRank(seed, this.gallery.pathAt(o));
          return v;
        });
        return { field: name, dir, ties };
      }
      case "similar": {
        const path = q.similar ?? "";
        const name = `@similar:${path}`;
        let ok = true;
        this.columns.computedColumn(name, (n) => {
          const s = this.similar?.(this.columns, path) ?? null;
          if (!s) ok = false;
          return s ?? new Float32Array(n).fill(Number.NaN);
        });
        if (!ok) return null;
        // Most similar first; dir=asc asks for the least similar first.
        return { field: name, dir: dir === "asc" ? "desc" : "asc", ties: "keep" };
      }
    }
  }
}
