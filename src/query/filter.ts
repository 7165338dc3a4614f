/**
 * Filters evaluated into bitsets. Each filter reads one column (text search
 * may read several) in one loop that builds a whole 32-row word at a time.
 */
import { Bitset } from "./bitset.ts";
import type { CategoryColumn, Column, Table, TagsColumn, TextColumn } from "./columns.ts";

export type Filter =
  /** lo ≤ value ≤ hi on a metric or date column; a missing value never matches. */
  | { kind: "range"; field: string; lo: number; hi: number }
  /** The category value is one of these (null = missing). */
  | { kind: "anyOf"; field: string; values: readonly (string | null)[] }
  /** Some of `fields` (text, category or tag columns) contains `needle`, case-insensitive. */
  | { kind: "contains"; fields: readonly string[]; needle: string }
  /** The star value is one of these (0 = unrated). */
  | { kind: "stars"; field: string; values: readonly number[] }
  /** The row's tags include `tag`. */
  | { kind: "tag"; field: string; tag: string };

export class FilterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "FilterError";
  }
}

/** The fields a filter reads (facets of those fields ignore it: see engine.ts). */
export function filterFields(f: Filter): readonly string[] {
  return f.kind === "contains" ? f.fields : [f.field];
}

/** Sets bit i of a fresh bitset wherever `test(i)` holds, one word at a time. */
function build(n: number, test: (i: number) => boolean): Bitset {
  const out = new Bitset(n);
  const words = out.words;
  for (let w = 0, base = 0; w < words.length; w++, base += 32) {
    const end = Math.min(32, n - base);
    let bits = 0;
    for (let j = 0; j < end; j++) if (test(base + j)) bits |= 1 << j;
    words[w] = bits;
  }
  return out;
}

function column(table: Table, field: string): Column {
  const c = table.get(field);
  if (!c) throw new FilterError(field, `no field '${field}'`);
  return c;
}

/** Lower-cased text of a column, computed once per column version (text search reads it). */
const lowered = new WeakMap<Column, { version: number; values: (string | null)[] }>();
export function lowerText(c: TextColumn | CategoryColumn | TagsColumn): (string | null)[] {
  const hit = lowered.get(c);
  if (hit && hit.version === c.version) return hit.values;
  // A row's tags are searched as one text, a tag a line (a needle does not span two tags).
  const source =
    c.kind === "text"
      ? c.values
      : c.kind === "tags"
        ? c.values.map((t) => t?.join("\n") ?? null)
        : c.dict;
  const values = source.map((s) => (s === null ? null : s.toLowerCase()));
  lowered.set(c, { version: c.version, values });
  return values;
}

/**
 * Evaluates one filter over every row. `within`, when given, is a superset of
 * the answer already known (an earlier, shorter needle): only its rows are tested.
 */
export function evaluate(table: Table, f: Filter, within?: Bitset): Bitset {
  const n = table.rowCount;
  switch (f.kind) {
    case "range": {
      const c = column(table, f.field);
      if (c.kind !== "metric" && c.kind !== "date")
        throw new FilterError(f.field, `'${f.field}' is not a number or date field`);
      const a = c.values;
      const { lo, hi } = f;
      const out = new Bitset(n);
      const words = out.words;
      // The hot loop of brushing: no closure, one word at a time.
      for (let w = 0, base = 0; w < words.length; w++, base += 32) {
        const end = Math.min(32, n - base);
        let bits = 0;
        for (let j = 0; j < end; j++) {
          const v = a[base + j]!;
          if (v >= lo && v <= hi) bits |= 1 << j;
        }
        words[w] = bits;
      }
      return out;
    }
    case "anyOf": {
      const c = column(table, f.field);
      if (c.kind !== "category")
        throw new FilterError(f.field, `'${f.field}' is not a category field`);
      const wanted = new Uint8Array(c.dict.length);
      const want = new Set(f.values);
      c.dict.forEach((v, code) => {
        if (want.has(v)) wanted[code] = 1;
      });
      const codes = c.codes;
      return build(n, (i) => wanted[codes[i]!] === 1);
    }
    case "stars": {
      const c = column(table, f.field);
      if (c.kind !== "star") throw new FilterError(f.field, `'${f.field}' is not a star field`);
      const wanted = new Uint8Array(6);
      for (const s of f.values) if (s >= 0 && s <= 5) wanted[s] = 1;
      const v = c.values;
      return build(n, (i) => wanted[v[i]!] === 1);
    }
    case "tag": {
      const c = column(table, f.field);
      if (c.kind !== "tags") throw new FilterError(f.field, `'${f.field}' is not a tag field`);
      const v = c.values;
      return build(n, (i) => v[i]?.includes(f.tag) === true);
    }
    case "contains": {
      const needle = f.needle.toLowerCase();
      const sources = f.fields.map((name) => {
        const c = column(table, name);
        if (c.kind === "text" || c.kind === "tags") return { codes: null, text: lowerText(c) };
        if (c.kind === "category") {
          const dictHit = lowerText(c).map((s) => s?.includes(needle) === true);
          return { codes: c.codes, hit: dictHit, text: null };
        }
        throw new FilterError(name, `'${name}' is not a text field`);
      });
      const test = (i: number) => {
        for (const s of sources) {
          if (s.text) {
            if (s.text[i]?.includes(needle)) return true;
          } else if (s.hit?.[s.codes![i]!]) return true;
        }
        return false;
      };
      if (!within) return build(n, test);
      const out = new Bitset(n);
      for (const i of within.toRows()) if (test(i)) out.add(i);
      return out;
    }
  }
}
