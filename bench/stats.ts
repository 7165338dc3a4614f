/** Small helpers every benchmark shares: order statistics, a table printer, a JSON summary in bench/out/. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function printTable(title: string, rows: [string, string][]): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  console.log("-".repeat(title.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}

export function writeSummary(name: string, summary: unknown): void {
  const dir = join(import.meta.dir, "out");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
}

/** The machine's load average (Linux), for printing beside wall-clock figures. */
export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" / ");
  } catch {
    return "unknown";
  }
}
