/**
 * Big-folder benchmark (issue: gallery core). Builds (once) a synthetic tree of
 * 100,000 tiny images in nested folders, then measures:
 *   - index time beside `find DIR -type f | wc -l` in the same run (same cache state),
 *   - server time and gzip bytes of the first grid page of the recursive root,
 *   - DOM nodes after scrolling to the middle and the end (real Chromium),
 *   - server RSS.
 * Goals: index ≤ 2× find, first page ≤ 25 ms median and ≤ 60 KB compressed,
 * ≤ 5,000 DOM nodes, RSS ≤ 250 MB.
 *
 *   bun run bench/gallery.ts [--count 100000] [--dir /tmp/lenslet-bench-100k] [--no-browser]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSyntheticTree } from "../src/gallery/demo.ts";
import { GalleryIndex } from "../src/gallery/gallery-index.ts";
import { openBrowser } from "../test/helpers/browser.ts";
import { startServerProcess } from "../test/helpers/server-process.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    dir: { type: "string" },
    "no-browser": { type: "boolean", default: false },
    runs: { type: "string", default: "3" },
  },
});
const count = Number(values.count);
const dir = values.dir ?? join(tmpdir(), `lenslet-bench-${count}`);
const runs = Number(values.runs);

console.log(`synthetic tree: ${count.toLocaleString()} images in ${dir}`);
const tree = await buildSyntheticTree(dir, count, {
  onProgress: (d, t) => process.stderr.write(`\r  writing ${d}/${t}`),
});
process.stderr.write("\r\x1b[K");
console.log(tree.ms ? `  built in ${(tree.ms / 1000).toFixed(1)} s` : "  reused");

function dropCaches(): boolean {
  try {
    Bun.spawnSync(["sync"]);
    writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------ index vs find
const findMs: number[] = [];
const indexMs: number[] = [];
let cold = false;
for (let r = 0; r < runs; r++) {
  cold = dropCaches();
  let t0 = performance.now();
  const out = Bun.spawnSync(["sh", "-c", `find '${dir}' -type f | wc -l`]);
  findMs.push(performance.now() - t0);
  if (r === 0) console.log(`  find counted ${out.stdout.toString().trim()} files`);
  dropCaches();
  t0 = performance.now();
  const index = await GalleryIndex.build(dir);
  indexMs.push(performance.now() - t0);
  if (index.imageCount !== count) throw new Error(`indexed ${index.imageCount}, expected ${count}`);
  // The background stat pass runs off the main thread: let it end before the next cold run.
  await index.statsReady;
}

// ------------------------------------------------------------ first grid page over HTTP
const workspace = join(tmpdir(), `lenslet-bench-ws-${process.pid}`);
mkdirSync(workspace, { recursive: true });
const t0 = performance.now();
const server = await startServerProcess([dir, "--port", "0", "--workspace", workspace], {
  timeoutMs: 300_000,
});
const readyMs = performance.now() - t0;
const pid = server.proc.pid;
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

async function timeRequest(path: string, n: number) {
  const times: number[] = [];
  let gz = 0;
  let raw = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(server.url + path, {
      headers: { "Accept-Encoding": "gzip", "HX-Request": "true" },
      decompress: false,
    } as RequestInit);
    const body = new Uint8Array(await res.arrayBuffer());
    times.push(performance.now() - t);
    gz = res.headers.get("Content-Encoding") === "gzip" ? body.length : Bun.gzipSync(body).length;
    raw =
      res.headers.get("Content-Encoding") === "gzip" ? Bun.gunzipSync(body).length : body.length;
  }
  return { times, gz, raw };
}

const firstPageCold = await timeRequest("/?recursive=1", 1);
const firstPage = await timeRequest("/?recursive=1", 50);
const gridPage = await timeRequest("/grid/page?recursive=1&offset=50000&limit=120", 50);
const fullPage = await (async () => {
  const res = await fetch(`${server.url}/?recursive=1`, {
    headers: { "Accept-Encoding": "gzip" },
    decompress: false,
  } as RequestInit);
  return (await res.arrayBuffer()).byteLength;
})();
const rssAfterIndex = rss();

// ------------------------------------------------------------ DOM nodes in a real browser
let domMiddle = Number.NaN;
let domEnd = Number.NaN;
let domTop = Number.NaN;
if (!values["no-browser"]) {
  const b = await openBrowser({ width: 1600, height: 1000 });
  try {
    const page = b.page;
    await page.goto(`${server.url}/?recursive=1`);
    await page.waitForSelector(".grid-scroller.virtual .card");
    const count = () => page.evaluate(() => document.getElementsByTagName("*").length);
    domTop = await count();
    const scrollTo = async (frac: number) => {
      await page.evaluate((f) => {
        const g = document.querySelector("#grid") as HTMLElement;
        g.scrollTop = (g.scrollHeight - g.clientHeight) * f;
      }, frac);
      // Wait for the cards at the new position to arrive.
      await page.waitForFunction(() => {
        const view = (document.querySelector("#grid") as HTMLElement).getBoundingClientRect();
        return [...document.querySelectorAll(".grid-page .card")].some((c) => {
          const r = c.getBoundingClientRect();
          return r.bottom > view.top && r.top < view.bottom;
        });
      });
    };
    await scrollTo(0.5);
    domMiddle = await count();
    await scrollTo(1);
    domEnd = await count();
  } finally {
    await b.close();
  }
}
const rssAfterScroll = rss();

// ------------------------------------------------------------ the settled server
// The figures above are taken while the background passes after start (every file's stat, the XMP
// seeding) still run; these once /health says every size and date is known (H6).
for (;;) {
  const h = (await (await fetch(`${server.url}/health`)).json()) as {
    gallery: { stats_ready: boolean };
  };
  if (h.gallery.stats_ready) break;
  await Bun.sleep(100); // polls the server's own flag
}
const settledFirst = await timeRequest("/?recursive=1", 50);
const settledGrid = await timeRequest("/grid/page?recursive=1&offset=50000&limit=120", 50);
const rssSettled = rss();
await server.stop();
rmSync(workspace, { recursive: true, force: true });

const summary = {
  images: count,
  cache: cold
    ? "cold (page cache dropped before each run)"
    : "warm (could not drop the page cache)",
  find_ms_median: median(findMs),
  index_ms_median: median(indexMs),
  index_vs_find: median(indexMs) / median(findMs),
  server_ready_ms: readyMs,
  first_page_cold_ms: firstPageCold.times[0],
  first_page_ms_median: median(firstPage.times),
  first_page_ms_p99: percentile(firstPage.times, 99),
  first_page_gzip_bytes: firstPage.gz,
  first_page_raw_bytes: firstPage.raw,
  full_page_gzip_bytes: fullPage,
  grid_page_mid_ms_median: median(gridPage.times),
  grid_page_mid_ms_p99: percentile(gridPage.times, 99),
  grid_page_gzip_bytes: gridPage.gz,
  dom_nodes_top: domTop,
  dom_nodes_middle: domMiddle,
  dom_nodes_end: domEnd,
  rss_mb_after_index: rssAfterIndex,
  rss_mb_after_scroll: rssAfterScroll,
  settled_first_page_ms_median: median(settledFirst.times),
  settled_first_page_ms_p99: percentile(settledFirst.times, 99),
  settled_grid_page_mid_ms_median: median(settledGrid.times),
  settled_grid_page_mid_ms_p99: percentile(settledGrid.times, 99),
  rss_mb_settled: rssSettled,
};
printTable(`gallery (${count.toLocaleString("en-US")} images)`, [
  ["find -type f | wc -l (median)", `${summary.find_ms_median.toFixed(0)} ms`],
  [
    "index (median)",
    `${summary.index_ms_median.toFixed(0)} ms  (${summary.index_vs_find.toFixed(2)}× find; goal ≤ 2×)`,
  ],
  ["server start → ready (incl. index)", `${readyMs.toFixed(0)} ms`],
  ["first page of recursive root, first request", `${summary.first_page_cold_ms!.toFixed(1)} ms`],
  [
    "first page of recursive root (median / p99)",
    `${summary.first_page_ms_median.toFixed(1)} / ${summary.first_page_ms_p99.toFixed(1)} ms  (goal ≤ 25 ms)`,
  ],
  [
    "first page, gzip / raw bytes",
    `${(firstPage.gz / 1024).toFixed(1)} KB / ${(firstPage.raw / 1024).toFixed(1)} KB  (goal ≤ 60 KB)`,
  ],
  ["full HTML page, gzip", `${(fullPage / 1024).toFixed(1)} KB`],
  [
    "grid page at 50,000 (median / p99)",
    `${summary.grid_page_mid_ms_median.toFixed(1)} / ${summary.grid_page_mid_ms_p99.toFixed(1)} ms, ${(gridPage.gz / 1024).toFixed(1)} KB gzip`,
  ],
  ["DOM nodes: top / middle / end", `${domTop} / ${domMiddle} / ${domEnd}  (goal ≤ 5,000)`],
  [
    "server RSS after index / after scrolling",
    `${rssAfterIndex.toFixed(0)} / ${rssAfterScroll.toFixed(0)} MB  (goal ≤ 250 MB)`,
  ],
  [
    "settled (sizes and dates known): first page / page at 50,000, median / p99",
    `${summary.settled_first_page_ms_median.toFixed(1)} / ${summary.settled_first_page_ms_p99.toFixed(1)} ms; ${summary.settled_grid_page_mid_ms_median.toFixed(1)} / ${summary.settled_grid_page_mid_ms_p99.toFixed(1)} ms`,
  ],
  ["server RSS, settled", `${rssSettled.toFixed(0)} MB`],
  ["page cache", summary.cache],
]);
writeSummary("gallery", summary);
