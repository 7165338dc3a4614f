/**
 * Scale-out figures (issue 13), real CLI processes and a redis-server of its own:
 *
 *  1. Redis client on the hot path: the label write script (EVALSHA) at 64 in
 *     flight, Bun's built-in RedisClient vs ioredis.
 *  2. Acknowledged PATCH/s and p99 at 64 clients: one process with its local
 *     journal; one, two and four processes on Redis (clients spread over them).
 *     CPU per acknowledged write (Lenslet processes + redis-server, from /proc)
 *     and the 2-core projection it implies: 2 core-seconds / CPU per write.
 *  3. Edit through one process → SSE subscriber on another: p50/p99.
 *  4. Fan-out p99 with S subscribers on one process vs 4·S over four processes.
 *
 *   bun run bench/redis.ts [--seconds 5] [--subs 200]
 *
 * The machine's cores are shared with the load generator (and other work), so
 * 2 and 4 processes compete for them: read the CPU-per-write column for what
 * more cores would give. Prints a table and writes bench/out/redis.json.
 */
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { RedisClient } from "bun";
import IORedis from "ioredis";
import { startRedis } from "../test/helpers/redis-server.ts";
import { type ServerProcess, startServerProcess } from "../test/helpers/server-process.ts";
import { connectSSE } from "../test/helpers/sse-client.ts";
import { percentile } from "./stats.ts";

process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ??= "4000";
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg("seconds", 5);
const SUBS = arg("subs", 200);
const CLIENTS = 64;
const ITEMS = 256;
const TICK = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  try {
    const rest = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(rest[11]) + Number(rest[12])) / TICK;
  } catch {
    return 0;
  }
}

function redisPid(port: number): number {
  const out = Bun.spawnSync(["redis-cli", "-p", String(port), "INFO", "server"]).stdout.toString();
  return Number(/process_id:(\d+)/.exec(out)?.[1] ?? 0);
}

function gallery(): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), "lenslet-bench-redis-"));
  for (let i = 0; i < ITEMS; i++) fs.writeFileSync(join(dir, `img-${i}.jpg`), "x");
  return dir;
}

// ------------------------------------------------------------------ 1. client on the hot path
async function clientBench(port: number) {
  const script = `local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 2000, '*', 'i', id, 'd', ARGV[2])
return id`;
  const rec = JSON.stringify({
    path: "/img-1.jpg",
    star: 4,
    tags: ["a", "b"],
    notes: "",
    version: 7,
  });
  const run = async (name: string, call: (i: number) => Promise<unknown>) => {
    const lat: number[] = [];
    let n = 0;
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < end) {
          const s = performance.now();
          await call(n++);
          lat.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    return {
      client: name,
      ops_per_s: Math.round(n / secs),
      p50_ms: percentile(lat, 50),
      p99_ms: percentile(lat, 99),
    };
  };
  const bun = new RedisClient(`redis://127.0.0.1:${port}`);
  const sha = String(await bun.send("SCRIPT", ["LOAD", script]));
  const bunResult = await run("bun RedisClient", (i) =>
    bun.send("EVALSHA", [sha, "3", "b:seq", "b:rec", "b:st", `/img-${i % ITEMS}.jpg`, rec]),
  );
  bun.close();
  const io = new IORedis({ port, host: "127.0.0.1", lazyConnect: false });
  const ioResult = await run("ioredis", (i) =>
    io.evalsha(sha, 3, "i:seq", "i:rec", "i:st", `/img-${i % ITEMS}.jpg`, rec),
  );
  io.disconnect();
  return [bunResult, ioResult];
}

// ------------------------------------------------------------------ 2. acknowledged PATCH/s
async function writeBench(servers: ServerProcess[], redisPort: number | null) {
  const pids = servers.map((s) => s.proc.pid);
  const rpid = redisPort ? redisPid(redisPort) : 0;
  const cpu0 = pids.reduce((a, p) => a + cpuSeconds(p), 0) + (rpid ? cpuSeconds(rpid) : 0);
  const lat: number[] = [];
  let acked = 0;
  let other = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const base = servers[c % servers.length].url;
      let i = 0;
      while (performance.now() < end) {
        const path = `/img-${(c * 7 + i++) % ITEMS}.jpg`;
        const s = performance.now();
        const res = await fetch(`${base}/item?path=${encodeURIComponent(path)}`, {
          method: "PATCH",
          headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
          body: JSON.stringify({ add_tags: [`t${i % 50}`], set_metrics: { n: i } }),
        });
        await res.arrayBuffer();
        lat.push(performance.now() - s);
        if (res.status === 200) acked++;
        else other++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = pids.reduce((a, p) => a + cpuSeconds(p), 0) + (rpid ? cpuSeconds(rpid) : 0);
  const cpuPerWrite = (cpu1 - cpu0) / Math.max(1, acked);
  return {
    acked_per_s: Math.round(acked / secs),
    p50_ms: percentile(lat, 50),
    p99_ms: percentile(lat, 99),
    refused: other,
    cpu_us_per_write: Math.round(cpuPerWrite * 1e6),
    projection_2_cores_per_s: Math.round(2 / cpuPerWrite),
  };
}

// ------------------------------------------------------------------ 3. edit → subscriber elsewhere
async function crossLatency(a: ServerProcess, b: ServerProcess, rounds = 300) {
  const s = await connectSSE(`${b.url}/events?last_event_id=0`);
  const lat: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = await fetch(`${a.url}/item?path=/img-0.jpg`, {
      method: "PATCH",
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({ add_tags: [`x${i}`] }),
    });
    const id = String(((await r.json()) as { event_id: number }).event_id);
    await s.next((e) => e.id === id, 5000);
    lat.push(performance.now() - t);
  }
  s.close();
  return { rounds, p50_ms: percentile(lat, 50), p99_ms: percentile(lat, 99) };
}

// ------------------------------------------------------------------ 4. subscribers per process count
async function fanout(
  writer: ServerProcess,
  holders: ServerProcess[],
  perProcess: number,
  rounds = 40,
) {
  const subs: Awaited<ReturnType<typeof connectSSE>>[] = [];
  // In batches: a page connecting without an id gets one resync-required, nothing to replay.
  for (const h of holders)
    for (let i = 0; i < perProcess; i += 50)
      subs.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, perProcess - i) }, () =>
            connectSSE(`${h.url}/events`, { timeoutMs: 20_000 }),
          ),
        )),
      );
  const cpu0 = holders.reduce((a, h) => a + cpuSeconds(h.proc.pid), 0);
  const lat: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = await fetch(`${writer.url}/item?path=/img-1.jpg`, {
      method: "PATCH",
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      // A tag never used before: a no-op would publish nothing.
      body: JSON.stringify({ add_tags: [`f${crypto.randomUUID().slice(0, 8)}`] }),
    });
    const body = (await r.json()) as { event_id: number };
    const id = String(body.event_id);
    await Promise.all(
      subs.map((s) =>
        s.next((e) => e.id === id, 20_000).then(() => lat.push(performance.now() - t)),
      ),
    );
  }
  const cpu1 = holders.reduce((a, h) => a + cpuSeconds(h.proc.pid), 0);
  for (const s of subs) s.close();
  return {
    processes: holders.length,
    subscribers: subs.length,
    p50_ms: percentile(lat, 50),
    p99_ms: percentile(lat, 99),
    holder_cpu_us_per_delivery: Math.round(((cpu1 - cpu0) / (rounds * subs.length)) * 1e6),
  };
}

async function beforeFanout(
  redis: Awaited<ReturnType<typeof startRedis>>,
  out: Record<string, unknown>,
) {
  out.client = await clientBench(redis.port);
  console.table(out.client);

  const writes: Record<string, unknown>[] = [];
  {
    const dir = gallery();
    const p = await startServerProcess([dir, "--port", "0"]);
    writes.push({ setup: "1 process, local journal", ...(await writeBench([p], null)) });
    await p.stop();
  }
  for (const n of [1, 2, 4]) {
    const dir = gallery();
    const ps: ServerProcess[] = [];
    for (let i = 0; i < n; i++)
      ps.push(
        await startServerProcess([
          dir,
          "--port",
          "0",
          "--redis",
          redis.url,
          "--redis-gallery",
          `bench-${n}`,
        ]),
      );
    writes.push({
      setup: `${n} process${n > 1 ? "es" : ""}, Redis`,
      ...(await writeBench(ps, redis.port)),
    });
    if (n === 2) {
      out.cross_process = await crossLatency(ps[0], ps[1]);
      console.table([out.cross_process]);
    }
    await Promise.all(ps.map((p) => p.stop()));
  }
  out.writes = writes;
  console.table(writes);
}

async function main() {
  const redis = await startRedis();
  const out: Record<string, unknown> = {
    seconds: SECONDS,
    clients: CLIENTS,
    cores: os.cpus().length,
  };
  const only = process.argv.includes("--only-fanout");
  try {
    if (!only) await beforeFanout(redis, out);
    const dir = gallery();
    const ps: ServerProcess[] = [];
    for (let i = 0; i < 5; i++)
      ps.push(
        await startServerProcess([
          dir,
          "--port",
          "0",
          "--redis",
          redis.url,
          "--redis-gallery",
          "bench-fan",
        ]),
      );
    const one = await fanout(ps[4], [ps[0]], SUBS);
    const four = await fanout(ps[4], ps.slice(0, 4), SUBS);
    out.fanout = [one, four];
    console.table(out.fanout);
    await Promise.all(ps.map((p) => p.stop()));
  } finally {
    await redis.dispose();
  }
  fs.mkdirSync(join(import.meta.dir, "out"), { recursive: true });
  fs.writeFileSync(join(import.meta.dir, "out", "redis.json"), `${JSON.stringify(out, null, 2)}\n`);
}

await main();
process.exit(0);
