/**
 * Culling figures (issue 12):
 * 1. perceptual hashes per second on the demo JPEGs, beside thumbnail generation alone, in one run;
 * 2. the near-duplicate threshold, measured: dHash distances between each demo image and edited
 *    copies of it (resized, re-encoded, brightened, cropped 2 %) against distances between
 *    different demo images;
 * 3. grouping 100,000 images (bursts and duplicates, ms);
 * 4. XMP sidecar write latency per label change (p50/p99) and acknowledged PATCH/s with
 *    `--xmp write` and with it off, side by side (same gallery, same clients).
 *
 *   bun run bench/culling.ts [--images 150] [--seconds 5] [--clients 16]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { demoPlan, ensureDemoGallery } from "../src/gallery/demo.ts";
import { bursts, duplicates } from "../src/groups/groups.ts";
import { dHash, hamming } from "../src/media/phash.ts";
import { startLenslet } from "../src/server.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const IMAGES = arg("images", 150);
const SECONDS = arg("seconds", 5);
const CLIENTS = arg("clients", 16);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const N = 100_000;

const project = join(import.meta.dir, "..");
const root = await ensureDemoGallery(join(project, ".cache", "demo-gallery"));
const specs = demoPlan()
  .filter((s) => s.format === "jpeg" && !s.path.startsWith("special/"))
  .slice(0, IMAGES);
const originals = await Promise.all(specs.map((s) => Bun.file(join(root, s.path)).bytes()));

// 1. Thumbnails alone, then the hash of each thumbnail (what the thumbnailer hook does).
const thumb = (b: Uint8Array) =>
  sharp(b, { failOn: "none" })
    .autoOrient()
    .resize(256, 256, { fit: "outside" })
    .webp({ quality: 70, effort: 2 })
    .toBuffer();
let t0 = performance.now();
const thumbs: Buffer[] = [];
for (const b of originals) thumbs.push(await thumb(b));
const thumbMs = performance.now() - t0;
t0 = performance.now();
const hashes: string[] = [];
for (const t of thumbs) hashes.push(await dHash(t));
const hashMs = performance.now() - t0;
const thumbsPerS = (originals.length / thumbMs) * 1000;
const hashesPerS = (originals.length / hashMs) * 1000;

// 2. Distances: same picture edited vs different pictures.
const same: number[] = [];
for (let i = 0; i < originals.length; i++) {
  const o = originals[i]!;
  const meta = await sharp(o).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const edits = await Promise.all([
    sharp(o)
      .resize(Math.round(w / 2))
      .jpeg({ quality: 85 })
      .toBuffer(),
    sharp(o).jpeg({ quality: 40 }).toBuffer(),
    sharp(o).modulate({ brightness: 1.1 }).jpeg().toBuffer(),
    sharp(o)
      .extract({
        left: Math.round(w * 0.01),
        top: Math.round(h * 0.01),
        width: Math.round(w * 0.98),
        height: Math.round(h * 0.98),
      })
      .jpeg()
      .toBuffer(),
  ]);
  for (const e of edits) same.push(hamming(hashes[i]!, await dHash(await thumb(e))));
}
const different: number[] = [];
for (let i = 0; i < hashes.length; i++)
  for (let j = i + 1; j < hashes.length; j++) different.push(hamming(hashes[i]!, hashes[j]!));
const hist = (xs: number[], upTo: number) =>
  Array.from({ length: upTo + 1 }, (_, d) => xs.filter((x) => x === d).length);

// 3. Grouping 100,000 images: random hashes with 10 % near copies; capture times in bursts.
// Uniform 32-bit values (an LCG's low bits repeat with a short period and make huge buckets).
const pool = new Uint32Array(4 * N);
for (let i = 0; i < pool.length; i += 16_384) crypto.getRandomValues(pool.subarray(i, i + 16_384));
let drawn = 0;
const rnd = () => pool[drawn++ % pool.length]!;
const items: { path: string; hi: number; lo: number }[] = [];
const frames: { path: string; takenMs: number; camera: string }[] = [];
let at = Date.UTC(2024, 0, 1);
for (let i = 0; i < N; i++) {
  if (i % 10 === 9) {
    const src = items[i - 1]!;
    items.push({ path: `/${i}`, hi: (src.hi ^ (1 << (rnd() % 32))) >>> 0, lo: src.lo });
  } else items.push({ path: `/${i}`, hi: rnd(), lo: rnd() });
  at += rnd() % 3 === 0 ? 500 : 60_000;
  frames.push({ path: `/${i}`, takenMs: at, camera: `cam${i % 3}` });
}
t0 = performance.now();
const dupGroups = duplicates(items);
const dupMs = performance.now() - t0;
t0 = performance.now();
const burstGroups = bursts(frames);
const burstMs = performance.now() - t0;

// 4. PATCH/s and sidecar latency, --xmp write vs off.
async function patchRun(xmp: "off" | "write", clients = CLIENTS, seconds = SECONDS) {
  const dir = mkdtempSync(join(tmpdir(), `lenslet-bench-xmp-${xmp}-`));
  const small = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#888" } })
    .jpeg()
    .toBuffer();
  const COUNT = 1000;
  for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, `img-${i}.jpg`), small);
  const log = { info() {}, warn() {}, error() {} };
  const s = await startLenslet({ root: dir, port: 0, watch: false, xmp }, { log });
  const versions = new Map<string, number>();
  let done = 0;
  const lat: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let k = c;
      while (performance.now() < until) {
        const path = `/img-${k % COUNT}.jpg`;
        k += clients;
        const base = versions.get(path) ?? 1;
        const t = performance.now();
        const r = await fetch(`${s.url}/item?path=${encodeURIComponent(path)}`, {
          method: "PATCH",
          headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
          body: JSON.stringify({ base_version: base, set_star: (k % 5) + 1, set_color: "red" }),
        });
        const body = (await r.json()) as { version?: number };
        lat.push(performance.now() - t);
        if (r.status === 200) {
          done++;
          versions.set(path, body.version ?? base);
        }
      }
    }),
  );
  const perS = done / seconds;
  await s.deps.xmpWriter?.idle();
  const h = s.deps.xmpWriter?.health() ?? null;
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    xmp,
    patches_per_s: round(perS, 0),
    patch_p50_ms: round(median(lat), 2),
    patch_p99_ms: round(percentile(lat, 99), 2),
    sidecar: h,
  };
}
const off = await patchRun("off");
const on = await patchRun("write");
// One client: the latency of one change to its sidecar when the writer is not behind.
const single = await patchRun("write", 1, 2);

const summary = {
  images: originals.length,
  thumbnails_per_s: round(thumbsPerS),
  hashes_per_s: round(hashesPerS),
  distance_same_picture: {
    max: Math.max(...same),
    p99: percentile(same, 99),
    histogram_0_16: hist(same, 16),
  },
  distance_different_pictures: {
    min: Math.min(...different),
    p1: percentile(different, 1),
    at_or_below_8: different.filter((d) => d <= 8).length,
    pairs: different.length,
    histogram_0_16: hist(different, 16),
  },
  grouping_100k: {
    duplicates_ms: round(dupMs),
    duplicate_groups: dupGroups.length,
    bursts_ms: round(burstMs),
    burst_groups: burstGroups.length,
  },
  patch: { off, write: on, write_one_client: single },
};
printTable(`bench/culling.ts (${originals.length} demo JPEGs, ${CLIENTS} clients × ${SECONDS} s)`, [
  ["thumbnails alone (256 px WebP)", `${summary.thumbnails_per_s}/s`],
  ["dHash of the thumbnail", `${summary.hashes_per_s}/s`],
  [
    "distance, edited copies: max / p99",
    `${summary.distance_same_picture.max} / ${summary.distance_same_picture.p99}`,
  ],
  [
    "distance, different pictures: min / p1 / pairs ≤ 8",
    `${summary.distance_different_pictures.min} / ${summary.distance_different_pictures.p1} / ${summary.distance_different_pictures.at_or_below_8} of ${different.length}`,
  ],
  ["edited copies within 8 bits", `${same.filter((d) => d <= 8).length} of ${same.length}`],
  [
    "group 100,000: duplicates / bursts",
    `${summary.grouping_100k.duplicates_ms} ms / ${summary.grouping_100k.bursts_ms} ms`,
  ],
  [
    "PATCH/s, p50/p99 ms: --xmp off",
    `${off.patches_per_s}, ${off.patch_p50_ms}/${off.patch_p99_ms}`,
  ],
  [
    "PATCH/s, p50/p99 ms: --xmp write",
    `${on.patches_per_s}, ${on.patch_p50_ms}/${on.patch_p99_ms}`,
  ],
  [
    "sidecar latency, 1 client p50 / p99",
    `${single.sidecar?.latency_ms.p50} / ${single.sidecar?.latency_ms.p99} ms (${single.patches_per_s} PATCH/s)`,
  ],
  [
    "sidecar latency, saturated p50 / p99",
    `${on.sidecar?.latency_ms.p50} / ${on.sidecar?.latency_ms.p99} ms (${on.sidecar?.written} written, ${on.sidecar?.failed} failed)`,
  ],
]);
console.log(
  "same-picture histogram 0..16:",
  summary.distance_same_picture.histogram_0_16.join(" "),
);
console.log(
  "different-pictures histogram 0..16:",
  summary.distance_different_pictures.histogram_0_16.join(" "),
);
writeSummary("culling", summary);
