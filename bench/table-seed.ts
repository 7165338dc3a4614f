/**
 * What seeding labels from a table costs at start (D24): a generated CSV of N rows with `rating` and `tags`
 * columns, served by the real server process three times over one workspace. The first start seeds every
 * row (one journaled batch per 10,000); the later ones find every image labelled and write nothing. The same
 * table without its seed columns is the baseline, in the same run.
 *
 *   bun run bench/table-seed.ts [--rows 100000] [--runs 3]
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServerProcess } from "../test/helpers/server-process.ts";
import { loadAverage, median, printTable, writeSummary } from "./stats.ts";

const { values: args } = parseArgs({
  options: { rows: { type: "string", default: "100000" }, runs: { type: "string", default: "3" } },
});
const N = Number(args.rows);
const RUNS = Number(args.runs);
const dir = join(import.meta.dir, "..", ".cache", "bench", "table-seed");
mkdirSync(dir, { recursive: true });

function table(name: string, seeds: boolean): string {
  const file = join(dir, name);
  const lines = [seeds ? "path,score,rating,tags" : "path,score"];
  for (let i = 0; i < N; i++) {
    const row = `d${i % 100}/img${i}.jpg,${(i * 7919) % 1000}`;
    lines.push(seeds ? `${row},${i % 6},t${i % 7}|keep` : row);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  rmSync(`${file}.lenslet`, { recursive: true, force: true });
  return file;
}

/** Milliseconds from spawn until /health answers, and what it says of the seeds. */
async function startOnce(file: string): Promise<{ ms: number; seeds: unknown }> {
  const t0 = performance.now();
  const s = await startServerProcess([file, "--port", "0"], { timeoutMs: 120_000 });
  const h = await (await fetch(`${s.url}/health`)).json();
  const ms = performance.now() - t0;
  await s.stop();
  return { ms, seeds: h.dataset.seeds };
}

const plain: number[] = [];
const first: number[] = [];
const later: number[] = [];
let seeded: unknown = null;
let kept: unknown = null;
for (let r = 0; r < RUNS; r++) {
  const base = table("plain.csv", false);
  plain.push((await startOnce(base)).ms);
  const file = table("seeded.csv", true);
  const a = await startOnce(file);
  first.push(a.ms);
  seeded = a.seeds;
  const b = await startOnce(file);
  later.push(b.ms);
  kept = b.seeds;
}
const rows: [string, string][] = [
  ["rows", N.toLocaleString("en-US")],
  ["start → /health, no seed columns (median)", `${median(plain).toFixed(0)} ms`],
  ["first start, seeding every row (median)", `${median(first).toFixed(0)} ms`],
  ["a later start, nothing to seed (median)", `${median(later).toFixed(0)} ms`],
  [
    "seeding's own cost (first − no seed columns)",
    `${(median(first) - median(plain)).toFixed(0)} ms`,
  ],
  ["/health.dataset.seeds, first / later", `${JSON.stringify(seeded)} / ${JSON.stringify(kept)}`],
  ["load average", loadAverage()],
];
printTable(`Table label seeding (D24), ${RUNS} runs`, rows);
writeSummary("table-seed", { rows: N, plain, first, later, seeded, kept });
