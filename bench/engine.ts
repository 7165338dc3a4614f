/**
 * Columnar engine micro-bench (issue 11): 1,000,000 rows × 10 float metrics + 2 categories.
 * One query = a range filter on one metric + sort by another + every histogram and value count.
 * Beside it, in the same run, a bare typed-array loop doing the least that query must do
 * (one range test per row, one bin count per metric and category per row), as the floor.
 * Goal: p95 ≤ 60 ms.
 *
 *   bun run bench/engine.ts [--rows 1000000] [--runs 40]
 */
import { parseArgs } from "node:util";
import { categoryFrom, Table } from "../src/query/columns.ts";
import { QueryEngine } from "../src/query/engine.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "40" },
  },
});
const N = Number(args.rows);
const RUNS = Number(args.runs);
const METRICS = 10;

/** A small seeded PRNG so every run queries the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticTable(n: number, seed = 1): Table {
  const rand = rng(seed);
  const t = new Table(n);
  for (let m = 0; m < METRICS; m++) {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rand() < 0.01 ? Number.NaN : rand() ** (1 + m / 3);
    t.add({ kind: "metric", name: `m${m}`, values: v, version: 0 });
  }
  const small = Array.from({ length: 20 }, (_, i) => `class-${i}`);
  const big = Array.from({ length: 500 }, (_, i) => `source-${i}`);
  t.add(
    categoryFrom(
      "label",
      Array.from({ length: n }, () => small[Math.floor(rand() * 20)]!),
    ),
  );
  t.add(
    categoryFrom(
      "source",
      Array.from({ length: n }, () => big[Math.floor(rand() * 500)]!),
    ),
  );
  return t;
}

const t0 = performance.now();
const table = syntheticTable(N);
const buildMs = performance.now() - t0;
const engine = new QueryEngine(table);

// Cold: the first sort by a field builds its permutation (cached per column version after).
const coldSort: number[] = [];
for (const field of ["m1", "m2", "m3"]) {
  const s = performance.now();
  engine.permutation(field, "asc");
  coldSort.push(performance.now() - s);
}

// Cold: the first facets compute every row's bin per metric (once per column version).
const s0 = performance.now();
engine.run({ facets: "all" });
const coldFacetsMs = performance.now() - s0;

const rand = rng(7);
const times: number[] = [];
let checksum = 0;
for (let r = 0; r < RUNS + 5; r++) {
  const lo = rand() * 0.5;
  const hi = lo + 0.1 + rand() * 0.4;
  const s = performance.now();
  const res = engine.run({
    filters: [{ kind: "range", field: `m${r % METRICS}`, lo, hi }],
    sort: { field: `m${1 + (r % 3)}`, dir: r % 2 ? "desc" : "asc" },
    facets: "all",
  });
  const page = res.rows.subarray(0, 120);
  const ms = performance.now() - s;
  checksum += page[0] ?? 0;
  if (r >= 5) times.push(ms); // the first few warm the JIT
}

// The floor: the same passes as bare loops, nothing cached, no bitsets, no sort.
const cols = Array.from(
  { length: METRICS },
  (_, m) => (table.get(`m${m}`) as { values: Float32Array }).values,
);
const cats = ["label", "source"].map((f) => {
  const c = table.get(f)!;
  return c.kind === "category" ? c : null;
});
const bare: number[] = [];
for (let r = 0; r < RUNS + 5; r++) {
  const lo = rand() * 0.5;
  const hi = lo + 0.3;
  const s = performance.now();
  const f = cols[r % METRICS]!;
  const keep = new Uint8Array(N);
  for (let i = 0; i < N; i++) keep[i] = f[i]! >= lo && f[i]! <= hi ? 1 : 0;
  for (const col of cols) {
    const counts = new Uint32Array(41);
    for (let i = 0; i < N; i++) {
      const v = col[i]!;
      if (keep[i] && !Number.isNaN(v)) counts[Math.min(39, Math.floor(v * 40))]!++;
    }
    checksum += counts[0]!;
  }
  for (const c of cats) {
    const counts = new Uint32Array(c!.dict.length);
    const codes = c!.codes;
    for (let i = 0; i < N; i++) if (keep[i]) counts[codes[i]!]!++;
    checksum += counts[1]!;
  }
  if (r >= 5) bare.push(performance.now() - s);
}

const fmt = (v: number) => `${v.toFixed(1)} ms`;
const summary = {
  rows: N,
  metrics: METRICS,
  build_table_ms: Math.round(buildMs),
  cold_sort_ms: coldSort.map((v) => Math.round(v)),
  cold_facets_ms: Math.round(coldFacetsMs),
  query_p50_ms: median(times),
  query_p95_ms: percentile(times, 95),
  bare_p50_ms: median(bare),
  bare_p95_ms: percentile(bare, 95),
  ratio_p50: median(times) / median(bare),
  checksum,
};
printTable(`engine, ${N.toLocaleString("en-US")} rows × ${METRICS} metrics + 2 categories`, [
  ["build synthetic table", fmt(buildMs)],
  ["first sort by a field (permutation), m1/m2/m3", coldSort.map(fmt).join(" / ")],
  ["first histograms + value counts (bins per row)", fmt(coldFacetsMs)],
  [
    "range + sort + all facets, p50 / p95",
    `${fmt(summary.query_p50_ms)} / ${fmt(summary.query_p95_ms)}  (goal p95 ≤ 60 ms)`,
  ],
  ["bare typed-array loop, p50 / p95", `${fmt(summary.bare_p50_ms)} / ${fmt(summary.bare_p95_ms)}`],
  ["engine / bare (p50)", `${summary.ratio_p50.toFixed(2)}×`],
]);
writeSummary("engine", summary);
