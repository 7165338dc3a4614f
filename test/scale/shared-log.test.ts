/**
 * R5 R12: the shared event log on a real redis-server: ids from one counter
 * in stream order for every process; per-process events carry no id; a
 * history Redis lost (a new epoch) or entries trimmed before a process read
 * them make that process's pages re-fetch (resync-required), never a silent gap.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Envelope, LiveEvent } from "../../src/live/protocol.ts";
import { SharedEventLog } from "../../src/live/shared-log.ts";
import { formatEvent } from "../../src/live/sse-frame.ts";
import { Redis } from "../../src/redis/client.ts";
import { judgeDurability } from "../../src/redis/durability.ts";
import { galleryKeys } from "../../src/redis/keys.ts";
import { startRedis, type TestRedis } from "../helpers/redis-server.ts";
import { startTcpProxy } from "../helpers/tcp-proxy.ts";
import { CapturingLog, until } from "../labels/helpers.ts";

let server: TestRedis;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

async function open(gallery: string, capacity = 100, readerUrl = server.url) {
  const redis = await Redis.connect(server.url);
  const log = await SharedEventLog.open({
    redis,
    reader: await Redis.connect(readerUrl),
    keys: galleryKeys(gallery),
    capacity,
    log: new CapturingLog(),
  });
  const seen: Envelope[] = [];
  const closed: string[] = [];
  log.bus.subscribe(null, {
    send: (env) => {
      seen.push(env);
      return true;
    },
    close: (r) => void closed.push(r),
  });
  log.start();
  return {
    log,
    seen,
    closed,
    async stop() {
      await log.stop();
      redis.close();
    },
  };
}

const presence = (n: number): LiveEvent => ({
  type: "presence",
  data: { gallery_id: "/", viewing: n, editing: 0, names: [], sessions: n },
});

test("R5: events published by two processes come to both in one order under the same strictly increasing ids", async () => {
  const a = await open("order");
  const b = await open("order");
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).log.bus.publish(presence(i))),
  );
  await until(() => a.seen.length === 40 && b.seen.length === 40, 5000, "40 events on both");
  expect(a.seen.map((e) => e.id)).toEqual(b.seen.map((e) => e.id));
  for (let i = 1; i < 40; i++) expect(a.seen[i].id).toBe(a.seen[i - 1].id + 1);
  // A per-process event goes to this process's pages only, framed without an id.
  a.log.bus.publishLocal({
    type: "persistence",
    data: { state: "failed", durability: "strict", last_error: "x" },
  });
  const local = a.seen.at(-1) as Envelope;
  expect(local.event.type).toBe("persistence");
  expect(formatEvent(local).startsWith("event: persistence\n")).toBe(true);
  expect(b.seen.length).toBe(40);
  await a.stop();
  await b.stop();
});

test("R12: Redis losing the history (flush) gives a new epoch: pages get resync-required and ids never go down in a stream", async () => {
  const a = await open("epoch");
  a.log.bus.publish(presence(1));
  await until(() => a.seen.length === 1, 5000, "first event");
  const before = a.seen[0].id;
  const epoch = a.log.currentEpoch;
  await server.cli("FLUSHALL");
  // The next append finds no epoch and makes a new one; the reader notices and restarts the ids.
  a.log.bus.publish(presence(2));
  await until(() => a.closed.length === 1, 5000, "old stream ended");
  const resync = a.seen.find((e) => e.event.type === "resync-required");
  expect(resync?.event.data).toMatchObject({ reason: "restart" });
  expect(a.log.currentEpoch).not.toBe(epoch);
  for (let i = 1; i < a.seen.length; i++)
    expect(a.seen[i].id).toBeGreaterThanOrEqual(a.seen[i - 1].id);
  // A page coming back with its old id is told to re-fetch, whatever the new ids are.
  const back = a.log.bus.replaySince(before + 1000);
  expect(back.kind).toBe("resync");
  await a.stop();
});

test("R12: entries trimmed before a process read them are a resync for its pages, not a silent gap", async () => {
  // a reads the stream through a link the test can cut.
  const link = startTcpProxy([server.port]);
  const a = await open("trim", 20, `redis://127.0.0.1:${link.port}`);
  const b = await open("trim", 20);
  a.log.bus.publish(presence(1));
  await until(() => a.seen.length === 1, 5000, "first");
  link.cut();
  // Meanwhile the stream moves on far past what it keeps.
  for (let i = 0; i < 200; i++) await b.log.append(presence(i + 10));
  await b.log.append(presence(999));
  link.heal();
  await until(() => a.seen.some((e) => e.event.type === "resync-required"), 10_000, "resync on a");
  expect(a.seen.find((e) => e.event.type === "resync-required")?.event.data).toMatchObject({
    reason: "too_old",
  });
  // …and it goes on live from there, in the same order as b.
  await until(() => a.log.bus.lastId === b.log.bus.lastId, 5000, "a caught up");
  await a.stop();
  await b.stop();
  link.close();
});

test("R1: the durability verdict: only appendonly yes + appendfsync always keeps acknowledged-means-durable", () => {
  expect(judgeDurability("yes", "always")).toEqual({ ok: true, persistence: "saved" });
  expect(judgeDurability("yes", "everysec")).toMatchObject({ ok: false, persistence: "relaxed" });
  expect(judgeDurability("no", "always")).toMatchObject({ ok: false });
  expect(judgeDurability(null, null)).toMatchObject({ ok: false });
});
