/**
 * Dataset bench (issue 11): a generated 1,000,000-row Parquet (10 float metrics, 2 categories,
 * a caption, a path column; cached in .cache/bench/) loaded the way `lenslet TABLE` loads it
 * (read columns, detect fields, resolve paths, build the gallery index), in a fresh process so
 * its RSS is the load's own. Then the engine query over the loaded table: a range filter on one
 * metric + sort by another + every histogram and value count. Goals: ready ≤ 3 s, RSS ≤ 600 MB,
 * query p95 ≤ 60 ms. The image files do not exist (every row counts as missing): one failed
 * readdir per folder, as for a table whose images are elsewhere.
 *
 *   bun run bench/dataset.ts [--rows 1000000] [--runs 30]
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Dataset } from "../src/dataset/dataset.ts";
import { QueryEngine } from "../src/query/engine.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "30" },
    measure: { type: "string" },
  },
});
const N = Number(args.rows);
const dir = join(import.meta.dir, "..", ".cache", "bench");
const file = join(dir, `dataset-${N}.parquet`);

async function generate(): Promise<void> {
  const { parquetWriteFile } = await import("hyparquet-writer");
  mkdirSync(dir, { recursive: true });
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const columns: { name: string; data: unknown[] | Float32Array; type?: "FLOAT" | "STRING" }[] = [
    {
      name: "path",
      data: Array.from({ length: N }, (_, i) => `d${i % 1000}/img-${i}.jpg`),
      type: "STRING",
    },
  ];
  for (let m = 0; m < 10; m++)
    columns.push({
      name: `m${m}`,
      data: Float32Array.from({ length: N }, () => rand()),
      type: "FLOAT",
    });
  columns.push({
    name: "label",
    data: Array.from({ length: N }, () => `class-${Math.floor(rand() * 20)}`),
    type: "STRING",
  });
  columns.push({
    name: "source",
    data: Array.from({ length: N }, () => `src-${Math.floor(rand() * 500)}`),
    type: "STRING",
  });
  const words = [
    "a",
    "photo",
    "of",
    "cat",
    "dog",
    "red",
    "car",
    "at",
    "night",
    "beach",
    "tree",
    "with",
  ];
  columns.push({
    name: "caption",
    data: Array.from(
      { length: N },
      (_, i) =>
        `${Array.from({ length: 6 }, () => words[Math.floor(rand() * words.length)]).join(" ")} ${i}`,
    ),
    type: "STRING",
  });
  parquetWriteFile({ filename: file, columnData: columns as never });
}

if (args.measure) {
  // The child: load, then query; prints one JSON line.
  const t0 = performance.now();
  const ds = await Dataset.open(args.measure, { exclude: [`${args.measure}.lenslet`] });
  const index = ds.index();
  const readyMs = performance.now() - t0;
  Bun.gc(true);
  const rss = process.memoryUsage().rss / 2 ** 20;
  const engine = new QueryEngine(ds.loaded.table);
  const f0 = performance.now();
  engine.run({ facets: "all" });
  const firstFacetsMs = performance.now() - f0;
  const times: number[] = [];
  for (let r = 0; r < Number(args.runs) + 3; r++) {
    const lo = (r % 7) / 10;
    const q0 = performance.now();
    engine.run({
      filters: [{ kind: "range", field: `m${r % 10}`, lo, hi: lo + 0.25 }],
      sort: { field: `m${1 + (r % 3)}`, dir: r % 2 ? "desc" : "asc" },
      facets: "all",
    });
    if (r >= 3) times.push(performance.now() - q0);
  }
  const rssAfter = process.memoryUsage().rss / 2 ** 20;
  console.log(
    JSON.stringify({
      readyMs,
      readMs: ds.loaded.readMs,
      rss,
      rssAfter,
      images: index.imageCount,
      folders: index.folderCount,
      missing: ds.resolution.missing,
      fields: ds.loaded.fields.map((f) => `${f.name}:${f.kind}`),
      firstFacetsMs,
      p50: median(times),
      p95: percentile(times, 95),
    }),
  );
  process.exit(0);
}

if (!existsSync(file)) {
  const g0 = performance.now();
  console.log(`generating ${file} …`);
  await generate();
  console.log(`  written in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
}
const child = Bun.spawnSync(
  [
    process.execPath,
    "run",
    import.meta.path,
    "--rows",
    String(N),
    "--runs",
    args.runs!,
    "--measure",
    file,
  ],
  { stdout: "pipe", stderr: "inherit", env: { ...process.env, NODE_ENV: "production" } },
);
const out = JSON.parse(child.stdout.toString().trim().split("\n").pop()!);
const fmt = (v: number) => `${v.toFixed(1)} ms`;
printTable(
  `dataset, ${N.toLocaleString("en-US")}-row Parquet (10 float metrics, 2 categories, caption, path)`,
  [
    [
      "load → ready (read, detect, resolve, index)",
      `${(out.readyMs / 1000).toFixed(2)} s  (goal ≤ 3 s)`,
    ],
    ["  of which reading the Parquet + detection", `${(out.readMs / 1000).toFixed(2)} s`],
    [
      "RSS when ready / after the queries",
      `${out.rss.toFixed(0)} / ${out.rssAfter.toFixed(0)} MB  (goal ≤ 600 MB)`,
    ],
    ["images, folders, missing files", `${out.images}, ${out.folders}, ${out.missing}`],
    ["first histograms + value counts", fmt(out.firstFacetsMs)],
    [
      "range + sort + all facets, p50 / p95",
      `${fmt(out.p50)} / ${fmt(out.p95)}  (goal p95 ≤ 60 ms)`,
    ],
    ["fields", out.fields.join(", ")],
  ],
);
writeSummary("dataset", { rows: N, ...out });
