/**
 * Thumbnail throughput on the demo gallery: cold generation one at a time (the
 * baseline) and with one job per core, then disk-cache and memory hits, the
 * cost of an ETag (paid for every card rendered) and the 6000×4000 JPEG.
 *
 *   bun run bench/thumbnails.ts        → prints figures, writes bench/out/thumbnails.json
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalPath, parentOf } from "../src/core/paths.ts";
import { demoPlan, ensureDemoGallery } from "../src/gallery/demo.ts";
import { FolderReader } from "../src/gallery/scan.ts";
import type { ImageEntry } from "../src/gallery/types.ts";
import { RootFiles } from "../src/media/root-file.ts";
import { Thumbnailer } from "../src/media/thumbnails.ts";

const project = join(import.meta.dir, "..");
const root = await ensureDemoGallery(join(project, ".cache", "demo-gallery"));
const work = mkdtempSync(join(tmpdir(), "lenslet-bench-thumbs-"));

function entry(rel: string): ImageEntry {
  const fsPath = join(root, rel);
  const st = statSync(fsPath);
  const path = canonicalPath(rel);
  return {
    path,
    folder: parentOf(path),
    ordinal: 0,
    name: rel.split("/").pop()!,
    fsPath,
    size: st.size,
    mtimeMs: st.mtimeMs,
    width: 0,
    height: 0,
  };
}

const entries = demoPlan()
  .filter((s) => s.format === "jpeg" && !s.path.startsWith("special/"))
  .slice(0, 150)
  .map((s) => entry(s.path));

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function pass(label: string, thumbs: Thumbnailer, list: ImageEntry[]) {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    list.map(async (e) => {
      const t = performance.now();
      const r = await thumbs.get(e);
      if (r.kind !== "ok") throw new Error(`${label}: ${e.path} → ${r.kind}`);
      lat.push(performance.now() - t);
    }),
  );
  const ms = performance.now() - t0;
  const out = {
    label,
    images: list.length,
    ms: round(ms),
    perSec: round((list.length / ms) * 1000),
    p50Ms: round(quantile(lat, 0.5)),
    p99Ms: round(quantile(lat, 0.99)),
  };
  console.log(
    `${label.padEnd(34)} ${String(out.perSec).padStart(8)}/s  total ${out.ms} ms  p50 ${out.p50Ms} ms  p99 ${out.p99Ms} ms`,
  );
  return out;
}

const cores = availableParallelism();
const opts = {
  files: new RootFiles(new FolderReader(root)),
  size: 256,
  quality: 70,
  maxCacheBytes: 1e9,
  maxQueue: 10_000,
};
console.log(
  `demo gallery: ${root} (${entries.length} JPEGs of 480–1400 px), ${cores} cores, 256 px q70`,
);

const one = new Thumbnailer({ ...opts, cacheDir: null, concurrency: 1 });
const baseline = await pass("cold, 1 job in flight (baseline)", one, entries);

const cacheDir = join(work, "thumbs");
mkdirSync(cacheDir, { recursive: true });
const many = new Thumbnailer({ ...opts, cacheDir, concurrency: cores });
const parallel = await pass(`cold, ${cores} jobs in flight`, many, entries);
await many.drain();

const disk = new Thumbnailer({ ...opts, cacheDir });
await disk.ready();
const diskHits = await pass("disk cache hits (new process)", disk, entries);
const memHits = await pass("memory hits", disk, entries);

const e0 = entries[0]!;
const n = 100_000;
const t0 = performance.now();
for (let i = 0; i < n; i++) disk.etag(e0);
const etagUs = ((performance.now() - t0) / n) * 1000;
console.log(`${"etag()".padEnd(34)} ${round(etagUs, 2)} µs per call`);

const big = entry("special/big-6000x4000.jpg");
const tb = performance.now();
const bigRes = await new Thumbnailer({ ...opts, cacheDir: null }).get(big);
const bigMs = performance.now() - tb;
console.log(`${"6000×4000 JPEG → 256 px".padEnd(34)} ${round(bigMs)} ms (${bigRes.kind})`);

const summary = {
  cores,
  baseline,
  parallel,
  speedupVsBaseline: round(parallel.perSec / baseline.perSec, 2),
  diskHits,
  memHits,
  etagMicros: round(etagUs, 2),
  big6000x4000Ms: round(bigMs),
  cacheBytes: disk.stats().cacheBytes,
};
console.log(`speed-up with ${cores} jobs vs 1: ×${summary.speedupVsBaseline}`);
mkdirSync(join(project, "bench", "out"), { recursive: true });
writeFileSync(
  join(project, "bench", "out", "thumbnails.json"),
  `${JSON.stringify(summary, null, 2)}\n`,
);
rmSync(work, { recursive: true, force: true });
