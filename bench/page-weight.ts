/**
 * First-load weight of the page (issue 10: ≤ 50 KB of JS + CSS, gzip): serves a tiny gallery, fetches `/`,
 * then every script and stylesheet it names and, for ES modules, every module they import statically
 * (followed transitively, as a browser loads them), and prints raw and gzip bytes per file and in total.
 * Then what loads on first use (src/routes/client-build.ts's on-demand files), and the before/after line:
 * everything at start (the first load plus every on-demand file, what one bundle weighed) against the
 * first load, and the budget. test/browser/page-weight.test.ts measures the same in Chromium.
 *
 *   bun run bench/page-weight.ts
 */
import { gzipSync } from "node:zlib";
import { buildClient } from "../src/routes/client-build.ts";
import { startTestLenslet } from "../test/helpers/lenslet.ts";
import { printTable, writeSummary } from "./stats.ts";

const GOAL_KB = 50;

const app = await startTestLenslet({ "a/one.jpg": {}, "a/two.jpg": {} });
try {
  const html = await (await app.get("/?folder=/a")).text();
  const seen = new Map<string, { raw: number; gzip: number }>();
  const queue: string[] = [];
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) queue.push(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g))
    queue.push(m[1]!);
  while (queue.length) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    const res = await app.get(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    const body = new Uint8Array(await res.arrayBuffer());
    seen.set(url, { raw: body.length, gzip: gzipSync(body, { level: 6 }).length });
    if (url.endsWith(".js")) {
      const text = new TextDecoder().decode(body);
      // Static imports of our modules (`import … from "./x.js"`, `import "./x.js"`), resolved like a browser.
      for (const m of text.matchAll(
        /(?:^|[\n;])\s*(?:import|export)\b[^;(]*?["']((?:\.{1,2})?\/[^"']+)["']/g,
      ))
        queue.push(new URL(m[1]!, `http://x${url}`).pathname);
    }
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const rows: [string, string][] = [...seen].map(([u, s]) => [
    u,
    `${kb(s.gzip)}  (${kb(s.raw)} raw)`,
  ]);
  const sum = (pick: (s: { raw: number; gzip: number }) => number, ext: string) =>
    [...seen].filter(([u]) => u.endsWith(ext)).reduce((a, [, s]) => a + pick(s), 0);
  const js = sum((s) => s.gzip, ".js");
  const css = sum((s) => s.gzip, ".css");
  rows.push(["JS total (gzip)", kb(js)], ["CSS total (gzip)", kb(css)]);
  rows.push(["JS + CSS (gzip)", kb(js + css)]);
  rows.push(["HTML of the page (gzip)", kb(gzipSync(html).length)]);
  printTable("First load: JS and CSS, gzip level 6", rows);

  // On first use: every built file the first load did not fetch.
  const later = new Map<string, { raw: number; gzip: number }>();
  for (const name of (await buildClient()).files.keys()) {
    const url = `/static/${name}`;
    if (seen.has(url)) continue;
    const body = new Uint8Array(await (await app.get(url)).arrayBuffer());
    later.set(url, { raw: body.length, gzip: gzipSync(body, { level: 6 }).length });
  }
  const laterGzip = [...later.values()].reduce((a, s) => a + s.gzip, 0);
  printTable("Loaded on first use, gzip level 6", [
    ...[...later].map(([u, s]): [string, string] => [u, `${kb(s.gzip)}  (${kb(s.raw)} raw)`]),
    ["on first use, all (gzip)", kb(laterGzip)],
  ]);
  const first = js + css;
  const goal = GOAL_KB * 1024;
  printTable("Split: everything against the first load", [
    ["everything (first load + each on-demand file, gzipped alone)", kb(first + laterGzip)],
    ["first load", kb(first)],
    [
      "budget",
      `${kb(first)} of ${GOAL_KB} KB: ${first <= goal ? "within" : `over by ${kb(first - goal)}`}`,
    ],
  ]);
  writeSummary("page-weight", {
    files: Object.fromEntries(seen),
    on_first_use: Object.fromEntries(later),
    js_gzip: js,
    css_gzip: css,
    total_gzip: first,
    everything_gzip: first + laterGzip,
    goal_bytes: goal,
    within_goal: first <= goal,
  });
} finally {
  await app.dispose();
}
