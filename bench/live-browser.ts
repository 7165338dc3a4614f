/**
 * Edit-to-other-browser latency: a PATCH sent from one Chromium page until the
 * card in a second Chromium (another profile) shows the new stars. Both pages
 * stamp times with performance.timeOrigin + performance.now() (one machine, one clock).
 * Goal: p99 ≤ 100 ms.
 *
 * Then file-to-page latency: an image written into the folder until its card is
 * in the open page (watcher, quiet period, index refresh, event, view reload).
 *
 *   bun run bench/live-browser.ts [--edits 200] [--files 30]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openBrowser } from "../test/helpers/browser.ts";
import { startServerProcess } from "../test/helpers/server-process.ts";
import { imageBytes, removeDir, tempDir, writeTree } from "../test/helpers/tree.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const { values } = parseArgs({
  options: {
    edits: { type: "string", default: "200" },
    files: { type: "string", default: "30" },
  },
});
const edits = Number(values.edits);
const fileCount = Number(values.files);

const root = tempDir("lenslet-bench-live-");
const workspace = tempDir("lenslet-bench-live-ws-");
const files: Record<string, object> = {};
for (let i = 0; i < 24; i++) files[`shots/img${String(i).padStart(2, "0")}.jpg`] = {};
await writeTree(root, files);
const server = await startServerProcess([root, "--port", "0", "--workspace", workspace]);
const [writer, watcher] = await Promise.all([openBrowser(), openBrowser()]);

type AlpineWindow = { Alpine?: { store(n: string): { connState: string } } };
for (const b of [writer, watcher]) {
  await b.page.goto(`${server.url}/?folder=/shots`);
  await b.page.waitForSelector(".grid-page .card");
  await b.page.waitForFunction(
    () => (window as unknown as AlpineWindow).Alpine?.store("sync")?.connState === "live",
  );
}

// The watcher records when each card's stars change.
await watcher.page.evaluate(() => {
  const w = window as unknown as { seen: Record<string, number>; arrived: Record<string, number> };
  w.seen = {};
  w.arrived = {};
  const note = (el: HTMLElement, t: number) => {
    if (!el.classList?.contains("card")) return;
    w.seen[`${el.dataset.path}|${el.dataset.star}`] ??= t;
    w.arrived[el.dataset.path as string] ??= t;
  };
  // Cards change in place (data-star) or arrive re-rendered (the grid itself may be replaced): either counts.
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const r of records) {
      if (r.type === "attributes") note(r.target as HTMLElement, t);
      for (const n of r.addedNodes) {
        note(n as HTMLElement, t);
        for (const c of (n as HTMLElement).querySelectorAll?.(".card") ?? [])
          note(c as HTMLElement, t);
      }
    }
  }).observe(document.body, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-star"],
  });
});

const latencies: number[] = [];
const versions = new Map<string, number>();
for (let i = 0; i < edits; i++) {
  const path = `/shots/img${String(i % 24).padStart(2, "0")}.jpg`;
  const star = (Math.floor(i / 24) % 5) + 1;
  const base = versions.get(path) ?? 1;
  const sent = await writer.page.evaluate(
    async ({ path, star, base }) => {
      const t0 = performance.timeOrigin + performance.now();
      const res = await fetch(`/item?path=${encodeURIComponent(path)}`, {
        method: "PATCH",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": crypto.randomUUID(),
          "X-Lenslet-Name": "bench",
        },
        body: JSON.stringify({ base_version: base, set_star: star }),
      });
      const body = await res.json();
      return { t0, version: body.version as number };
    },
    { path, star, base },
  );
  versions.set(path, sent.version);
  const seenAt = await watcher.page.waitForFunction(
    (key) => (window as unknown as { seen: Record<string, number> }).seen[key],
    `${path}|${star}`,
  );
  latencies.push(((await seenAt.jsonValue()) as number) - sent.t0);
}

// Files written into the folder; named to sort first, so their cards land in view.
const arrivals: number[] = [];
const bytes = await imageBytes();
for (let i = 0; i < fileCount; i++) {
  const name = `aa${String(i).padStart(3, "0")}.jpg`;
  const t0 = performance.timeOrigin + performance.now();
  writeFileSync(join(root, "shots", name), bytes);
  const seenAt = await watcher.page.waitForFunction(
    (p) => (window as unknown as { arrived: Record<string, number> }).arrived[p],
    `/shots/${name}`,
    { timeout: 10_000 },
  );
  arrivals.push(((await seenAt.jsonValue()) as number) - t0);
}

await Promise.all([writer.close(), watcher.close()]);
await server.stop();
removeDir(root);
removeDir(workspace);

const summary = {
  edits,
  p50_ms: median(latencies),
  p99_ms: percentile(latencies, 99),
  max_ms: Math.max(...latencies),
  files: fileCount,
  file_p50_ms: median(arrivals),
  file_p99_ms: percentile(arrivals, 99),
};
printTable("edit in one browser → card updated in another", [
  ["edits", String(edits)],
  ["p50", `${summary.p50_ms.toFixed(1)} ms`],
  ["p99", `${summary.p99_ms.toFixed(1)} ms  (goal ≤ 100 ms)`],
  ["max", `${summary.max_ms.toFixed(1)} ms`],
]);
printTable("image written into the folder → card in the open page", [
  ["files", String(fileCount)],
  ["p50", `${summary.file_p50_ms.toFixed(0)} ms  (250 ms of it is the watcher's quiet period)`],
  ["p99", `${summary.file_p99_ms.toFixed(0)} ms`],
]);
writeSummary("live-browser", summary);
