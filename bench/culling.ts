/**
 * Culling figures (issue 12):
 * 1. perceptual hashes per second on 10,000 demo-size JPEGs (bench/demo-set.ts, made once in
 *    .cache/bench), beside thumbnail generation alone, in one run (wall and CPU time); then the
 *    server's background hashing job over the same folder, its progress sampled from /health;
 * 2. the near-duplicate threshold, measured: dHash distances between each demo image and edited
 *    copies of it (resized, re-encoded, brightened, cropped 2 %) against distances between
 *    different demo images;
 * 3. grouping 100,000 images (bursts and duplicates, ms);
 * 4. XMP sidecar write latency per label change (p50/p99) and acknowledged PATCH/s with
 *    `--xmp write` and with it off, side by side (same gallery, same clients);
 * 5. the grid with stacks on (M6) at 100,000 images: first and later pages of `stack=duplicates`
 *    and `stack=bursts` beside the same pages without stacking, and a page after a label write.
 *
 *   bun run bench/culling.ts [--only hashes,threshold,grouping,xmp,stacks] [--hash-images 10000]
 *                            [--images 150] [--seconds 5] [--clients 16] [--stack-count 100000]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { buildSyntheticTree, demoPlan, ensureDemoGallery } from "../src/gallery/demo.ts";
import { bursts, duplicates } from "../src/groups/groups.ts";
import { dHash, hamming } from "../src/media/phash.ts";
import { startLenslet } from "../src/server.ts";
import { ensureDemoSet } from "./demo-set.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const onlyAt = process.argv.indexOf("--only");
const ONLY = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? "").split(",")) : null;
const want = (section: string) => !ONLY || ONLY.has(section);
const HASH_IMAGES = arg("hash-images", 10_000);
const STACK_COUNT = arg("stack-count", 100_000);
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
/** CPU time of this process (all its threads: sharp's too), ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const IMAGES = arg("images", 150);
const SECONDS = arg("seconds", 5);
const CLIENTS = arg("clients", 16);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const N = 100_000;

const project = join(import.meta.dir, "..");
const summary: Record<string, unknown> = {};
const rows: [string, string][] = [];
const thumb = (b: Uint8Array) =>
  sharp(b, { failOn: "none" })
    .autoOrient()
    .resize(256, 256, { fit: "outside" })
    .webp({ quality: 70, effort: 2 })
    .toBuffer();
const quiet = { info() {}, warn() {}, error() {} };

/** Every file below `dir` (relative paths, sorted). */
function filesBelow(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (e.name.startsWith(".")) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesBelow(dir, r));
    else out.push(r);
  }
  return out.sort();
}

// 1. Thumbnails alone, then the hash of each thumbnail (what the thumbnailer hook does), one at a
// time, over HASH_IMAGES demo-size JPEGs; then the server's background job over the same folder.
if (want("hashes")) {
  const dir = await ensureDemoSet(project, HASH_IMAGES, (d, t) =>
    process.stderr.write(`\r  making demo-size JPEGs ${d}/${t}`),
  );
  process.stderr.write("\r\x1b[K");
  const files = filesBelow(dir);
  const loadBefore = load();
  let t0 = performance.now();
  let c0 = cpuMs();
  const thumbs: Buffer[] = [];
  for (const f of files) thumbs.push(await thumb(await Bun.file(join(dir, f)).bytes()));
  const thumbMs = performance.now() - t0;
  const thumbCpu = cpuMs() - c0;
  t0 = performance.now();
  c0 = cpuMs();
  for (const t of thumbs) await dHash(t);
  const hashMs = performance.now() - t0;
  const hashCpu = cpuMs() - c0;
  thumbs.length = 0;
  // The background job (M2) on a server over the same folder: thumbnail + hash per image, progress in /health.
  const workspace = mkdtempSync(join(tmpdir(), "lenslet-bench-hashjob-"));
  const srv = await startLenslet(
    { root: dir, port: 0, watch: false, workspace, xmp: "off" },
    { log: quiet },
  );
  t0 = performance.now();
  c0 = cpuMs();
  const started = await fetch(`${srv.url}/groups?kind=duplicate`).then((r) => r.json());
  const samples: { s: number; hashed: number; total: number; running: boolean }[] = [];
  for (;;) {
    const h = (await fetch(`${srv.url}/health`).then((r) => r.json())).hashes as {
      hashed: number;
      total: number;
      running: boolean;
    };
    samples.push({ s: (performance.now() - t0) / 1000, ...h });
    if (!h.running && h.hashed >= h.total) break;
    await Bun.sleep(1000);
  }
  const jobMs = performance.now() - t0;
  const jobCpu = cpuMs() - c0;
  const groups = await fetch(`${srv.url}/groups?kind=duplicate`).then((r) => r.json());
  await srv.stop();
  rmSync(workspace, { recursive: true, force: true });
  const monotonic = samples.every((x, i) => i === 0 || x.hashed >= samples[i - 1]!.hashed);
  const per = (n: number, ms: number) => round((n / ms) * 1000);
  summary.hashes = {
    images: files.length,
    load_before: loadBefore,
    load_after: load(),
    thumbnails_per_s: per(files.length, thumbMs),
    thumbnails_cpu_ms_per_image: round(thumbCpu / files.length, 2),
    hashes_per_s: per(files.length, hashMs),
    hashes_cpu_ms_per_image: round(hashCpu / files.length, 3),
    job_per_s: per(files.length, jobMs),
    job_cpu_ms_per_image: round(jobCpu / files.length, 2),
    job_first_pending: started.pending,
    job_samples: samples.length,
    job_progress_monotonic: monotonic,
    job_progress: samples.filter((_, i) => i % 10 === 0 || i === samples.length - 1),
    duplicate_groups: groups.groups.length,
    still_pending: groups.pending,
  };
  rows.push(
    [
      `thumbnails alone (256 px WebP), ${files.length} demo-size JPEGs`,
      `${per(files.length, thumbMs)}/s (CPU ${round(thumbCpu / files.length, 2)} ms each)`,
    ],
    [
      "dHash of the thumbnail, same run",
      `${per(files.length, hashMs)}/s (CPU ${round(hashCpu / files.length, 3)} ms each)`,
    ],
    [
      "background job (thumbnail + hash) via /groups",
      `${per(files.length, jobMs)}/s, /health sampled ${samples.length}× (monotonic: ${monotonic}), ${groups.pending} left`,
    ],
    ["load average before / after", `${loadBefore} / ${load()}`],
  );
}

// 2. Distances: same picture edited vs different pictures (the demo gallery's JPEGs).
if (want("threshold")) {
  const root = await ensureDemoGallery(join(project, ".cache", "demo-gallery"));
  const specs = demoPlan()
    .filter((s) => s.format === "jpeg" && !s.path.startsWith("special/"))
    .slice(0, IMAGES);
  const originals = await Promise.all(specs.map((s) => Bun.file(join(root, s.path)).bytes()));
  const hashes: string[] = [];
  for (const o of originals) hashes.push(await dHash(await thumb(o)));
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
  summary.threshold = {
    images: originals.length,
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
  };
  rows.push(
    ["distance, edited copies: max / p99", `${Math.max(...same)} / ${percentile(same, 99)}`],
    [
      "distance, different pictures: min / p1 / pairs ≤ 8",
      `${Math.min(...different)} / ${percentile(different, 1)} / ${different.filter((d) => d <= 8).length} of ${different.length}`,
    ],
    ["edited copies within 8 bits", `${same.filter((d) => d <= 8).length} of ${same.length}`],
  );
}

/** 100,000 synthetic hashes (10 % near copies of their neighbour) and capture times in bursts. */
function syntheticFacts(n: number) {
  // Uniform 32-bit values (an LCG's low bits repeat with a short period and make huge buckets).
  const pool = new Uint32Array(4 * n);
  for (let i = 0; i < pool.length; i += 16_384)
    crypto.getRandomValues(pool.subarray(i, i + 16_384));
  let drawn = 0;
  const rnd = () => pool[drawn++ % pool.length]!;
  const items: { hi: number; lo: number }[] = [];
  const frames: { takenMs: number; camera: string }[] = [];
  let at = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) {
      const src = items[i - 1]!;
      items.push({ hi: (src.hi ^ (1 << (rnd() % 32))) >>> 0, lo: src.lo });
    } else items.push({ hi: rnd(), lo: rnd() });
    at += rnd() % 3 === 0 ? 500 : 60_000;
    frames.push({ takenMs: at, camera: `cam${i % 3}` });
  }
  return { items, frames };
}

// 3. Grouping 100,000 images.
if (want("grouping")) {
  const { items, frames } = syntheticFacts(N);
  let t0 = performance.now();
  const dupGroups = duplicates(items.map((x, i) => ({ path: `/${i}`, ...x })));
  const dupMs = performance.now() - t0;
  t0 = performance.now();
  const burstGroups = bursts(frames.map((f, i) => ({ path: `/${i}`, ...f })));
  const burstMs = performance.now() - t0;
  summary.grouping_100k = {
    duplicates_ms: round(dupMs),
    duplicate_groups: dupGroups.length,
    bursts_ms: round(burstMs),
    burst_groups: burstGroups.length,
    load: load(),
  };
  rows.push(["group 100,000: duplicates / bursts", `${round(dupMs)} ms / ${round(burstMs)} ms`]);
}
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

if (want("xmp")) {
  const off = await patchRun("off");
  const on = await patchRun("write");
  // One client: the latency of one change to its sidecar when the writer is not behind.
  const single = await patchRun("write", 1, 2);
  summary.patch = { off, write: on, write_one_client: single, load: load() };
  rows.push(
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
  );
}

// 5. Stacks in the grid (M6) at STACK_COUNT images: the synthetic tree of bench/gallery.ts, its
// hashes and capture times written into the workspace's caches first (keyed by each file's size
// and mtime, as the server writes them), so the pages measure grouping + collapse + paging only.
if (want("stacks")) {
  const dir = join(tmpdir(), `lenslet-bench-${STACK_COUNT}`);
  await buildSyntheticTree(dir, STACK_COUNT, {
    onProgress: (d, t) => process.stderr.write(`\r  writing ${d}/${t}`),
  });
  process.stderr.write("\r\x1b[K");
  const files = filesBelow(dir);
  const { items, frames } = syntheticFacts(files.length);
  const hashEntries: Record<string, unknown> = {};
  const exifEntries: Record<string, unknown> = {};
  files.forEach((f, i) => {
    const st = statSync(join(dir, f));
    const key = `/${f}`;
    const { hi, lo } = items[i]!;
    const hex = hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
    // The index keeps whole milliseconds (src/gallery/gallery-index.ts).
    const mtime = Math.trunc(st.mtimeMs);
    hashEntries[key] = [st.size, mtime, hex];
    const t = frames[i]!.takenMs;
    exifEntries[key] = [
      st.size,
      mtime,
      {
        camera: frames[i]!.camera,
        lens: null,
        exposure: null,
        aperture: null,
        iso: null,
        focal: null,
        taken: new Date(t).toISOString(),
        taken_ms: t,
      },
    ];
  });
  const workspace = mkdtempSync(join(tmpdir(), "lenslet-bench-stacks-"));
  writeFileSync(
    join(workspace, "hashes.json"),
    JSON.stringify({ version: 1, entries: hashEntries }),
  );
  // exif.json's format is 1 (src/media/exif.ts).
  writeFileSync(join(workspace, "exif.json"), JSON.stringify({ version: 1, entries: exifEntries }));
  const srv = await startLenslet(
    { root: dir, port: 0, watch: false, workspace, xmp: "off" },
    { log: quiet },
  );
  const time = async (path: string, n: number) => {
    const times: number[] = [];
    const cpu: number[] = [];
    let total = "";
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const c = cpuMs();
      const r = await fetch(srv.url + path, { headers: { "HX-Request": "true" } });
      await r.arrayBuffer();
      times.push(performance.now() - t);
      cpu.push(cpuMs() - c);
      total = r.headers.get("X-Total") ?? total;
    }
    return {
      first_ms: round(times[0]!, 1),
      p50_ms: round(median(times.slice(1)), 2),
      p99_ms: round(percentile(times.slice(1), 99), 2),
      cpu_p50_ms: round(median(cpu.slice(1)), 2),
      total,
    };
  };
  const out: Record<string, unknown> = { images: files.length, load_before: load() };
  const base = "/grid/page?recursive=1&limit=120";
  out.plain_mid = await time(`${base}&offset=50000`, 31);
  for (const kind of ["duplicates", "bursts"] as const) {
    const q = `${base}&stack=${kind}`;
    const first = await time(`${q}&offset=0`, 31);
    const mid = await time(`${q}&offset=40000`, 31);
    const end = await time(`${q}&offset=${Math.max(0, Number(first.total) - 120)}`, 11);
    const status = await fetch(`${srv.url}/?recursive=1&stack=${kind}`).then((r) => r.text());
    // A star on an image re-collapses the view (the best frame may change): the next page pays it.
    const afterWrite: number[] = [];
    for (let k = 0; k < 10; k++) {
      const path = `/${files[k * 7 + 1]}`;
      const cur = await fetch(`${srv.url}/item?path=${encodeURIComponent(path)}`).then((r) =>
        r.json(),
      );
      await fetch(`${srv.url}/item?path=${encodeURIComponent(path)}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify({ base_version: cur.version, set_star: (k % 5) + 1 }),
      });
      const t = performance.now();
      await (await fetch(`${srv.url}${q}&offset=40000`)).arrayBuffer();
      afterWrite.push(performance.now() - t);
    }
    out[kind] = {
      first_page: first,
      page_at_40000: mid,
      last_page: end,
      after_write_p50_ms: round(median(afterWrite), 2),
      after_write_max_ms: round(Math.max(...afterWrite), 2),
      status: /class="stack-count[^>]*>([^<]*)</.exec(status)?.[1] ?? null,
    };
    rows.push(
      [
        `stack=${kind}, ${files.length.toLocaleString("en-US")} images: first request / page p50 / p99`,
        `${first.first_ms} ms / ${mid.p50_ms} / ${mid.p99_ms} ms (CPU p50 ${mid.cpu_p50_ms} ms), ${first.total} cards; ${(out[kind] as { status: string }).status}`,
      ],
      [
        `stack=${kind}: page after a star (re-collapse), p50 / max`,
        `${round(median(afterWrite), 2)} / ${round(Math.max(...afterWrite), 2)} ms`,
      ],
    );
  }
  out.load_after = load();
  const plain = out.plain_mid as { p50_ms: number; p99_ms: number };
  rows.push(
    ["same page without stacking, p50 / p99", `${plain.p50_ms} / ${plain.p99_ms} ms`],
    ["load average before / after", `${out.load_before} / ${out.load_after}`],
  );
  await srv.stop();
  rmSync(workspace, { recursive: true, force: true });
  summary.stacks = out;
}

printTable(`bench/culling.ts (${ONLY ? [...ONLY].join(", ") : "all"})`, rows);
writeSummary(ONLY ? `culling-${[...ONLY].join("-")}` : "culling", summary);
