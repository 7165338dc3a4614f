/** What a reader hands to field detection: one value array per column, row order kept. */
export interface RawColumn {
  name: string;
  /**
   * Values as the format gives them: numbers (or a typed array of them), strings,
   * booleans, Dates, bigints, arrays of numbers; null/undefined = missing.
   */
  values: ArrayLike<unknown>;
  /** CSV and TSV give every value as text: numbers and dates are recognised from it. */
  text: boolean;
  /** Numbers in this text may use a decimal comma (`0,37`): a semicolon-separated CSV. */
  decimalComma?: boolean;
  /** A Parquet column of a type Lenslet does not use (nested groups, maps). */
  unsupported?: string;
}

export interface RawTable {
  file: string;
  rows: number;
  columns: RawColumn[];
  /** "line 12" (CSV, JSONL) or "row 12" (Parquet) for row i, for error messages. */
  where(row: number): string;
}
