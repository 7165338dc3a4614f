/**
 * Scale-out through the real CLI: two and three `lenslet DIR --redis URL`
 * processes on one gallery and one redis-server of the test's own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { startRedis, type TestRedis } from "../helpers/redis-server.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { connectSSE } from "../helpers/sse-client.ts";
import { startTcpProxy } from "../helpers/tcp-proxy.ts";
import { cleanupTempDirs, tempDir, until } from "../labels/helpers.ts";

const ITEMS = 24;
let redis: TestRedis;
let root: string;
const procs: ServerProcess[] = [];

function gallery(): string {
  const dir = tempDir("scale-root");
  for (let i = 0; i < ITEMS; i++) fs.writeFileSync(join(dir, `img-${i}.jpg`), "not really a jpeg");
  return dir;
}

function start(dir: string, extra: string[] = [], url = redis.url): Promise<ServerProcess> {
  return startServerProcess([dir, "--port", "0", "--redis", url, ...extra], { timeoutMs: 30_000 });
}

async function patchItem(
  base: string,
  path: string,
  body: Record<string, unknown>,
  key = crypto.randomUUID(),
): Promise<{ status: number; text: string; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${base}/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text), headers: res.headers };
}

async function item(
  base: string,
  path: string,
): Promise<{ version: number; tags: string[]; star: number | null }> {
  return (await fetch(`${base}/item?path=${encodeURIComponent(path)}`)).json();
}

/** Polls an async condition (a record on another process follows its stream within milliseconds). */
async function eventually(pred: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error("condition never held");
    await Bun.sleep(5);
  }
}

beforeAll(async () => {
  redis = await startRedis();
  root = gallery();
  for (let i = 0; i < 3; i++) procs.push(await start(root));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop().catch(() => {})));
  await redis?.dispose();
  cleanupTempDirs();
});

describe("several processes, one gallery", () => {
  test("R1: three processes share one workspace with --redis; a process with its own journal is refused beside them", async () => {
    expect(procs.length).toBe(3);
    for (const p of procs) {
      const h = await (await fetch(`${p.url}/health`)).json();
      expect(h.backend).toMatchObject({ kind: "redis", redis: { connected: true, durable: true } });
      expect(h.backend.redis.rtt_ms).toBeGreaterThan(0);
      expect(typeof h.backend.redis.stream_length).toBe("number");
    }
    const alone = startServerProcess([root, "--port", "0"], { timeoutMs: 30_000 });
    await expect(alone).rejects.toThrow(/served through Redis by other Lenslet processes/);
  }, 60_000);

  test("R5: an edit through one process reaches the event streams of the others, under one integer id", async () => {
    const streams = await Promise.all(
      procs.slice(1).map((p) => connectSSE(`${p.url}/events?last_event_id=0`)),
    );
    const w = await patchItem(procs[0].url, "/img-0.jpg", { base_version: 1, set_star: 5 });
    expect(w.status).toBe(200);
    const id = w.body.event_id as number;
    for (const s of streams) {
      const ev = await s.next((e) => e.event === "item-updated", 5000);
      expect(ev.id).toBe(String(id));
      expect(ev.json).toMatchObject({ path: "/img-0.jpg", star: 5, version: 2 });
      s.close();
    }
    // The other processes' copies of the records followed with the event.
    for (const p of procs)
      expect(await item(p.url, "/img-0.jpg")).toMatchObject({ star: 5, version: 2 });
  });

  test("R7: a page that was away replays what it missed from another process (Last-Event-ID)", async () => {
    const first = await patchItem(procs[0].url, "/img-1.jpg", { add_tags: ["a"] });
    const seen = first.body.event_id as number;
    const missed = [];
    for (const p of procs)
      missed.push(
        (await patchItem(p.url, "/img-1.jpg", { add_tags: [`from-${p.url}`] })).body.event_id,
      );
    const s = await connectSSE(`${procs[2].url}/events`, { lastEventId: seen });
    const got: string[] = [];
    for (let i = 0; i < missed.length; i++)
      got.push((await s.next((e) => e.event === "item-updated", 5000)).id as string);
    expect(got).toEqual(missed.map(String));
    s.close();
  });

  test("R3: one Idempotency-Key sent to two processes at once applies once; both answers are the same", async () => {
    for (let round = 0; round < 10; round++) {
      const key = crypto.randomUUID();
      const body = { add_tags: [`once-${round}`] };
      const [a, b] = await Promise.all([
        patchItem(procs[0].url, "/img-2.jpg", body, key),
        patchItem(procs[1].url, "/img-2.jpg", body, key),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.text).toBe(a.text);
      expect(
        [a.headers.get("idempotency-replayed"), b.headers.get("idempotency-replayed")].sort(),
      ).toEqual(["true", null].sort() as (string | null)[]);
    }
    const rec = await item(procs[2].url, "/img-2.jpg");
    expect(rec.version).toBe(11);
    expect(rec.tags.length).toBe(10);
  });

  test("R4: writes on one base version through different processes: exactly one lands", async () => {
    for (let round = 0; round < 8; round++) {
      const path = "/img-3.jpg";
      const base = (await item(procs[0].url, path)).version;
      const answers = await Promise.all(
        procs.flatMap((p, i) =>
          [0, 1].map((j) =>
            patchItem(p.url, path, {
              base_version: base,
              set_star: 1 + ((i * 2 + j + round) % 5),
              set_notes: `${round}-${i}-${j}`,
            }),
          ),
        ),
      );
      const ok = answers.filter((a) => a.status === 200);
      expect(ok.length).toBe(1);
      for (const a of answers.filter((x) => x.status !== 200)) {
        expect(a.status).toBe(409);
        expect((a.body.current as { version: number }).version).toBe(base + 1);
      }
      await eventually(async () => (await item(procs[1].url, path)).version === base + 1);
    }
  });

  test("R6: presence counts people the same on every process; a lease issued by one is honoured by another", async () => {
    const join = async (p: ServerProcess, body: Record<string, unknown>) =>
      (
        await fetch(`${p.url}/presence/join`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        })
      ).json();
    // One person with two tabs (on two processes), another with one.
    const a1 = await join(procs[0], {
      gallery_id: "/r6",
      client_id: "r6-a1",
      name: "Ana",
      person_id: "pa",
    });
    await join(procs[1], { gallery_id: "/r6", client_id: "r6-a2", name: "Ana", person_id: "pa" });
    await join(procs[2], {
      gallery_id: "/r6",
      client_id: "r6-b1",
      name: "Łukasz",
      person_id: "pb",
    });
    for (const p of procs) {
      const c = await (await fetch(`${p.url}/presence?gallery_id=/r6`)).json();
      expect(c).toMatchObject({ viewing: 2, sessions: 3, names: ["Ana", "Łukasz"] });
    }
    // The lease procs[0] issued moves the tab through procs[2]; a wrong one is refused there.
    const bad = await fetch(`${procs[2].url}/presence/move`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        from_gallery_id: "/r6",
        to_gallery_id: "/r6b",
        client_id: "r6-a1",
        lease_id: "nope",
      }),
    });
    expect(bad.status).toBe(409);
    const mv = await fetch(`${procs[2].url}/presence/move`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        from_gallery_id: "/r6",
        to_gallery_id: "/r6b",
        client_id: "r6-a1",
        lease_id: a1.lease_id,
      }),
    });
    expect(mv.status).toBe(200);
    expect(await mv.json()).toMatchObject({
      moved: true,
      from: { viewing: 2, sessions: 2 },
      viewing: 1,
    });
    // Every process's pages hear one presence event per change, with the same id.
    const s0 = await connectSSE(`${procs[0].url}/events?last_event_id=0`);
    const s1 = await connectSSE(`${procs[1].url}/events?last_event_id=0`);
    await fetch(`${procs[1].url}/presence/leave`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ gallery_id: "/r6b", client_id: "r6-a1", lease_id: a1.lease_id }),
    });
    const e0 = await s0.next(
      (e) =>
        e.event === "presence" &&
        (e.json as { gallery_id: string; viewing: number }).gallery_id === "/r6b" &&
        (e.json as { viewing: number }).viewing === 0,
      5000,
    );
    const e1 = await s1.next(
      (e) =>
        e.event === "presence" &&
        (e.json as { gallery_id: string; viewing: number }).gallery_id === "/r6b" &&
        (e.json as { viewing: number }).viewing === 0,
      5000,
    );
    expect(e0.id).toBe(e1.id);
    expect(e0.json).toMatchObject({ viewing: 0, sessions: 0 });
    s0.close();
    s1.close();
  });
});

describe("failures", () => {
  test("R6: a process killed with tabs open leaves no inflated counts: its tabs expire within the view TTL", async () => {
    const dir = gallery();
    const opts = ["--view-ttl", "2", "--prune-interval", "0.2", "--redis-gallery", "ttl-test"];
    const a = await start(dir, opts);
    const b = await start(dir, opts);
    try {
      await fetch(`${a.url}/presence/join`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          gallery_id: "/",
          client_id: "dies-1",
          name: "Gone",
          person_id: "pg",
        }),
      });
      expect((await (await fetch(`${b.url}/presence?gallery_id=/`)).json()).viewing).toBe(1);
      const s = await connectSSE(`${b.url}/events?last_event_id=0`);
      const t0 = Date.now();
      await a.kill();
      const ev = await s.next(
        (e) => e.event === "presence" && (e.json as { viewing: number }).viewing === 0,
        8000,
      );
      expect(ev).toBeDefined();
      // Within the view TTL (2 s) plus one prune interval and the stream.
      expect(Date.now() - t0).toBeLessThan(2000 + 200 + 1500);
      s.close();
    } finally {
      await a.stop().catch(() => {});
      await b.stop();
    }
  }, 60_000);

  test("R8: kill -9 of any process under concurrent writers across processes loses no acknowledged write and applies none twice; pages reconnect to another", async () => {
    const dir = gallery();
    const opts = ["--redis-gallery", "kill-test"];
    const servers: ServerProcess[] = [
      await start(dir, opts),
      await start(dir, opts),
      await start(dir, opts),
    ];
    const port = (s: ServerProcess) => Number(new URL(s.url).port);
    const front = startTcpProxy(servers.map(port));
    interface W {
      key: string;
      path: string;
      tag: string;
      sent: string;
      status: number | null;
      version?: number;
    }
    const writes: W[] = [];
    const bases = new Map<string, number>();
    const send = async (w: W) => {
      try {
        const res = await fetch(`${front.url()}/item?path=${encodeURIComponent(w.path)}`, {
          method: "PATCH",
          headers: {
            "content-type": "application/json",
            "idempotency-key": w.key,
            connection: "close",
          },
          body: w.sent,
        });
        const out = (await res.json()) as { version?: number; current?: { version: number } };
        if (res.status === 200 || res.status === 409) {
          w.status = res.status;
          w.version = res.status === 200 ? out.version : out.current?.version;
        }
      } catch {
        // Cut by the kill: unknown until retried.
      }
    };
    // A page on the front: its stream is cut with the process, it reconnects through the front to another.
    let lastId = 0;
    let reconnects = 0;
    let page = await connectSSE(`${front.url()}/events?last_event_id=0`);
    let seq = 0;
    try {
      for (let round = 0; round < 6; round++) {
        let alive = true;
        const writer = async (wi: number) => {
          while (alive) {
            const path = `/img-${(wi + seq) % 6}.jpg`;
            const tag = `t${++seq}`;
            const versioned = seq % 2 === 0;
            const w: W = {
              key: `r${round}-${wi}-${seq}`,
              path,
              tag,
              sent: JSON.stringify(
                versioned
                  ? { base_version: bases.get(path) ?? 1, set_notes: tag, add_tags: [tag] }
                  : { add_tags: [tag] },
              ),
              status: null,
            };
            writes.push(w);
            await send(w);
            if (w.version !== undefined) bases.set(path, Math.max(bases.get(path) ?? 1, w.version));
          }
        };
        const running = Array.from({ length: 9 }, (_, i) => writer(i));
        const acked = () => writes.filter((w) => w.status === 200).length;
        const before = acked();
        while (acked() < before + 10) await Bun.sleep(1);
        const victim = round % servers.length;
        await servers[victim].kill();
        await Bun.sleep(50);
        alive = false;
        await Promise.all(running);
        servers[victim] = await start(dir, opts);
        front.setTargets(servers.map(port));
        // Retry every unknown write with its key and its very body: applied once, whichever process takes it.
        for (const w of writes.filter((x) => x.status === null)) {
          for (let i = 0; i < 5 && w.status === null; i++) await send(w);
          expect(w.status).not.toBeNull();
        }
        // The page: still streaming, or reconnected through the front with its Last-Event-ID.
        for (const e of page.events) if (e.id) lastId = Math.max(lastId, Number(e.id));
        if (page.isEnded) {
          reconnects++;
          page = await connectSSE(`${front.url()}/events`, { lastEventId: lastId });
        }
      }
      // Verify through every process: all acknowledged tags, nothing refused, each applied once.
      const applied = new Map<string, Set<string>>();
      for (const w of writes)
        if (w.status === 200)
          (applied.get(w.path) ?? applied.set(w.path, new Set()).get(w.path))?.add(w.tag);
      const refused = new Set(writes.filter((w) => w.status === 409).map((w) => w.tag));
      for (const s of servers) {
        for (const [path, tags] of applied) {
          const rec = await item(s.url, path);
          for (const t of tags) expect(rec.tags).toContain(t);
          for (const t of rec.tags) expect(refused.has(t)).toBe(false);
          expect(rec.tags.length).toBe(tags.size);
          expect(rec.version).toBe(tags.size + 1);
        }
      }
      expect(writes.filter((w) => w.status === 200).length).toBeGreaterThan(60);
      // The page's stream was cut by a kill at least once and came back through another process.
      expect(reconnects).toBeGreaterThan(0);
      const w = await patchItem(servers[0].url, "/img-7.jpg", { add_tags: ["after"] });
      const ev = await page.next(
        (e) => e.event === "item-updated" && e.id === String(w.body.event_id),
        5000,
      );
      expect(ev).toBeDefined();
    } finally {
      page.close();
      front.close();
      await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    }
  }, 120_000);

  test("R9: Redis killed and restarted mid-run: writes answer 503 label_persistence_unavailable with Retry-After, nothing acknowledged is lost, everything heals", async () => {
    const own = await startRedis();
    const dir = gallery();
    const a = await start(dir, [], own.url);
    const b = await start(dir, [], own.url);
    try {
      const acked: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await patchItem([a, b][i % 2].url, "/img-9.jpg", { add_tags: [`before-${i}`] });
        expect(r.status).toBe(200);
        acked.push(`before-${i}`);
      }
      const page = await connectSSE(`${b.url}/events?last_event_id=0`);
      await own.kill();
      const down = await patchItem(a.url, "/img-9.jpg", { add_tags: ["while-down"] });
      expect(down.status).toBe(503);
      expect(down.body.error).toBe("label_persistence_unavailable");
      expect(down.headers.get("retry-after")).toBe("1");
      // Pages of that process are told (Redis cannot carry it: a per-process event).
      const failing = await patchItem(b.url, "/img-9.jpg", { add_tags: ["while-down"] });
      expect(failing.status).toBe(503);
      const told = await page.next((e) => e.event === "persistence", 5000);
      expect(told.json).toMatchObject({ state: "failed" });
      expect(told.id).toBeNull();
      await own.restart();
      // Heals by itself: the retry with the same key is applied, through either process.
      let retried: Awaited<ReturnType<typeof patchItem>> | null = null;
      const key = crypto.randomUUID();
      const t0 = Date.now();
      while (Date.now() - t0 < 15_000) {
        retried = await patchItem(a.url, "/img-9.jpg", { add_tags: ["after"] }, key);
        if (retried.status === 200) break;
        await Bun.sleep(100);
      }
      expect(retried?.status).toBe(200);
      // b's pages hear that it saves again; the stream goes on for them (ids after the restart).
      await until(
        () =>
          page.events.some(
            (e) => e.event === "persistence" && (e.json as { state: string }).state === "saved",
          ),
        10_000,
        "persistence saved on b",
      );
      await until(
        () =>
          page.events.some(
            (e) => e.event === "item-updated" && e.id === String(retried?.body.event_id),
          ),
        10_000,
        "the retried write's event on b",
      );
      const rec = await item(b.url, "/img-9.jpg");
      for (const t of acked) expect(rec.tags).toContain(t);
      expect(rec.tags).toContain("after");
      expect(rec.tags).not.toContain("while-down");
      expect(rec.version).toBe(acked.length + 2);
      page.close();
    } finally {
      await a.stop();
      await b.stop();
      await own.dispose();
    }
  }, 90_000);

  test("R1: a Redis that does not fsync every write is refused at start; --redis-weak-durability starts, warns loudly, and writes answer relaxed", async () => {
    const weak = await startRedis(["--appendfsync", "everysec"]);
    const dir = gallery();
    try {
      await expect(start(dir, [], weak.url)).rejects.toThrow(
        /appendfsync is everysec[\s\S]*--redis-weak-durability/,
      );
      const p = await start(dir, ["--redis-weak-durability"], weak.url);
      try {
        expect(p.output()).toMatch(/!!! --redis-weak-durability: appendfsync is everysec/);
        const w = await patchItem(p.url, "/img-0.jpg", { add_tags: ["x"] });
        expect(w.body.persistence).toBe("relaxed");
        const h = await (await fetch(`${p.url}/health`)).json();
        expect(h.backend.redis).toMatchObject({ durable: false });
      } finally {
        await p.stop();
      }
    } finally {
      await weak.dispose();
    }
  }, 60_000);
});
