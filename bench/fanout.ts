/**
 * Fan-out benchmark: time from publishing one event to its receipt by each of
 * 100 and 1,000 subscribers, for Lenslet's stream (bus + Hono route + bounded
 * subscriber) beside a bare Bun SSE broadcast loop (Bun.serve + ReadableStream
 * controllers), measured in the same run with interleaved rounds. Receipt is
 * timed in client processes on raw sockets (no fetch limits, no parsing
 * libraries in the way), on a clock synchronised with the server process by
 * ping-pong before the run.
 * Also: server RSS with 1,000 subscribers.
 *
 *   bun run bench/fanout.ts [--rounds 500] [--sizes 100,1000] [--clients 2]
 *
 * Prints a table and writes bench/out/fanout.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { EventBus } from "../src/live/bus.ts";
import { EventName, type ItemUpdated } from "../src/live/protocol.ts";
import { formatEvent } from "../src/live/sse-frame.ts";
import { eventRoutes } from "../src/routes/events.ts";
import { percentile } from "./stats.ts";

type ServerName = "bare" | "lenslet";
type ToClient =
  | { type: "connect"; server: ServerName; port: number; path: string; count: number }
  | { type: "collect" }
  | { type: "close" }
  | { type: "clock" }
  | { type: "offset"; ms: number };
type ToParent =
  | { type: "connected"; server: ServerName }
  | { type: "got"; round: number }
  | { type: "latencies"; lat: Record<ServerName, number[]> }
  | { type: "closed" }
  | { type: "clock"; t: number };

/** Wall-clock ms, sub-ms resolution (each client's offset to the parent is measured and removed). */
const nowMs = () => performance.timeOrigin + performance.now();
const MARK = /@T=(\d+\.\d+);R=(\d+);/g;

if (process.argv.includes("--client")) runClient();
else if (process.argv.includes("--serve")) runServer(arg("serve", "lenslet") as ServerName);
else await runParent();

// ---------------------------------------------------------------- client process

function runClient(): void {
  const send = (m: ToParent) => process.send?.(m);
  const sockets: { terminate(): void }[] = [];
  const counts: Record<ServerName, number> = { bare: 0, lenslet: 0 };
  const lat: Record<ServerName, number[]> = { bare: [], lenslet: [] };
  const gotRound = new Map<number, number>();
  const readyCount: Record<ServerName, number> = { bare: 0, lenslet: 0 };
  let offset = 0;

  const onFrame = (server: ServerName, t: number, round: number) => {
    lat[server].push(nowMs() - offset - t);
    const n = (gotRound.get(round) ?? 0) + 1;
    gotRound.set(round, n);
    if (n === counts[server]) {
      gotRound.delete(round);
      send({ type: "got", round });
    }
  };

  process.on("message", async (msg: ToClient) => {
    if (msg.type === "connect") {
      counts[msg.server] += msg.count;
      for (let i = 0; i < msg.count; i++) {
        let buf = "";
        let ready = false;
        const socket = await Bun.connect({
          hostname: "127.0.0.1",
          port: msg.port,
          socket: {
            data(_s, data) {
              buf += data.toString();
              if (!ready && buf.includes("\r\n\r\n")) {
                ready = true;
                if (++readyCount[msg.server] === counts[msg.server]) {
                  send({ type: "connected", server: msg.server });
                }
              }
              let end = 0;
              for (const m of buf.matchAll(MARK)) {
                onFrame(msg.server, Number(m[1]), Number(m[2]));
                end = (m.index ?? 0) + m[0].length;
              }
              buf = end ? buf.slice(end) : buf.length > 4096 ? buf.slice(-64) : buf;
            },
          },
        });
        socket.write(
          `GET ${msg.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`,
        );
        sockets.push(socket);
      }
    } else if (msg.type === "clock") {
      send({ type: "clock", t: nowMs() });
    } else if (msg.type === "offset") {
      offset = msg.ms;
    } else if (msg.type === "collect") {
      send({
        type: "latencies",
        lat: { bare: lat.bare.splice(0), lenslet: lat.lenslet.splice(0) },
      });
    } else if (msg.type === "close") {
      for (const s of sockets.splice(0)) s.terminate();
      counts.bare = counts.lenslet = 0;
      readyCount.bare = readyCount.lenslet = 0;
      gotRound.clear();
      send({ type: "closed" });
    }
  });
}

// ---------------------------------------------------------------- servers

type ServerReply = { type: string; port?: number; path?: string; rss?: number };

interface BenchServer {
  port: number;
  /** Where a subscriber connects (Lenslet: as a fresh page does, naming the current last id). */
  path(): string;
  publish(round: number): void;
  subscribers(): number;
  stop(): void;
}

/** Bare loop: one encoded frame, enqueued on every controller. */
function startBare(): BenchServer {
  const controllers = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  const hello = encoder.encode(": hello\n\n");
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch(req, srv) {
      srv.timeout(req, 0);
      let ctrl: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          ctrl = c;
          controllers.add(c);
          c.enqueue(hello); // Bun sends the headers with the first bytes
        },
        cancel() {
          controllers.delete(ctrl);
        },
      });
      return new Response(body, {
        headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" },
      });
    },
  });
  let id = 0;
  return {
    port: server.port!,
    path: () => "/",
    publish(round) {
      const env = {
        id: ++id,
        event: { type: EventName.itemUpdated, data: payload(round) },
      } as const;
      const frame = encoder.encode(formatEvent(env));
      for (const c of controllers) c.enqueue(frame);
    },
    subscribers: () => controllers.size,
    stop: () => server.stop(true),
  };
}

/** Lenslet: the real bus and route, served as src/server.ts serves it. */
function startLenslet(): BenchServer {
  const bus = new EventBus({ capacity: 2000, firstId: 1 });
  const app = new Hono();
  app.route("/", eventRoutes({ bus }));
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 60,
    fetch: (req, srv) => app.fetch(req, { server: srv }),
  });
  return {
    port: server.port!,
    path: () => `/events?last_event_id=${bus.lastId}`,
    publish(round) {
      bus.publish({ type: EventName.itemUpdated, data: payload(round) });
    },
    subscribers: () => bus.subscriberCount,
    stop() {
      bus.close();
      server.stop(true);
    },
  };
}

/** A server alone in its own process, for a clean RSS figure. */
function runServer(name: ServerName): void {
  const server = name === "bare" ? startBare() : startLenslet();
  process.on("message", (msg: { type: "rss" }) => {
    if (msg.type !== "rss") return;
    Bun.gc(true);
    process.send?.({
      type: "rss",
      rss: process.memoryUsage().rss,
      subscribers: server.subscribers(),
    });
  });
  process.send?.({ type: "port", port: server.port, path: server.path() });
}

// ---------------------------------------------------------------- driver process

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function payload(round: number): ItemUpdated {
  return {
    path: `/bench/img${round}.jpg`,
    version: round + 1,
    star: round % 6,
    tags: ["bench", "fanout"],
    notes: `@T=${nowMs().toFixed(4)};R=${round};`,
    metrics: { score: 0.5 },
    flag: null,
    color: null,
    updated_at: new Date().toISOString(),
    updated_by: "bench (b3nc)",
    client_id: "b3nc",
    changed_fields: ["star"],
  };
}

async function runParent(): Promise<void> {
  const rounds = Number(arg("rounds", "500"));
  const warmup = 20;
  const sizes = arg("sizes", "100,1000").split(",").map(Number);
  const clientProcs = Number(arg("clients", "2"));
  const started = performance.now();

  const bare = startBare();
  const lenslet = startLenslet();

  // Client processes.
  const waiters: { match: (m: ToParent) => boolean; resolve: (m: ToParent) => void }[] = [];
  const children = Array.from({ length: clientProcs }, () =>
    Bun.spawn({
      cmd: [process.execPath, import.meta.path, "--client"],
      stdio: ["ignore", "inherit", "inherit"],
      ipc(message: ToParent) {
        const i = waiters.findIndex((w) => w.match(message));
        if (i >= 0) waiters.splice(i, 1)[0]!.resolve(message);
      },
    }),
  );
  const expect = (match: (m: ToParent) => boolean, timeoutMs = 30_000) =>
    new Promise<ToParent>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("benchmark client timed out")), timeoutMs);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  const all = (match: (m: ToParent) => boolean) => Promise.all(children.map(() => expect(match)));
  // Clock offsets: the exchange with the shortest round trip bounds the error by half of it.
  const clockError: number[] = [];
  for (const child of children) {
    let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
    for (let i = 0; i < 50; i++) {
      const t0 = nowMs();
      const reply = expect((m) => m.type === "clock");
      child.send({ type: "clock" } satisfies ToClient);
      const m = await reply;
      const t1 = nowMs();
      if (m.type === "clock" && t1 - t0 < best.rtt)
        best = { rtt: t1 - t0, offset: m.t - (t0 + t1) / 2 };
    }
    child.send({ type: "offset", ms: best.offset } satisfies ToClient);
    clockError.push(+(best.rtt / 2).toFixed(3));
  }

  const results: Record<string, unknown>[] = [];
  let round = 0;
  try {
    for (const n of sizes) {
      const per = Math.ceil(n / children.length);
      for (const [server, target] of [
        ["lenslet", lenslet],
        ["bare", bare],
      ] as const) {
        const { port } = target;
        const path = target.path();
        const done = all((m) => m.type === "connected" && m.server === server);
        for (const c of children)
          c.send({ type: "connect", server, port, path, count: per } satisfies ToClient);
        await done;
      }

      const lat: Record<ServerName, number[]> = { bare: [], lenslet: [] };
      for (let r = 0; r < warmup + rounds; r++) {
        if (r === warmup) {
          // Drop the warm-up rounds' latencies.
          const dropped = all((m) => m.type === "latencies");
          for (const c of children) c.send({ type: "collect" } satisfies ToClient);
          await dropped;
        }
        const order: ServerName[] = r % 2 ? ["bare", "lenslet"] : ["lenslet", "bare"];
        for (const server of order) {
          const id = ++round;
          const done = all((m) => m.type === "got" && m.round === id);
          (server === "bare" ? bare : lenslet).publish(id);
          await done;
        }
      }
      const reports = all((m) => m.type === "latencies");
      for (const c of children) c.send({ type: "collect" } satisfies ToClient);
      for (const m of await reports) {
        if (m.type !== "latencies") continue;
        lat.bare.push(...m.lat.bare);
        lat.lenslet.push(...m.lat.lenslet);
      }
      const closed = all((m) => m.type === "closed");
      for (const c of children) c.send({ type: "close" } satisfies ToClient);
      await closed;

      const row: Record<string, unknown> = { subscribers: per * children.length, rounds };
      for (const server of ["bare", "lenslet"] as const) {
        const s = lat[server].sort((a, b) => a - b);
        row[server] = {
          samples: s.length,
          p50_ms: +percentile(s, 50).toFixed(2),
          p99_ms: +percentile(s, 99).toFixed(2),
          max_ms: +(s.at(-1) ?? Number.NaN).toFixed(2),
        };
      }
      const b = row.bare as { p50_ms: number; p99_ms: number };
      const l = row.lenslet as { p50_ms: number; p99_ms: number };
      row.ratio_p50 = +(l.p50_ms / b.p50_ms).toFixed(2);
      row.ratio_p99 = +(l.p99_ms / b.p99_ms).toFixed(2);
      results.push(row);
      await waitUntil(() => bare.subscribers() === 0 && lenslet.subscribers() === 0);
    }

    // Memory: 1,000 subscribers to each server, alone in a fresh process.
    const memory: Record<string, number> = {};
    for (const server of ["lenslet", "bare"] as const) {
      const replies: ((m: ServerReply) => void)[] = [];
      const proc = Bun.spawn({
        cmd: [process.execPath, import.meta.path, "--serve", server],
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, NODE_ENV: "production" },
        ipc: (m: ServerReply) => replies.shift()?.(m),
      });
      const ask = (msg?: { type: "rss" }) =>
        new Promise<ServerReply>((resolve) => {
          replies.push(resolve);
          if (msg) proc.send(msg);
        });
      try {
        const { port, path } = await ask();
        const before = (await ask({ type: "rss" })).rss!;
        const per = Math.ceil(1000 / children.length);
        const done = all((m) => m.type === "connected" && m.server === server);
        for (const c of children)
          c.send({
            type: "connect",
            server,
            port: port!,
            path: path!,
            count: per,
          } satisfies ToClient);
        await done;
        const after = (await ask({ type: "rss" })).rss!;
        memory[`${server}_rss_mb`] = +(after / 2 ** 20).toFixed(1);
        memory[`${server}_idle_rss_mb`] = +(before / 2 ** 20).toFixed(1);
        memory[`${server}_kb_per_subscriber`] = +(
          (after - before) /
          1024 /
          (per * children.length)
        ).toFixed(1);
        const closed = all((m) => m.type === "closed");
        for (const c of children) c.send({ type: "close" } satisfies ToClient);
        await closed;
      } finally {
        proc.kill();
      }
    }

    const summary = {
      bench: "fanout",
      date: new Date().toISOString(),
      bun: Bun.version,
      cores: navigator.hardwareConcurrency,
      client_processes: children.length,
      clock_error_ms: clockError,
      results,
      memory,
      goal: "1,000 subscribers: Lenslet p99 <= 1.3x the bare loop",
      goal_met: results
        .filter((r) => (r.subscribers as number) >= 1000)
        .every((r) => (r.ratio_p99 as number) <= 1.3),
      seconds: +((performance.now() - started) / 1000).toFixed(1),
    };
    printTable(summary.results, memory);
    console.log(
      `goal (${summary.goal}): ${summary.goal_met ? "met" : "MISSED"}; ${summary.seconds} s`,
    );
    const out = join(dirname(import.meta.path), "out", "fanout.json");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`wrote ${out}`);
  } finally {
    for (const c of children) c.kill();
    bare.stop();
    lenslet.stop();
  }
}

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = performance.now();
  while (!cond() && performance.now() - start < timeoutMs) await Bun.sleep(5);
}

function printTable(rows: Record<string, unknown>[], memory: Record<string, number>): void {
  const line = (cells: (string | number)[]) =>
    console.log(cells.map((c, i) => String(c).padStart(i === 0 ? 12 : 10)).join(" "));
  line(["subscribers", "bare p50", "bare p99", "ours p50", "ours p99", "p50 ratio", "p99 ratio"]);
  for (const r of rows) {
    const b = r.bare as { p50_ms: number; p99_ms: number };
    const l = r.lenslet as { p50_ms: number; p99_ms: number };
    line([
      r.subscribers as number,
      `${b.p50_ms} ms`,
      `${b.p99_ms} ms`,
      `${l.p50_ms} ms`,
      `${l.p99_ms} ms`,
      `${r.ratio_p50}x`,
      `${r.ratio_p99}x`,
    ]);
  }
  console.log(
    `server RSS with 1,000 subscribers: Lenslet ${memory.lenslet_rss_mb} MB (+${memory.lenslet_kb_per_subscriber} KB each), bare ${memory.bare_rss_mb} MB (+${memory.bare_kb_per_subscriber} KB each)`,
  );
}
