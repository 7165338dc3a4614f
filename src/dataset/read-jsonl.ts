/**
 * JSON Lines tables: one JSON object per line (blank lines skipped); the
 * columns are every key seen, in first-seen order, missing keys being missing
 * values. A line that is not a JSON object is an error naming it.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { RawTable } from "./raw-table.ts";
import { TableError } from "./table-error.ts";

export async function readJsonl(file: string): Promise<RawTable> {
  const columns = new Map<string, unknown[]>();
  const lines: number[] = [];
  let lineNo = 0;
  const input = createReadStream(file, { encoding: "utf8" });
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      if (line.trim() === "") continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        throw new TableError(file, `line ${lineNo}`, `not JSON (${(err as Error).message})`);
      }
      if (obj === null || typeof obj !== "object" || Array.isArray(obj))
        throw new TableError(file, `line ${lineNo}`, "not a JSON object");
      const row = lines.length;
      for (const [k, v] of Object.entries(obj)) {
        let col = columns.get(k);
        if (!col) {
          col = new Array(row).fill(null);
          columns.set(k, col);
        }
        col[row] = v;
      }
      lines.push(lineNo);
      // Keys this line lacks are missing values.
      for (const col of columns.values()) if (col.length <= row) col.length = row + 1;
    }
  } catch (err) {
    if (err instanceof TableError) throw err;
    const code = (err as { code?: string }).code;
    throw new TableError(file, null, `cannot read (${code ?? (err as Error).message})`);
  }
  return {
    file,
    rows: lines.length,
    columns: [...columns].map(([name, values]) => ({
      name,
      values: Array.from(values, (v) => v ?? null),
      text: false,
    })),
    where: (row) => `line ${lines[row] ?? "?"}`,
  };
}
