/**
 * Label write and startup benchmark.
 *
 *   NODE_ENV=production bun run bench/labels.ts [--seconds 3] [--repeats 3] [--lines 1000000]
 *
 * 1. Acknowledged PATCH/s and p50/p99 latency at 1, 16 and 64 concurrent
 *    clients: real HTTP (Bun.serve on a free port, keep-alive fetch) into the
 *    real routes and a strict (fsync) store on a temp workspace. Beside it, in
 *    the same run: the same writes straight into the store (no HTTP), a bare
 *    append+fsync group-commit loop with the same concurrency and line size,
 *    and a bare HTTP server (Bun.serve, parse the body, answer JSON, no disk)
 *    driven by the same client: the ceiling of any HTTP server here.
 * 2. Startup: replay of a 1,000,000-line journal, and load of a 1,000,000-item snapshot.
 * 3. Idempotency memory: a flood of 100,000 keyed PATCHes on 64 images over
 *    HTTP at 64 clients, then 100 score-push batches of 1,000 items: bytes per
 *    remembered key (the table's estimate, and RSS), journal and snapshot
 *    size, and the restart after it (time and RSS of a fresh process).
 *
 * 3. The cost of access control: the same PATCH run at 64 clients through the
 *    access guard with no credential check (access off), a bearer token and a
 *    session cookie, interleaved (`--access-only` runs just this part).
 *
 * Prints a table and writes bench/out/labels.json. `--writes-only`, `--startup-only`, `--access-only` and
 * `--idempotency-only` run one part (`--flood 100000` sets the flood's size); `--clients 64`
 * picks the concurrencies, `--append filesink` appends through a Bun FileSink instead of writeSync.
 */

import { heapStats } from "bun:jsc";
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { accessRuntime } from "../src/access/runtime.ts";
import { AccessStore } from "../src/access/store.ts";
import { parentOf } from "../src/core/paths.ts";
import type { ImageEntry } from "../src/gallery/types.ts";
import { createJournalFile, encodeBodyLine, type SetLine } from "../src/labels/journal-format.ts";
import { encodeLine } from "../src/labels/lines.ts";
import type { Sidecar } from "../src/labels/schema.ts";
import { writeSnapshotSync } from "../src/labels/snapshot.ts";
import { LabelStore } from "../src/labels/store.ts";
import { EventBus } from "../src/live/bus.ts";
import { accessGuard } from "../src/routes/access-guard.ts";
import { itemRoutes } from "../src/routes/items.ts";
import { percentile } from "./stats.ts";

process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ??= "4000";

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SECONDS = opt("seconds", 3);
const REPEATS = opt("repeats", 3);
const PART = args.includes("--startup-only")
  ? "startup"
  : args.includes("--writes-only")
    ? "writes"
    : args.includes("--access-only")
      ? "access"
      : args.includes("--idempotency-only")
        ? "idempotency"
        : "all";
const FLOOD = opt("flood", 100_000);
/** `--append filesink` appends through Bun.file(fd).writer() instead of writeSync (same fsync). */
const APPEND =
  args.includes("--append") && args[args.indexOf("--append") + 1] === "filesink"
    ? "filesink"
    : "write";
const LINES = opt("lines", 1_000_000);
/** `--clients 64` (or `1,16`) measures only those concurrencies. */
const CONCURRENCY = args.includes("--clients")
  ? args[args.indexOf("--clients") + 1].split(",").map(Number)
  : [1, 16, 64];
const ITEMS = 20_000;

const quiet = { info() {}, warn() {}, error: (m: string) => console.error(m) };
const tmp = (tag: string) => fs.mkdtempSync(join(os.tmpdir(), `lenslet-bench-${tag}-`));
const cleanup: string[] = [];

interface Run {
  clients: number;
  acked: number;
  perSecond: number;
  cpuUsPerAck: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `clients` closed loops of `op` for SECONDS; latency per acknowledged op. */
async function closedLoop(
  clients: number,
  op: (client: number, n: number) => Promise<boolean>,
): Promise<Run> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let n = 0; performance.now() < end; n++) {
        const s = performance.now();
        if (await op(c, n)) lat.push(performance.now() - s);
        else errors++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return {
    clients,
    acked: lat.length,
    perSecond: Math.round(lat.length / secs),
    // Server and client CPU (one process) per acknowledged write.
    cpuUsPerAck: Math.round((cpu.user + cpu.system) / Math.max(1, lat.length)),
    p50: round(percentile(lat, 50)),
    p99: round(percentile(lat, 99)),
    errors,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The run with the median throughput. */
function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)];
}

function gallery(n: number) {
  const items = new Map<string, ImageEntry>();
  for (let i = 0; i < n; i++) {
    const path = `/f${i % 100}/img-${i}.jpg`;
    items.set(path, {
      path,
      folder: parentOf(path),
      name: `img-${i}.jpg`,
      fsPath: path,
      size: 1,
      mtimeMs: 0,
      ordinal: i,
      width: 0,
      height: 0,
    });
  }
  return {
    paths: [...items.keys()],
    get: (p: string) => items.get(p),
    list: (folder: string) => [...items.values()].filter((e) => e.folder === folder),
  };
}

async function openStore(dir = tmp("store")) {
  cleanup.push(dir);
  const store = await LabelStore.open({ dir, mode: "strict", log: quiet, appendWith: APPEND });
  const bus = new EventBus({ capacity: 2000, firstId: store.firstEventId() });
  store.attach(bus);
  return store;
}

/** Each client owns its own items and keeps their versions, as a UI does; every write is accepted. */
function writer(paths: string[], clients: number) {
  const versions = new Map<string, number>();
  return (client: number, n: number) => {
    const own = Math.floor(paths.length / clients);
    const path = paths[client * own + (n % own)];
    const base = versions.get(path) ?? 1;
    return {
      path,
      base,
      body: { base_version: base, set_star: (n % 5) + 1, add_tags: [`t${n % 7}`] },
      versions,
    };
  };
}

/** The same client for both HTTP servers: closed loops of PATCHes, each on the version the last returned. */
async function patchOverHttp(
  server: { port?: number },
  clients: number,
  extraHeaders: Record<string, string> = {},
): Promise<Run> {
  const url = `http://127.0.0.1:${server.port}/item?path=`;
  const next = writer(gallery(ITEMS).paths, clients);
  let seq = 0;
  return closedLoop(clients, async (c, n) => {
    const w = next(c, n);
    const res = await fetch(url + encodeURIComponent(w.path), {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        "idempotency-key": `k${++seq}`,
        "x-lenslet-client": `c${c}`,
        ...extraHeaders,
      },
      body: JSON.stringify(w.body),
    });
    const out = (await res.json()) as { version?: number };
    if (res.status !== 200) return false;
    w.versions.set(w.path, out.version as number);
    return true;
  });
}

async function benchHttp(clients: number): Promise<Run> {
  const store = await openStore();
  const app = itemRoutes({
    config: { allowRemoteWrites: false },
    gallery: gallery(ITEMS),
    labels: store,
    log: quiet,
  });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  const run = await patchOverHttp(server, clients);
  server.stop(true);
  await store.close();
  return run;
}

type AccessKind = "off" | "bearer" | "cookie";

/** The label routes behind the real access guard (or none), as createApp mounts them. */
async function benchAccess(clients: number, kind: AccessKind): Promise<Run> {
  const store = await openStore();
  const app = new Hono();
  const headers: Record<string, string> = {};
  if (kind !== "off") {
    const access = new AccessStore();
    app.use("*", accessGuard(accessRuntime(access, { secureCookies: false })));
    if (kind === "bearer") {
      const t = access.createToken("bench", { name: "bench", role: "rater" });
      headers.authorization = `Bearer ${t.credential}`;
    } else {
      const r = access.redeemOwnerLink(access.issueOwnerLink());
      if (!r.ok) throw new Error("owner link refused");
      headers.cookie = `lenslet_${access.instanceId}=${r.cookie}`;
    }
  }
  app.route(
    "/",
    itemRoutes({
      config: { allowRemoteWrites: kind !== "off" },
      gallery: gallery(ITEMS),
      labels: store,
      log: quiet,
    }),
  );
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  if (kind === "cookie") headers.origin = `http://127.0.0.1:${server.port}`;
  const run = await patchOverHttp(server, clients, headers);
  server.stop(true);
  await store.close();
  return run;
}

/** The other floor: HTTP alone. Same client, same request; the server parses it and answers, nothing else. */
async function benchBareHttp(clients: number): Promise<Run> {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as { base_version: number };
      return Response.json({
        path: new URL(req.url).searchParams.get("path"),
        version: body.base_version + 1,
      });
    },
  });
  const run = await patchOverHttp(server, clients);
  server.stop(true);
  return run;
}

async function benchStore(clients: number): Promise<Run> {
  const store = await openStore();
  const g = gallery(ITEMS);
  const next = writer(g.paths, clients);
  let seq = 0;
  const run = await closedLoop(clients, async (c, n) => {
    const w = next(c, n);
    const k = `k${++seq}`;
    const r = await store.patch(
      {
        path: w.path,
        fields: { set_star: w.body.set_star, add_tags: w.body.add_tags },
        baseVersion: w.base,
      },
      { updatedBy: `bench (c${c})`, clientId: `c${c}`, key: k, requestHash: k },
    );
    if (r.outcome.kind !== "applied") return false;
    w.versions.set(w.path, r.outcome.sidecar.version);
    return true;
  });
  await store.close();
  return run;
}

/** The floor: group commit with nothing else — queue lines, one write + one fsync per batch. */
async function benchBare(clients: number): Promise<Run> {
  const dir = tmp("bare");
  cleanup.push(dir);
  const fd = fs.openSync(join(dir, "bare.log"), "a");
  const line = Buffer.from(
    encodeLine({
      t: "set",
      ev: 123456,
      at: Date.now(),
      path: "/f12/img-12345.jpg",
      rec: {
        star: 3,
        tags: ["t1", "t2"],
        notes: "",
        metrics: {},
        version: 17,
        updated_at: new Date().toISOString(),
        updated_by: "bench (c12)",
      },
      cf: ["star", "tags"],
      client: "c12",
      key: "k1234567",
      req: "0123456789abcdef",
      merged: false,
    }),
  );
  let queue: (() => void)[] = [];
  let running = false;
  const flush = async () => {
    running = true;
    while (queue.length) {
      const batch = queue;
      queue = [];
      fs.writeSync(fd, Buffer.concat(batch.map(() => line)));
      await new Promise<void>((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
      for (const done of batch) done();
    }
    running = false;
  };
  const run = await closedLoop(
    clients,
    () =>
      new Promise<boolean>((res) => {
        queue.push(() => res(true));
        if (!running) void flush();
      }),
  );
  fs.closeSync(fd);
  return run;
}

function setLine(i: number, ev: number, version: number): string {
  const line: SetLine = {
    t: "set",
    ev,
    at: 1_790_000_000_000 + ev,
    path: `/f${i % 1000}/img-${i}.jpg`,
    rec: {
      star: ev % 6,
      tags: ev % 3 ? ["keep", `t${ev % 17}`] : [],
      notes: ev % 10 ? "" : "a short note",
      metrics: ev % 4 ? {} : { score: (ev % 1000) / 1000 },
      version,
      updated_at: new Date(1_790_000_000_000 + ev).toISOString(),
      updated_by: `Ana (c${ev % 50})`,
    },
    cf: ["star"],
    client: `c${ev % 50}`,
  };
  return encodeBodyLine(ev, line);
}

async function benchReplay(): Promise<{
  lines: number;
  bytes: number;
  ms: number;
  cpuMs: number;
  items: number;
}> {
  const dir = tmp("replay");
  cleanup.push(dir);
  const path = join(dir, "labels.log.jsonl");
  createJournalFile(path);
  const fd = fs.openSync(path, "a");
  const items = 200_000;
  let chunk = "";
  for (let ev = 1; ev <= LINES; ev++) {
    chunk += setLine(ev % items, ev, Math.floor(ev / items) + 2);
    if (chunk.length > 1 << 22) {
      fs.writeSync(fd, chunk);
      chunk = "";
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const bytes = fs.statSync(path).size;
  const { ms, cpuMs, items: got } = await loadInFreshProcess(dir);
  return { lines: LINES, bytes, ms, cpuMs, items: got };
}

async function benchSnapshotLoad(): Promise<{
  items: number;
  bytes: number;
  ms: number;
  cpuMs: number;
}> {
  const dir = tmp("snap");
  cleanup.push(dir);
  const records: Sidecar[] = [];
  for (let i = 0; i < LINES; i++) {
    records.push({
      path: `/f${i % 1000}/img-${i}.jpg`,
      star: i % 6,
      tags: i % 3 ? ["keep", `t${i % 17}`] : [],
      notes: i % 10 ? "" : "a short note",
      metrics: i % 4 ? {} : { score: (i % 1000) / 1000 },
      flag: null,
      color: null,
      version: 2 + (i % 5),
      updated_at: new Date(1_790_000_000_000 + i).toISOString(),
      updated_by: `Ana (c${i % 50})`,
    });
  }
  const bytes = writeSnapshotSync(join(dir, "labels.snapshot.json"), {
    point: { ev: LINES, seq: 0, crc: "" },
    records,
    idem: [],
  });
  createJournalFile(join(dir, "labels.log.jsonl"), { ev: LINES, seq: 0, crc: "" });
  records.length = 0;
  const { ms, cpuMs, items } = await loadInFreshProcess(dir);
  return { items, bytes, ms, cpuMs };
}

interface IdemFigures {
  flood: number;
  floodJournalBytes: number;
  floodSnapshotBytes: number;
  keys: number;
  tableBytes: number;
  tableBytesPerKey: number;
  rssBytesPerKey: number;
  heapBytesPerKey: number;
  journalBytes: number;
  snapshotBytes: number;
  snapshotIdemBytesPerKey: number;
  batch: { batches: number; items: number; journalGrowth: number; snapshotIdemBytesPerKey: number };
  restart: { ms: number; cpuMs: number; rssMB: number; keys: number };
  refusedWrites: number;
}

/** Average bytes of the snapshot's `idem` lines whose key starts with `prefix`. */
function snapshotIdemBytes(dir: string, prefix: string): number {
  let bytes = 0;
  let lines = 0;
  const text = fs.readFileSync(join(dir, "labels.snapshot.json"), "utf8");
  for (const l of text.split("\n")) {
    if (!l.startsWith(`{"t":"idem","key":"${prefix}`)) continue;
    bytes += l.length + 1;
    lines++;
  }
  return Math.round(bytes / Math.max(1, lines));
}

/** Section 3: what remembered keys cost, in memory and on disk, and at the next start. */
async function benchIdempotency(): Promise<IdemFigures> {
  const dir = tmp("idem");
  const store = await openStore(dir);
  const g = gallery(64);
  const app = itemRoutes({
    config: { allowRemoteWrites: false },
    gallery: g,
    labels: store,
    log: quiet,
  });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  const url = `http://127.0.0.1:${server.port}`;
  Bun.gc(true);
  const rss0 = process.memoryUsage().rss;
  const heap0 = heapStats().heapSize;
  let sent = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: 64 }, async (_, c) => {
      while (sent < FLOOD) {
        const n = sent++;
        const res = await fetch(`${url}/item?path=${encodeURIComponent(g.paths[c])}`, {
          method: "PATCH",
          headers: { "content-type": "application/json", "idempotency-key": `flood-${n}` },
          body: JSON.stringify({ set_metrics: { score: n / FLOOD, n } }),
        });
        if (res.status === 503) refused++;
        await res.arrayBuffer();
      }
    }),
  );
  Bun.gc(true);
  const rss1 = process.memoryUsage().rss;
  const heap1 = heapStats().heapSize;
  const h = store.health();
  const keys = h.idempotency_keys;
  const figures = {
    flood: FLOOD,
    // What the flood left on disk (snapshots ran by themselves every 50,000 lines).
    floodJournalBytes: h.journal.bytes,
    floodSnapshotBytes: h.snapshot.bytes,
    keys,
    tableBytes: h.idempotency_bytes,
    tableBytesPerKey: Math.round(h.idempotency_bytes / Math.max(1, keys)),
    rssBytesPerKey: Math.round((rss1 - rss0) / Math.max(1, keys)),
    heapBytesPerKey: Math.round((heap1 - heap0) / Math.max(1, keys)),
  };
  // Score pushes: 100 batches of 1,000 items, one key each.
  const big = gallery(1000);
  const batchApp = itemRoutes({
    config: { allowRemoteWrites: false },
    gallery: big,
    labels: store,
    log: quiet,
  });
  const before = store.health().journal.bytes + store.health().snapshot.bytes;
  for (let b = 0; b < 100; b++) {
    const res = await batchApp.request("/items/patch", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": `push-${b}` },
      body: JSON.stringify({
        patches: big.paths.map((path, i) => ({
          path,
          set_metrics: { score: (b * 1000 + i) / 1e5 },
        })),
      }),
    });
    if (res.status !== 200) refused++;
    await res.arrayBuffer();
  }
  const batchGrowth = store.health().journal.bytes + store.health().snapshot.bytes - before;
  server.stop(true);
  await store.snapshot();
  const journalBytes = fs.statSync(join(dir, "labels.log.jsonl")).size;
  const snapshotBytes = fs.statSync(join(dir, "labels.snapshot.json")).size;
  await store.close();
  const restart = await loadInFreshProcess(dir);
  return {
    ...figures,
    journalBytes,
    snapshotBytes,
    snapshotIdemBytesPerKey: snapshotIdemBytes(dir, "flood-"),
    batch: {
      batches: 100,
      items: 1000,
      journalGrowth: batchGrowth,
      snapshotIdemBytesPerKey: snapshotIdemBytes(dir, "push-"),
    },
    restart: { ms: restart.ms, cpuMs: restart.cpuMs, rssMB: restart.rssMB, keys: restart.keys },
    refusedWrites: refused,
  };
}

/** Startup happens in a fresh process: measure it there, not in this one's full heap. */
async function loadInFreshProcess(
  dir: string,
): Promise<{ ms: number; cpuMs: number; items: number; rssMB: number; keys: number }> {
  const proc = Bun.spawn([process.execPath, "run", import.meta.path, "--load", dir], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`load failed: ${out}`);
  return JSON.parse(out.trim().split("\n").at(-1) as string);
}

/** `--load DIR`: open the store on DIR (the child side of loadInFreshProcess). */
async function loadOnly(dir: string): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const store = await LabelStore.open({ dir, mode: "strict", log: quiet, snapshotOnClose: false });
  const ms = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  let items = 0;
  for (const _ of store.entries()) items++;
  const rssMB = Math.round(process.memoryUsage().rss / 1048576);
  const keys = store.health().idempotency_keys;
  await store.close();
  // CPU time next to wall time: on a shared machine it shows what the wall time would be alone.
  console.log(
    JSON.stringify({ ms, cpuMs: Math.round((cpu.user + cpu.system) / 1000), items, rssMB, keys }),
  );
}

async function main() {
  const load0 = os.loadavg()[0];
  console.log(
    `labels benchmark: median of ${REPEATS} interleaved runs of ${SECONDS}s, ${os.cpus().length} cores, bun ${Bun.version}, journal appends via ${APPEND}, load average ${load0.toFixed(2)}\n`,
  );
  const rows: { clients: number; http: Run; store: Run; bare: Run; bareHttp: Run }[] = [];
  for (const clients of PART === "all" || PART === "writes" ? CONCURRENCY : []) {
    // Repeat the three, interleaved, and keep each one's median run: other processes
    // sharing the machine then weigh on all three alike, and one bad moment does not decide.
    const runs: { bare: Run[]; store: Run[]; http: Run[]; bareHttp: Run[] } = {
      bare: [],
      store: [],
      http: [],
      bareHttp: [],
    };
    for (let rep = 0; rep < REPEATS; rep++) {
      runs.bare.push(await benchBare(clients));
      runs.store.push(await benchStore(clients));
      runs.http.push(await benchHttp(clients));
      runs.bareHttp.push(await benchBareHttp(clients));
    }
    const bare = median(runs.bare);
    const store = median(runs.store);
    const http = median(runs.http);
    const bareHttp = median(runs.bareHttp);
    rows.push({ clients, http, store, bare, bareHttp });
    const rate = (r: Run, w = 6) => `${String(r.perSecond).padStart(w)}/s`;
    console.log(
      `${String(clients).padStart(2)} clients  HTTP PATCH ${rate(http)} p50 ${http.p50} ms p99 ${http.p99} ms (${http.cpuUsPerAck} µs CPU/ack)` +
        ` | store ${rate(store)} p99 ${store.p99} ms | bare append+fsync ${rate(bare, 7)} p99 ${bare.p99} ms` +
        ` | bare HTTP ${rate(bareHttp)} (${bareHttp.cpuUsPerAck} µs CPU)` +
        ` | HTTP/bare ${(http.perSecond / bare.perSecond).toFixed(3)}, /bare HTTP ${(http.perSecond / bareHttp.perSecond).toFixed(2)}` +
        `${http.errors + store.errors ? ` | errors ${http.errors + store.errors}` : ""}`,
    );
  }
  let access: Record<AccessKind, Run> | null = null;
  if (PART === "all" || PART === "writes" || PART === "access") {
    const runs: Record<AccessKind, Run[]> = { off: [], bearer: [], cookie: [] };
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const kind of ["off", "bearer", "cookie"] as const)
        runs[kind].push(await benchAccess(64, kind));
    }
    access = { off: median(runs.off), bearer: median(runs.bearer), cookie: median(runs.cookie) };
    const cost = (r: Run) =>
      `${((1 - r.perSecond / (access as Record<AccessKind, Run>).off.perSecond) * 100).toFixed(1)} %`;
    console.log(
      `\naccess control, 64 clients: off ${access.off.perSecond}/s p99 ${access.off.p99} ms` +
        ` | bearer ${access.bearer.perSecond}/s p99 ${access.bearer.p99} ms (cost ${cost(access.bearer)})` +
        ` | cookie ${access.cookie.perSecond}/s p99 ${access.cookie.p99} ms (cost ${cost(access.cookie)})` +
        `${access.bearer.errors + access.cookie.errors ? ` | errors ${access.bearer.errors + access.cookie.errors}` : ""}`,
    );
  }
  let replay: Awaited<ReturnType<typeof benchReplay>> | null = null;
  let snap: Awaited<ReturnType<typeof benchSnapshotLoad>> | null = null;
  if (PART === "all" || PART === "startup") {
    replay = await benchReplay();
    console.log(
      `\nreplay of a ${replay.lines.toLocaleString("en-US")}-line journal (${(replay.bytes / 1e6).toFixed(0)} MB, ${replay.items.toLocaleString("en-US")} items): ${replay.ms} ms (CPU ${replay.cpuMs} ms)`,
    );
    snap = await benchSnapshotLoad();
    console.log(
      `load of a ${snap.items.toLocaleString("en-US")}-item snapshot (${(snap.bytes / 1e6).toFixed(0)} MB): ${snap.ms} ms (CPU ${snap.cpuMs} ms)`,
    );
  }

  let idem: IdemFigures | null = null;
  if (PART === "all" || PART === "idempotency") {
    idem = await benchIdempotency();
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    console.log(
      `\nidempotency: ${idem.flood.toLocaleString("en-US")} keyed PATCHes on 64 images → ${idem.keys.toLocaleString("en-US")} keys remembered, ` +
        `${idem.tableBytesPerKey} B/key estimated (${mb(idem.tableBytes)}), heap growth ${idem.heapBytesPerKey} B/key, RSS growth ${idem.rssBytesPerKey} B/key; ` +
        `left journal ${mb(idem.floodJournalBytes)} + snapshot ${mb(idem.floodSnapshotBytes)}; ` +
        `on disk after 100 batches of 1,000 more: journal ${mb(idem.journalBytes)}, snapshot ${mb(idem.snapshotBytes)} ` +
        `(idem line ${idem.snapshotIdemBytesPerKey} B per flood key, ${idem.batch.snapshotIdemBytesPerKey} B per batch key); the 100 batches added ${mb(idem.batch.journalGrowth)} to journal + snapshot; ` +
        `restart ${idem.restart.ms} ms (CPU ${idem.restart.cpuMs} ms), RSS ${idem.restart.rssMB} MB, ${idem.restart.keys.toLocaleString("en-US")} keys` +
        `${idem.refusedWrites ? `; ${idem.refusedWrites} writes refused (table full)` : ""}`,
    );
  }

  const at64 = rows.find((r) => r.clients === 64);
  const goals = {
    ...(at64 && {
      patch_per_s_at_64_ge_5000: at64.http.perSecond >= 5000,
      p99_at_64_le_25ms: at64.http.p99 <= 25,
      half_of_bare_loop: at64.http.perSecond >= at64.bare.perSecond / 2,
      // Not a goal of the issue: whether half the bare disk loop is within reach of any HTTP server here.
      bare_http_reaches_half_of_bare_loop: at64.bareHttp.perSecond >= at64.bare.perSecond / 2,
    }),
    ...(replay && { replay_1m_le_3s: replay.ms <= 3000 }),
    ...(access && {
      access_bearer_cost_le_5pct: access.bearer.perSecond >= access.off.perSecond * 0.95,
      access_cookie_cost_le_5pct: access.cookie.perSecond >= access.off.perSecond * 0.95,
    }),
  };
  const load1 = os.loadavg()[0];
  console.log("\ngoals:", goals);
  console.log(
    `load average ${load0.toFixed(2)} → ${load1.toFixed(2)} (other processes share these cores)`,
  );
  fs.mkdirSync(join(import.meta.dir, "out"), { recursive: true });
  fs.writeFileSync(
    join(import.meta.dir, "out", "labels.json"),
    `${JSON.stringify({ seconds: SECONDS, cores: os.cpus().length, loadavg: [load0, load1], rows, access, replay, snapshot: snap, idempotency: idem, goals }, null, 2)}\n`,
  );
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
}

const loadDir = args.indexOf("--load");
if (loadDir >= 0) await loadOnly(args[loadDir + 1]);
else await main();
