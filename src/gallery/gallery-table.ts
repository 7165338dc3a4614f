/**
 * The gallery as one columnar table for the query engine (src/query/): a row
 * per image in name order (row = the index's ordinal, so a folder or subtree
 * is one row range), with its file facts, its labels, the metrics pushed over
 * the API and — for `lenslet TABLE` — the table's own columns. One engine
 * serves folders and tables.
 *
 * Kept current without rebuilding per request: the table is rebuilt when the
 * index changes (the watcher added or removed files; the rows move), label
 * writes are applied to their rows only (the label source's change feed) and
 * bump the versions of the columns they changed, and file facts are copied
 * again when more sizes/mtimes/dimensions are known. Computed columns (random
 * ranks, similarity scores) are built on demand and dropped when unused.
 */
import { COLORS, FLAGS } from "../core/cull.ts";
import type {
  CategoryColumn,
  Column,
  MetricColumn,
  StarColumn,
  TagsColumn,
  TextColumn,
} from "../query/columns.ts";
import { Table } from "../query/columns.ts";
import type { CullFacts } from "./cull-filters.ts";
import type { GalleryIndex } from "./gallery-index.ts";

/** The part of a label record a query looks at (flag and colour: G14; absent = none). */
export interface LabelFacts extends Partial<CullFacts> {
  star: number | null;
  tags: string[];
  notes: string;
  metrics: Record<string, number>;
}

export interface LabelLookup {
  get(path: string): LabelFacts;
  /** Changes whenever any label changes. */
  readonly revision: number;
  /** Written records only (default: every image is asked with `get`). */
  entries?(): Iterable<[string, LabelFacts]>;
  /** Paths written after `revision`, or null when that is too long ago to say (then all are read again). */
  changedSince?(revision: number): Iterable<string> | null;
}

/** Names of the gallery's own fields; a table's columns keep their own names. */
export const FIELD = {
  name: "@name",
  size: "@size",
  date: "@date",
  width: "@width",
  height: "@height",
  star: "@star",
  tags: "@tags",
  notes: "@notes",
  flag: "@flag",
  color: "@color",
} as const;
/** Fixed dictionaries of the flag and colour categories (code 0 = none). */
const FLAG_DICT: (string | null)[] = [null, ...FLAGS];
const COLOR_DICT: (string | null)[] = [null, ...COLORS];
/** File facts (copied from the index as they become known). */
const FILE_FIELDS: readonly string[] = [FIELD.size, FIELD.date, FIELD.width, FIELD.height];
/** Metric columns at most: each is 8 bytes a row (a script pushing thousands of names must not cost GBs). */
export const MAX_METRIC_COLUMNS = 100;

export class GalleryTable {
  private table = new Table(0);
  private builtRevision = -1;
  private labelRevision = -1;
  private statsRevision = -1;
  private dimsRevision = -1;
  /** Table row of each gallery row (tables only). */
  private sourceRow: Int32Array | null = null;
  /** Pushed metric names seen in the labels, in first-seen order. */
  private readonly pushedNames = new Set<string>();
  private readonly computed = new Map<string, number>();
  private useClock = 0;

  constructor(
    private readonly index: GalleryIndex,
    private readonly labels: LabelLookup,
    /** The table's own columns, rows in table order (`lenslet TABLE`), or null for a folder. */
    private readonly source: Table | null = null,
  ) {}

  /** The table, current with the index and the labels. File-fact columns are filled when asked for. */
  current(): Table {
    if (this.builtRevision !== this.index.revision) this.rebuild();
    else if (this.labelRevision !== this.labels.revision) this.applyLabelChanges();
    return this.table;
  }

  /** Makes sure a field's column exists and is current (metrics and file facts are built lazily). */
  need(field: string): Column | undefined {
    const t = this.current();
    if (FILE_FIELDS.includes(field)) this.fileFacts(field);
    else if (!t.get(field) && this.metricNames().includes(field)) this.metricColumn(field);
    return t.get(field);
  }

  /** Metric names: the table's metric columns, then pushed names (capped, D12). */
  metricNames(): string[] {
    this.current();
    const names: string[] = [];
    if (this.source)
      for (const c of this.source.columns.values()) if (c.kind === "metric") names.push(c.name);
    for (const n of this.pushedNames) if (!names.includes(n)) names.push(n);
    return names.slice(0, MAX_METRIC_COLUMNS);
  }

  /** Every field a facet can be asked of: metrics, file facts, the table's dates and categories. */
  facetFields(): string[] {
    const out = [...this.metricNames(), FIELD.size, FIELD.date, FIELD.width, FIELD.height];
    if (this.source)
      for (const c of this.source.columns.values())
        if (c.kind === "category" || c.kind === "date") out.push(c.name);
    return out;
  }

  /** The facets of a view by default (the Metrics panel): width and height only once some are known. */
  defaultFacetFields(): string[] {
    const dims = this.anyDims();
    return this.facetFields().filter((f) => dims || (f !== FIELD.width && f !== FIELD.height));
  }

  private dimsSeen = { version: -1, any: false };
  /** Whether any image's width is known (kept per column version: one scan when it changes). */
  private anyDims(): boolean {
    const c = this.need(FIELD.width);
    if (c?.kind !== "metric") return false;
    if (this.dimsSeen.version !== c.version) {
      let any = false;
      for (let i = 0; i < c.values.length && !any; i++) any = !Number.isNaN(c.values[i]!);
      this.dimsSeen = { version: c.version, any };
    }
    return this.dimsSeen.any;
  }

  /** Text fields `q` searches: name, tags, notes and the table's text columns. */
  searchFields(): string[] {
    const out: string[] = [FIELD.name, FIELD.tags, FIELD.notes];
    if (this.source)
      for (const c of this.source.columns.values()) if (c.kind === "text") out.push(c.name);
    return out;
  }

  /** The table's row behind a gallery row (tables), else -1. */
  sourceRowOf(row: number): number {
    return this.sourceRow?.[row] ?? -1;
  }

  /** A computed metric column (random ranks, similarity scores), built once per key and kept while used. */
  computedColumn(name: string, build: (rows: number) => Float64Array | Float32Array): MetricColumn {
    const t = this.current();
    this.computed.set(name, ++this.useClock);
    let c = t.get(name) as MetricColumn | undefined;
    if (!c) {
      c = { kind: "metric", name, values: build(t.rowCount), version: 0 };
      t.add(c);
      // Keep the few most recently used (each is a column of the whole gallery).
      if (this.computed.size > 4) {
        const [oldest] = [...this.computed].sort((a, b) => a[1] - b[1])[0]!;
        this.computed.delete(oldest);
        t.delete(oldest);
      }
    }
    return c;
  }

  /** A pushed metric wins over the table's value of the same name (D12). */
  metricAt(row: number, name: string, labels: LabelFacts): number | undefined {
    const pushed = labels.metrics[name];
    if (pushed !== undefined) return pushed;
    const c = this.source?.get(name);
    const sr = this.sourceRowOf(row);
    if (c?.kind !== "metric" || sr < 0) return undefined;
    const v = c.values[sr]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** The table's metrics of a gallery row (for the inspector), pushed ones not included. */
  sourceMetrics(row: number): Record<string, number> {
    const out: Record<string, number> = {};
    const sr = this.sourceRowOf(row);
    if (!this.source || sr < 0) return out;
    for (const c of this.source.columns.values()) {
      if (c.kind !== "metric") continue;
      const v = c.values[sr]!;
      if (!Number.isNaN(v)) out[c.name] = v;
    }
    return out;
  }

  /**
   * The table's categories, text and dates of a gallery row, in column order (for the inspector: an image's
   * class, caption, capture time); missing values left out.
   */
  sourceFields(
    row: number,
  ): { name: string; kind: "category" | "text" | "date"; value: string | number }[] {
    const out: { name: string; kind: "category" | "text" | "date"; value: string | number }[] = [];
    const sr = this.sourceRowOf(row);
    if (!this.source || sr < 0) return out;
    for (const c of this.source.columns.values()) {
      if (c.name.startsWith("@")) continue;
      if (c.kind === "category") {
        const v = c.dict[c.codes[sr]!];
        if (v !== null && v !== undefined) out.push({ name: c.name, kind: c.kind, value: v });
      } else if (c.kind === "text") {
        const v = c.values[sr];
        if (v) out.push({ name: c.name, kind: c.kind, value: v });
      } else if (c.kind === "date") {
        const v = c.values[sr]!;
        if (!Number.isNaN(v)) out.push({ name: c.name, kind: c.kind, value: v });
      }
    }
    return out;
  }

  private rebuild(): void {
    const facts = this.index.facts();
    const n = facts.count;
    const t = new Table(n);
    const names: (string | null)[] = new Array(n);
    for (let o = 0; o < n; o++) names[o] = facts.nameAt(o);
    t.add({ kind: "text", name: FIELD.name, values: names, version: 0 } satisfies TextColumn);
    t.add({ kind: "star", name: FIELD.star, values: new Uint8Array(n), version: 0 });
    t.add({ kind: "tags", name: FIELD.tags, values: new Array(n).fill(null), version: 0 });
    t.add({ kind: "text", name: FIELD.notes, values: new Array(n).fill(null), version: 0 });
    t.add({
      kind: "category",
      name: FIELD.flag,
      codes: new Uint8Array(n),
      dict: FLAG_DICT,
      version: 0,
    });
    t.add({
      kind: "category",
      name: FIELD.color,
      codes: new Uint8Array(n),
      dict: COLOR_DICT,
      version: 0,
    });
    if (this.source) {
      const perm = new Int32Array(n);
      for (let o = 0; o < n; o++) perm[o] = facts.source(o);
      this.sourceRow = perm;
      for (const c of this.source.columns.values()) {
        if (c.name.startsWith("@")) continue;
        // Metrics are built on demand (they may take pushed values); the rest are gathered now.
        if (c.kind === "category") {
          const codes = new (c.codes.constructor as Uint8ArrayConstructor)(n);
          for (let o = 0; o < n; o++) codes[o] = c.codes[perm[o]!]!;
          t.add({ kind: "category", name: c.name, codes, dict: c.dict, version: 0 });
        } else if (c.kind === "text") {
          const values: (string | null)[] = new Array(n);
          for (let o = 0; o < n; o++) values[o] = c.values[perm[o]!]!;
          t.add({ kind: "text", name: c.name, values, version: 0 });
        } else if (c.kind === "date") {
          const values = new Float64Array(n);
          for (let o = 0; o < n; o++) values[o] = c.values[perm[o]!]!;
          t.add({ kind: "date", name: c.name, values, version: 0 });
        }
      }
    }
    this.table = t;
    this.computed.clear();
    this.builtRevision = this.index.revision;
    this.statsRevision = -1;
    this.dimsRevision = -1;
    this.labelRevision = this.labels.revision;
    this.pushedNames.clear();
    this.fillLabels();
  }

  /** Every written label into the label columns (after a rebuild, or when the change feed cannot say). */
  private fillLabels(): void {
    const t = this.table;
    const star = t.get(FIELD.star) as StarColumn;
    const tags = t.get(FIELD.tags) as TagsColumn;
    const notes = t.get(FIELD.notes) as TextColumn;
    const flag = t.get(FIELD.flag) as CategoryColumn;
    const color = t.get(FIELD.color) as CategoryColumn;
    star.values.fill(0);
    tags.values.fill(null);
    notes.values.fill(null);
    flag.codes.fill(0);
    color.codes.fill(0);
    for (const c of t.columns.values())
      if (c.kind === "metric" && !this.computed.has(c.name)) t.delete(c.name);
    const apply = (path: string, l: LabelFacts) => {
      for (const m in l.metrics) this.pushedNames.add(m);
      const o = this.index.ordinalOf(path);
      if (o < 0) return;
      star.values[o] = l.star ?? 0;
      tags.values[o] = l.tags.length ? l.tags : null;
      notes.values[o] = l.notes || null;
      flag.codes[o] = codeOf(FLAG_DICT, l.flag);
      color.codes[o] = codeOf(COLOR_DICT, l.color);
    };
    if (this.labels.entries) for (const [path, l] of this.labels.entries()) apply(path, l);
    else
      for (let o = 0; o < t.rowCount; o++)
        apply(this.index.pathAt(o), this.labels.get(this.index.pathAt(o)));
    star.version++;
    tags.version++;
    notes.version++;
    flag.version++;
    color.version++;
  }

  private applyLabelChanges(): void {
    const changed = this.labels.changedSince?.(this.labelRevision) ?? null;
    this.labelRevision = this.labels.revision;
    if (changed === null) {
      this.fillLabels();
      return;
    }
    const t = this.table;
    const star = t.get(FIELD.star) as StarColumn;
    const tags = t.get(FIELD.tags) as TagsColumn;
    const notes = t.get(FIELD.notes) as TextColumn;
    const flag = t.get(FIELD.flag) as CategoryColumn;
    const color = t.get(FIELD.color) as CategoryColumn;
    const bumped = new Set<Column>();
    for (const path of changed) {
      const l = this.labels.get(path);
      for (const m in l.metrics) this.pushedNames.add(m);
      const o = this.index.ordinalOf(path);
      if (o < 0) continue;
      const s = l.star ?? 0;
      if (star.values[o] !== s) {
        star.values[o] = s;
        bumped.add(star);
      }
      const tg = l.tags.length ? l.tags : null;
      if ((tags.values[o]?.join("\n") ?? null) !== (tg?.join("\n") ?? null)) {
        tags.values[o] = tg;
        bumped.add(tags);
      }
      const nt = l.notes || null;
      if (notes.values[o] !== nt) {
        notes.values[o] = nt;
        bumped.add(notes);
      }
      for (const [c, dict, v] of [
        [flag, FLAG_DICT, l.flag],
        [color, COLOR_DICT, l.color],
      ] as const) {
        const code = codeOf(dict, v);
        if (c.codes[o] !== code) {
          c.codes[o] = code;
          bumped.add(c);
        }
      }
      for (const c of t.columns.values()) {
        if (c.kind !== "metric" || this.computed.has(c.name)) continue;
        const v = this.metricAt(o, c.name, l) ?? Number.NaN;
        if (!Object.is(c.values[o], v)) {
          if (c.values instanceof Float32Array && Math.fround(v) !== v && !Number.isNaN(v)) {
            // A pushed value needs the full precision the table's Float32 column lacks.
            c.values = Float64Array.from(c.values);
          }
          c.values[o] = v;
          bumped.add(c);
        }
      }
    }
    for (const c of bumped) c.version++;
  }

  private metricColumn(name: string): MetricColumn {
    const t = this.table;
    const n = t.rowCount;
    const src = this.source?.get(name);
    let values: Float64Array | Float32Array;
    if (src?.kind === "metric" && this.sourceRow) {
      values = new (src.values.constructor as Float64ArrayConstructor)(n);
      const perm = this.sourceRow;
      for (let o = 0; o < n; o++) values[o] = src.values[perm[o]!]!;
    } else values = new Float64Array(n).fill(Number.NaN);
    const c: MetricColumn = { kind: "metric", name, values, version: 0 };
    const put = (o: number, v: number) => {
      if (c.values instanceof Float32Array && Math.fround(v) !== v)
        c.values = Float64Array.from(c.values);
      c.values[o] = v;
    };
    if (this.labels.entries) {
      for (const [path, l] of this.labels.entries()) {
        const v = l.metrics[name];
        if (v === undefined) continue;
        const o = this.index.ordinalOf(path);
        if (o >= 0) put(o, v);
      }
    } else {
      for (let o = 0; o < n; o++) {
        const v = this.labels.get(this.index.pathAt(o)).metrics[name];
        if (v !== undefined) put(o, v);
      }
    }
    t.add(c);
    return c;
  }

  /**
   * Size and date (mtime; missing while unknown), or width and height: copied again when more are known.
   * Each pair has its own revision, so the stream of sizes thumbnails tell never rebuilds size and date.
   */
  private fileFacts(field: string): void {
    const t = this.table;
    const dims = field === FIELD.width || field === FIELD.height;
    const rev = dims ? this.index.dimsRevision : this.index.statsRevision;
    if (
      dims
        ? this.dimsRevision === rev && t.get(FIELD.width)
        : this.statsRevision === rev && t.get(FIELD.size)
    )
      return;
    if (dims) this.dimsRevision = rev;
    else this.statsRevision = rev;
    const facts = this.index.facts();
    const n = t.rowCount;
    const fill = (
      name: string,
      kind: "metric" | "date",
      read: (o: number) => number,
      missing: (v: number) => boolean,
    ) => {
      const values = new Float64Array(n);
      for (let o = 0; o < n; o++) {
        const v = read(o);
        values[o] = missing(v) ? Number.NaN : v;
      }
      const old = t.get(name) as MetricColumn | undefined;
      if (old && sameValues(old.values, values)) return;
      t.add({ kind, name, values, version: (old?.version ?? 0) + 1 } as MetricColumn);
    };
    if (dims) {
      fill(FIELD.width, "metric", facts.width, (v) => v <= 0);
      fill(FIELD.height, "metric", facts.height, (v) => v <= 0);
    } else {
      fill(FIELD.size, "metric", facts.size, (v) => v < 0);
      fill(FIELD.date, "date", facts.mtime, (v) => v < 0);
    }
  }
}

/** The code of a value in a fixed dictionary (0 = none, or a value it does not know). */
function codeOf(dict: readonly (string | null)[], v: string | null | undefined): number {
  const i = v == null ? 0 : dict.indexOf(v);
  return Math.max(i, 0);
}

function sameValues(a: Float64Array | Float32Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
