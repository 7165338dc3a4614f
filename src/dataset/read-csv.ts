/**
 * CSV and TSV tables, streamed through csv-parse: one header line, then one
 * record per row (a .csv may use semicolons: csvDelimiter). Values are kept
 * per column (never as row objects); a record with more or fewer fields than
 * the header is an error naming its line.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { type CsvError, parse } from "csv-parse";
import type { RawTable } from "./raw-table.ts";
import { TableError } from "./table-error.ts";

/**
 * A .csv whose header line has no comma but a semicolon is read with semicolons: what spreadsheets write
 * where the comma is the decimal mark. Only the header decides, so a value never changes how a file reads.
 */
export function csvDelimiter(file: string): "," | ";" {
  const buf = Buffer.alloc(64 * 1024);
  let n = 0;
  const fd = openSync(file, "r");
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = buf.subarray(0, n).toString("utf8");
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  return !header.includes(",") && header.includes(";") ? ";" : ",";
}

export async function readCsv(file: string, delimiter: "," | ";" | "\t"): Promise<RawTable> {
  const parser = createReadStream(file).pipe(
    parse({
      delimiter,
      bom: true,
      skip_empty_lines: true,
      relax_quotes: delimiter === "\t",
      info: true,
    }),
  );
  let header: string[] | null = null;
  let columns: string[][] = [];
  const lines: number[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!header) {
        header = record.map((h) => h.trim());
        const seen = new Set<string>();
        header.forEach((h, i) => {
          if (h === "")
            throw new TableError(file, `line ${info.lines}`, `column ${i + 1} has no name`);
          if (seen.has(h)) throw new TableError(file, `line ${info.lines}`, `column '${h}' twice`);
          seen.add(h);
        });
        columns = header.map(() => []);
        continue;
      }
      for (let c = 0; c < columns.length; c++) columns[c]!.push(record[c]!);
      lines.push(info.lines);
    }
  } catch (err) {
    if (err instanceof TableError) throw err;
    const e = err as CsvError & { lines?: number };
    if (e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH")
      throw new TableError(
        file,
        `line ${e.lines}`,
        `${(e as { record?: unknown[] }).record?.length ?? "a different number of"} fields, the header has ${header?.length}`,
      );
    const code = (err as { code?: string }).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR")
      throw new TableError(file, null, `cannot read (${code})`);
    throw new TableError(file, e.lines ? `line ${e.lines}` : null, e.message);
  }
  if (!header) throw new TableError(file, null, "empty table: no header line");
  return {
    file,
    rows: lines.length,
    columns: header.map((name, c) => ({
      name,
      values: columns[c]!,
      text: true,
      decimalComma: delimiter === ";",
    })),
    where: (row) => `line ${lines[row] ?? "?"}`,
  };
}
