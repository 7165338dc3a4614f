/**
 * Presence under churn: N simulated tabs (a child process) join, move, leave,
 * heartbeat and vanish against a real Bun.serve with the real presence and
 * event-stream routes, while this process measures:
 *  - explicit change → subscriber: a probe tab's join/move/leave, from sending
 *    the request to the SSE event arriving (and the same with no churn, as the
 *    baseline of this run);
 *  - publish → subscriber for every presence event (fan-out under churn);
 *  - how long vanished tabs linger after their last contact (ms and ×view_ttl);
 *  - CPU of this process (server + probe + one SSE reader) and of the churn.
 *
 *   NODE_ENV=production bun bench/presence.ts [--duration 60] [--sessions 200]
 *     [--view-ttl 4] [--edit-ttl 3] [--prune-interval 0.5]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { Hono } from "hono";
import { Config } from "../src/config.ts";
import { EventBus } from "../src/live/bus.ts";
import type { PresenceCounts } from "../src/live/protocol.ts";
import { startPresenceService } from "../src/presence/service.ts";
import { PresenceTracker } from "../src/presence/tracker.ts";
import { eventRoutes } from "../src/routes/events.ts";
import { presenceRoutes } from "../src/routes/presence.ts";
import { connectSSE, type SSEClient } from "../test/helpers/sse-client.ts";
import { percentile } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    role: { type: "string", default: "main" },
    base: { type: "string", default: "" },
    duration: { type: "string", default: "60" },
    sessions: { type: "string", default: "200" },
    "view-ttl": { type: "string", default: "4" },
    "edit-ttl": { type: "string", default: "3" },
    "prune-interval": { type: "string", default: "0.5" },
    "baseline-samples": { type: "string", default: "100" },
  },
});

const DURATION_MS = Number(args.duration) * 1000;
const SESSIONS = Number(args.sessions);
const VIEW_TTL_MS = Number(args["view-ttl"]) * 1000;
const EDIT_TTL_MS = Number(args["edit-ttl"]) * 1000;
const PRUNE_MS = Number(args["prune-interval"]) * 1000;
/** Heartbeats keep two beats of slack inside the TTL, like the 30 s / 75 s defaults. */
const HEARTBEAT_MS = VIEW_TTL_MS * 0.4;
const SCOPES = Array.from({ length: 20 }, (_, i) => `/folder${i % 5}${i >= 5 ? `/sub${i}` : ""}`);

/** Wall-clock ms with sub-ms resolution, comparable across processes. */
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

type ChurnMessage =
  | { kind: "vanished"; clientId: string; lastContact: number }
  | {
      kind: "done";
      requests: number;
      errors: number;
      cpu: NodeJS.CpuUsage;
      ops: Record<string, number>;
    };

if (args.role === "churn") await churn();
else await main();

/** The churning tabs: one async loop each, one request in flight per tab. */
async function churn(): Promise<void> {
  const send = (m: ChurnMessage) => process.send?.(m);
  const cpu0 = process.cpuUsage();
  const deadline = performance.now() + DURATION_MS;
  let requests = 0;
  let errors = 0;
  const ops: Record<string, number> = { join: 0, move: 0, leave: 0, heartbeat: 0, vanish: 0 };
  let generation = 0;

  const post = async (path: string, body: unknown) => {
    requests++;
    const res = await fetch(`${args.base}${path}`, { method: "POST", body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) errors++;
    return { status: res.status, json };
  };

  const tab = async (slot: number) => {
    let clientId = `s${slot}-g${generation++}`;
    let lease: string | null = null;
    let scope: string | null = null;
    let lastContact = 0;
    // Spread the start so the first second is not one burst.
    await sleep(Math.random() * 1000);
    while (performance.now() < deadline) {
      if (scope === null) {
        scope = pick(SCOPES);
        const r = await post("/presence/join", {
          gallery_id: scope,
          client_id: clientId,
          lease_id: lease ?? undefined,
        });
        lease = (r.json.lease_id as string) ?? null;
        lastContact = wallNow();
        ops.join++;
      }
      await sleep(200 + Math.random() * 1300);
      if (performance.now() >= deadline) break;
      const roll = Math.random();
      if (roll < 0.45) {
        const to = pick(SCOPES);
        await post("/presence/move", {
          from_gallery_id: scope,
          to_gallery_id: to,
          client_id: clientId,
          lease_id: lease,
        });
        scope = to;
        ops.move++;
      } else if (roll < 0.6) {
        await post("/presence/leave", { gallery_id: scope, client_id: clientId, lease_id: lease });
        scope = null;
        ops.leave++;
      } else if (roll < 0.65) {
        // Crash, sleep or lost network: no leave. A new tab takes the slot later.
        send({ kind: "vanished", clientId, lastContact });
        ops.vanish++;
        clientId = `s${slot}-g${generation++}`;
        lease = null;
        scope = null;
        await sleep(500 + Math.random() * 1000);
        continue;
      } else if (wallNow() - lastContact >= HEARTBEAT_MS * 0.5) {
        await post("/presence/join", { gallery_id: scope, client_id: clientId, lease_id: lease });
        ops.heartbeat++;
      }
      lastContact = wallNow();
    }
  };
  await Promise.all(Array.from({ length: SESSIONS }, (_, i) => tab(i)));
  send({ kind: "done", requests, errors, cpu: process.cpuUsage(cpu0), ops });
  process.exit(0);
}

function summary(xs: number[]) {
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    n: xs.length,
    p50: r(percentile(xs, 50)),
    p99: r(percentile(xs, 99)),
    max: r(Math.max(...xs)),
  };
}

/** A tab nobody else uses: every event about its scopes is its own doing. */
async function probe(
  base: string,
  sse: SSEClient,
  samples: number,
  until = Number.POSITIVE_INFINITY,
) {
  const latencies: number[] = [];
  const id = `probe-${Math.random().toString(36).slice(2)}`;
  const isProbeEvent = (scope: string, viewing: number) => (e: { event: string; json: unknown }) =>
    e.event === "presence" &&
    (e.json as PresenceCounts).gallery_id === scope &&
    (e.json as PresenceCounts).viewing === viewing;
  const timed = async (path: string, body: unknown, scope: string, viewing: number) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { method: "POST", body: JSON.stringify(body) });
    const json = (await res.json()) as { lease_id?: string };
    const ev = await sse.next(isProbeEvent(scope, viewing), 5000);
    latencies.push(ev.receivedAt - t0);
    return json;
  };
  for (let i = 0; i < samples && performance.now() < until; i++) {
    const j = await timed(
      "/presence/join",
      { gallery_id: "/probe/a", client_id: id },
      "/probe/a",
      1,
    );
    const move = {
      from_gallery_id: "/probe/a",
      to_gallery_id: "/probe/b",
      client_id: id,
      lease_id: j.lease_id,
    };
    await timed("/presence/move", move, "/probe/b", 1);
    await timed(
      "/presence/leave",
      { gallery_id: "/probe/b", client_id: id, lease_id: j.lease_id },
      "/probe/b",
      0,
    );
    await sleep(50);
  }
  return latencies;
}

async function main(): Promise<void> {
  const config = Config.parse({
    root: "/nonexistent",
    workspace: "/nonexistent",
    canWrite: false,
    viewTtlMs: VIEW_TTL_MS,
    editTtlMs: EDIT_TTL_MS,
    pruneIntervalMs: PRUNE_MS,
    eventBuffer: 20_000,
  });
  const bus = new EventBus({ capacity: config.eventBuffer, firstId: 1 });

  // Vanished tabs still to be pruned, and how long each lingered.
  const vanished = new Map<string, number>();
  const lingerMs: number[] = [];
  class MeasuredTracker extends PresenceTracker {
    override prune(now?: number): PresenceCounts[] {
      const changed = super.prune(now);
      const t = wallNow();
      for (const [clientId, lastContact] of vanished) {
        if (this.scopeOf(clientId) === null) {
          lingerMs.push(t - lastContact);
          vanished.delete(clientId);
        }
      }
      return changed;
    }
  }
  const presence = new MeasuredTracker({ viewTtlMs: VIEW_TTL_MS, editTtlMs: EDIT_TTL_MS });
  const service = startPresenceService({ tracker: presence, bus, pruneIntervalMs: PRUNE_MS });
  const app = new Hono();
  app.route("/", eventRoutes({ bus }));
  app.route("/", presenceRoutes({ config, bus, presence }));
  const server = Bun.serve({ port: 0, fetch: (req, srv) => app.fetch(req, { server: srv }) });
  const base = `http://127.0.0.1:${server.port}`;

  const publishedAt = new Map<number, number>();
  bus.onEvent((env) => {
    if (env.event.type === "presence") publishedAt.set(env.id, performance.now());
  });
  const sse = await connectSSE(`${base}/events`);

  console.log(
    `presence bench: ${SESSIONS} tabs × ${DURATION_MS / 1000} s, view_ttl ${VIEW_TTL_MS} ms, ` +
      `edit_ttl ${EDIT_TTL_MS} ms, prune ${PRUNE_MS} ms, heartbeat ${HEARTBEAT_MS} ms`,
  );

  // Baseline: the same probe on an idle server, in this run (after a JIT warm-up).
  await probe(base, sse, 30);
  const idle = await probe(base, sse, Number(args["baseline-samples"]));

  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let churnResult: Extract<ChurnMessage, { kind: "done" }> | null = null;
  const child = Bun.spawn({
    cmd: [
      process.execPath,
      import.meta.path,
      "--role=churn",
      `--base=${base}`,
      `--duration=${args.duration}`,
      `--sessions=${SESSIONS}`,
      `--view-ttl=${args["view-ttl"]}`,
    ],
    stdout: "inherit",
    stderr: "inherit",
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4000" },
    ipc(message: ChurnMessage) {
      if (message.kind === "vanished") vanished.set(message.clientId, message.lastContact);
      else churnResult = message;
    },
  });
  const churning = probe(base, sse, Number.POSITIVE_INFINITY, wall0 + DURATION_MS);
  await child.exited;
  const underChurn = await churning;
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;

  // Let the last vanished tabs age out before reading the linger figures.
  const drainUntil = performance.now() + VIEW_TTL_MS + 2 * PRUNE_MS + 1000;
  while (vanished.size > 0 && performance.now() < drainUntil) await sleep(PRUNE_MS / 2);

  const fanout: number[] = [];
  for (const ev of sse.events) {
    const at = ev.id === null ? undefined : publishedAt.get(Number(ev.id));
    if (ev.event === "presence" && at !== undefined) fanout.push(ev.receivedAt - at);
  }
  sse.close();
  service.stop();
  server.stop(true);

  const churnStats = churnResult as Extract<ChurnMessage, { kind: "done" }> | null;
  const idleS = summary(idle);
  const churnS = summary(underChurn);
  const lingerS = summary(lingerMs);
  const result = {
    config: {
      sessions: SESSIONS,
      duration_s: DURATION_MS / 1000,
      view_ttl_ms: VIEW_TTL_MS,
      edit_ttl_ms: EDIT_TTL_MS,
      prune_interval_ms: PRUNE_MS,
      heartbeat_ms: HEARTBEAT_MS,
      node_env: process.env.NODE_ENV ?? null,
    },
    explicit_change_ms: {
      idle_baseline: idleS,
      under_churn: churnS,
      p50_ratio_vs_idle: Math.round((churnS.p50 / idleS.p50) * 100) / 100,
      p99_ratio_vs_idle: Math.round((churnS.p99 / idleS.p99) * 100) / 100,
    },
    publish_to_subscriber_ms: summary(fanout),
    vanished_linger: {
      ms: lingerS,
      in_view_ttl: {
        p50: Math.round((lingerS.p50 / VIEW_TTL_MS) * 1000) / 1000,
        p99: Math.round((lingerS.p99 / VIEW_TTL_MS) * 1000) / 1000,
        max: Math.round((lingerS.max / VIEW_TTL_MS) * 1000) / 1000,
      },
      bound_ms: VIEW_TTL_MS + PRUNE_MS,
      still_present_after_drain: vanished.size,
    },
    churn: churnStats && {
      requests: churnStats.requests,
      requests_per_s: Math.round(churnStats.requests / (wallMs / 1000)),
      non_200: churnStats.errors,
      ops: churnStats.ops,
      cpu_ms: Math.round((churnStats.cpu.user + churnStats.cpu.system) / 1000),
    },
    server_process: {
      cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      cpu_pct_of_one_core: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
      presence_events: fanout.length,
      diagnostics: presence.diagnostics(),
    },
  };

  const table = [
    [
      "explicit change → subscriber, idle (baseline)",
      `p50 ${idleS.p50} ms`,
      `p99 ${idleS.p99} ms`,
      `n=${idleS.n}`,
    ],
    [
      "explicit change → subscriber, under churn",
      `p50 ${churnS.p50} ms`,
      `p99 ${churnS.p99} ms`,
      `n=${churnS.n}`,
    ],
    [
      "  ratio churn / idle",
      `p50 ×${result.explicit_change_ms.p50_ratio_vs_idle}`,
      `p99 ×${result.explicit_change_ms.p99_ratio_vs_idle}`,
      "",
    ],
    [
      "publish → subscriber (all presence events)",
      `p50 ${result.publish_to_subscriber_ms.p50} ms`,
      `p99 ${result.publish_to_subscriber_ms.p99} ms`,
      `n=${fanout.length}`,
    ],
    [
      "vanished tab lingers",
      `p50 ${lingerS.p50} ms (×${result.vanished_linger.in_view_ttl.p50} ttl)`,
      `p99 ${lingerS.p99} ms (×${result.vanished_linger.in_view_ttl.p99} ttl)`,
      `max ×${result.vanished_linger.in_view_ttl.max}, n=${lingerS.n}`,
    ],
    [
      "server process CPU",
      `${result.server_process.cpu_ms} ms`,
      `${result.server_process.cpu_pct_of_one_core}% of a core`,
      "",
    ],
    [
      "churn",
      `${result.churn?.requests_per_s ?? "?"} req/s`,
      `${result.churn?.non_200 ?? "?"} non-200`,
      `client CPU ${result.churn?.cpu_ms ?? "?"} ms`,
    ],
  ];
  for (const row of table)
    console.log(`${row[0].padEnd(48)} ${row[1].padEnd(28)} ${row[2].padEnd(28)} ${row[3]}`);

  const out = join(dirname(import.meta.path), "out", "presence.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
  process.exit(0);
}
