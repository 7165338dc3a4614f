/**
 * The engine's columns: one typed array per field, so a filter or a histogram
 * over a million rows is a loop over numbers, never over row objects.
 *
 * Missing values: NaN in metric and date columns, code 0 in category columns
 * (whose `dict[0]` is null), null in text columns, 0 ("unrated") in star columns,
 * null in tag columns. A column's `version` rises whenever its values change, so
 * the engine's caches (sort orders, bins) know to start again.
 */

export interface MetricColumn {
  kind: "metric";
  name: string;
  values: Float64Array | Float32Array;
  version: number;
}

export interface CategoryColumn {
  kind: "category";
  name: string;
  /** Index into `dict`; 0 = missing. */
  codes: Uint8Array | Uint16Array | Uint32Array;
  /** `dict[0]` is null (missing); the rest are distinct values. */
  dict: (string | null)[];
  version: number;
}

export interface DateColumn {
  kind: "date";
  name: string;
  /** Epoch milliseconds; NaN = missing. */
  values: Float64Array;
  version: number;
}

export interface TextColumn {
  kind: "text";
  name: string;
  values: (string | null)[];
  version: number;
}

export interface EmbeddingColumn {
  kind: "embedding";
  name: string;
  dim: number;
  /** Row r is values[r*dim … r*dim+dim), normalised to unit length (all zeros = missing). */
  values: Float32Array;
  version: number;
}

export interface StarColumn {
  kind: "star";
  name: string;
  /** 0 = unrated, 1…5. */
  values: Uint8Array;
  version: number;
}

export interface TagsColumn {
  kind: "tags";
  name: string;
  /** Each row's tags (null = none). */
  values: (readonly string[] | null)[];
  version: number;
}

export type Column =
  | MetricColumn
  | CategoryColumn
  | DateColumn
  | TextColumn
  | EmbeddingColumn
  | StarColumn
  | TagsColumn;
export type ColumnKind = Column["kind"];

/** Number of rows a column holds. */
export function columnLength(c: Column): number {
  switch (c.kind) {
    case "category":
      return c.codes.length;
    case "embedding":
      return c.dim === 0 ? 0 : c.values.length / c.dim;
    default:
      return c.values.length;
  }
}

/** Category codes: the narrowest array that holds `dictSize` codes. */
export function codeArray(rows: number, dictSize: number): Uint8Array | Uint16Array | Uint32Array {
  if (dictSize <= 0x100) return new Uint8Array(rows);
  if (dictSize <= 0x10000) return new Uint16Array(rows);
  return new Uint32Array(rows);
}

/** Builds a category column from plain values (tests, small tables). */
export function categoryFrom(name: string, values: readonly (string | null)[]): CategoryColumn {
  const dict: (string | null)[] = [null];
  const index = new Map<string, number>();
  for (const v of values) {
    if (v !== null && !index.has(v)) {
      index.set(v, dict.length);
      dict.push(v);
    }
  }
  const codes = codeArray(values.length, dict.length);
  values.forEach((v, i) => {
    codes[i] = v === null ? 0 : index.get(v)!;
  });
  return { kind: "category", name, codes, dict, version: 0 };
}

/** A table: named columns of one length. */
export class Table {
  readonly columns = new Map<string, Column>();

  constructor(readonly rowCount: number) {}

  add(column: Column): this {
    const n = columnLength(column);
    if (n !== this.rowCount) {
      throw new Error(`column ${column.name} has ${n} rows, the table ${this.rowCount}`);
    }
    this.columns.set(column.name, column);
    return this;
  }

  get(name: string): Column | undefined {
    return this.columns.get(name);
  }

  /** Drops a column (a computed one going out of use); caches holding it see it gone. */
  delete(name: string): void {
    this.columns.delete(name);
  }
}
