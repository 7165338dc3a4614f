/**
 * GET /events through a real Bun server and a real streaming fetch.
 */
import { afterEach, describe, expect, test } from "bun:test";
import net from "node:net";
import { Hono } from "hono";
import { EventBus } from "../../src/live/bus.ts";
import { MetricsCoalescer } from "../../src/live/metrics-coalescer.ts";
import { EventName, type LiveEvent, type ResyncRequired } from "../../src/live/protocol.ts";
import { MAX_BACKLOG_BYTES, MAX_BACKLOG_EVENTS } from "../../src/live/sse-stream.ts";
import { eventRoutes, eventStreamHealth, RETRY_MS } from "../../src/routes/events.ts";
import { type EventServer, startEventServer, waitFor } from "../helpers/event-server.ts";
import { connectSSE, type SSEClient, type SSEEvent } from "../helpers/sse-client.ts";

function item(path: string, notes = ""): LiveEvent {
  return {
    type: EventName.itemUpdated,
    data: {
      path,
      version: 2,
      star: 3,
      tags: ["a"],
      notes,
      metrics: {},
      flag: null,
      color: null,
      updated_at: "2026-11-22T00:00:00.000Z",
      updated_by: "Ana (k3f9)",
      client_id: "k3f9",
      changed_fields: ["star"],
    },
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function serve(bus: EventBus, opts: Parameters<typeof startEventServer>[1] = {}): EventServer {
  const srv = startEventServer(bus, opts);
  cleanups.push(() => srv.stop());
  return srv;
}

async function connect(
  url: string,
  opts: Parameters<typeof connectSSE>[1] = {},
): Promise<SSEClient> {
  const c = await connectSSE(url, opts);
  cleanups.push(() => c.close());
  return c;
}

const isData = (e: SSEEvent) => e.event !== EventName.resyncRequired;
const ids = (events: SSEEvent[]) => events.filter(isData).map((e) => Number(e.id));

describe("GET /events", () => {
  test("E1/E7/E8: headers, retry hint, hello comment, then framed events with id, event and compact JSON", async () => {
    const bus = new EventBus({ capacity: 100, firstId: 1 });
    bus.publish(item("/a.jpg"));
    const srv = serve(bus);
    const sse = await connect(srv.url, { lastEventId: 1 });
    expect(sse.response.status).toBe(200);
    expect(sse.response.headers.get("content-type")).toBe("text/event-stream");
    expect(sse.response.headers.get("cache-control")).toBe("no-cache");
    expect(sse.response.headers.get("x-accel-buffering")).toBe("no");
    await sse.nextComment((c) => c.startsWith("hello"));
    expect(sse.retry).toBe(RETRY_MS);
    expect(sse.comments[0]).toBe("hello last_event_id=1 boot_id=1");

    bus.publish(item("/b.jpg", "line one\nline two"));
    const ev = await sse.next();
    expect(ev.id).toBe("2");
    expect(ev.event).toBe("item-updated");
    expect(ev.json).toEqual(item("/b.jpg", "line one\nline two").data);
    expect(ev.data).toBe(JSON.stringify(ev.json));
    expect(ev.data.includes("\n")).toBe(false);
  });

  test("E7: without a Bun server (app.request) the stream works; retry, hello, then the replay, in that order", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    bus.publish(item("/a.jpg"));
    bus.publish(item("/b.jpg"));
    const app = new Hono().route("/", eventRoutes({ bus }));
    const res = await app.request("/events?last_event_id=1");
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("id: 2\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
    expect(
      text.startsWith(
        `retry: ${RETRY_MS}\n\n: hello last_event_id=2 boot_id=1\n\nid: 2\nevent: item-updated\ndata: {`,
      ),
    ).toBe(true);
    await waitFor(() => bus.subscriberCount === 0, 2000, "unsubscribed after cancel");
  });

  test("E1: ids on the stream strictly increase, across event types", async () => {
    const bus = new EventBus({ capacity: 100, firstId: 1 });
    const srv = serve(bus);
    const sse = await connect(`${srv.url}?last_event_id=0`);
    for (let i = 0; i < 20; i++) {
      bus.publish(
        i % 3
          ? item(`/${i}.jpg`)
          : {
              type: EventName.presence,
              data: { gallery_id: "/", viewing: i, editing: 0, names: [], sessions: i },
            },
      );
    }
    await sse.next((e) => e.id === "20");
    const seen = ids(sse.events);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test("E4: replay from the Last-Event-ID header, then live", async () => {
    const bus = new EventBus({ capacity: 100, firstId: 1 });
    for (let i = 0; i < 10; i++) bus.publish(item(`/${i}.jpg`));
    const srv = serve(bus);
    const sse = await connect(srv.url, { lastEventId: 6 });
    await sse.next((e) => e.id === "10");
    bus.publish(item("/live.jpg"));
    await sse.next((e) => e.id === "11");
    expect(ids(sse.events)).toEqual([7, 8, 9, 10, 11]);
    expect(sse.events.some((e) => e.event === EventName.resyncRequired)).toBe(false);
  });

  test("E4: replay from ?last_event_id=, and the header wins when both are sent", async () => {
    const bus = new EventBus({ capacity: 100, firstId: 1 });
    for (let i = 0; i < 10; i++) bus.publish(item(`/${i}.jpg`));
    const srv = serve(bus);
    const byQuery = await connect(`${srv.url}?last_event_id=8`);
    await byQuery.next((e) => e.id === "10");
    expect(ids(byQuery.events)).toEqual([9, 10]);
    const both = await connect(`${srv.url}?last_event_id=2`, { lastEventId: 7 });
    await both.next((e) => e.id === "10");
    expect(ids(both.events)).toEqual([8, 9, 10]);
    const emptyHeader = await connect(`${srv.url}?last_event_id=9`, { lastEventId: "" });
    await emptyHeader.next((e) => e.id === "10");
    expect(ids(emptyHeader.events)).toEqual([10]);
  });

  test("E4: no gap and no duplicate between replay and live while events are published concurrently", async () => {
    const bus = new EventBus({ capacity: 5000, firstId: 1 });
    const srv = serve(bus);
    const committed: number[] = [];
    let publishing = true;
    // Publisher: runs on its own between the clients' connects, with holes and out-of-order commits.
    const publisher = (async () => {
      let n = 0;
      while (publishing) {
        const a = bus.reserve();
        const b = bus.reserve();
        const c = bus.reserve();
        bus.commit(c, item(`/c${n}`));
        bus.abandon(b);
        bus.commit(a, item(`/a${n}`));
        committed.push(a, c);
        n++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const clients: { from: number; sse: SSEClient }[] = [];
    for (let i = 0; i < 25; i++) {
      await waitFor(() => bus.lastId > 30 * (i + 1), 5000, "publisher progress");
      const from = bus.lastId - ((i * 7) % 25);
      clients.push({ from, sse: await connect(srv.url, { lastEventId: from }) });
    }
    publishing = false;
    await publisher;
    const last = bus.lastId;
    for (const { from, sse } of clients) {
      await sse.next((e) => Number(e.id) === last, 10_000);
      const expected = [...committed].sort((x, y) => x - y).filter((id) => id > from);
      expect(ids(sse.events)).toEqual(expected);
    }
  });

  test("E5: an id older than the ring → one resync-required carrying the current id, then live events", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    for (let i = 0; i < 30; i++) bus.publish(item(`/${i}.jpg`));
    const srv = serve(bus);
    const old = await connect(srv.url, { lastEventId: 19 });
    const ev = await old.next();
    expect(ev.event).toBe("resync-required");
    expect(ev.id).toBe("30");
    expect(ev.json as ResyncRequired).toEqual({ reason: "too_old", last_event_id: 30 });
    bus.publish(item("/next.jpg"));
    expect((await old.next()).id).toBe("31");

    // The ring (10 events) now holds 22..31: 21 is the oldest id it still covers.
    const edge = await connect(srv.url, { lastEventId: 21 });
    await edge.next((e) => e.id === "31");
    expect(ids(edge.events)).toEqual([22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(eventStreamHealth(bus)).toMatchObject({ replay_miss_total: 1, connected: 2 });
  });

  test("E5: a future id, a non-numeric id and no id each get resync-required", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    for (let i = 0; i < 3; i++) bus.publish(item(`/${i}.jpg`));
    const srv = serve(bus);
    for (const [lastEventId, reason] of [
      [99, "future"],
      ["abc", "invalid"],
      [undefined, "no_id"],
    ] as const) {
      const sse = await connect(srv.url, { lastEventId });
      const ev = await sse.next();
      expect(ev.event).toBe("resync-required");
      expect(ev.id).toBe("3");
      expect(ev.json).toEqual({ reason, last_event_id: 3 });
      sse.close();
    }
    // A client that resyncs and reconnects with the id it was given gets nothing twice.
    const again = await connect(srv.url, { lastEventId: 3 });
    bus.publish(item("/later.jpg"));
    expect((await again.next()).id).toBe("4");
    expect(again.events).toHaveLength(1);
  });

  test("E2/E6: restart continuity: ids continue, seeded events replay, ids the seed lost resync", async () => {
    // The first process: events 1..40, all item changes (journaled).
    const first = new EventBus({ capacity: 100, firstId: 1 });
    for (let i = 0; i < 40; i++) first.publish(item(`/${i}.jpg`));
    const tail = first.replaySince(0);
    if (tail.kind !== "replay") throw new Error("unexpected");
    // The restarted server: firstId after the persisted high-water mark, seed = journal tail (ids 11..40).
    const bus = new EventBus({ capacity: 100, firstId: 1001, seed: tail.events.slice(10) });
    const srv = serve(bus);
    const resumed = await connect(srv.url, { lastEventId: 35 });
    await resumed.next((e) => e.id === "40");
    bus.publish(item("/after.jpg"));
    await resumed.next((e) => e.id === "1001");
    expect(ids(resumed.events)).toEqual([36, 37, 38, 39, 40, 1001]);

    const lost = await connect(srv.url, { lastEventId: 5 });
    const ev = await lost.next();
    expect(ev.json).toEqual({ reason: "restart", last_event_id: 1001 });
    expect(ev.id).toBe("1001");
  });

  test("E8: a comment heartbeat arrives at the configured interval", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const srv = serve(bus, { heartbeatMs: 30 });
    const sse = await connect(srv.url, { lastEventId: 0 });
    await sse.nextComment((c) => c === "ping", 2000);
    const before = sse.comments.filter((c) => c === "ping").length;
    await waitFor(
      () => sse.comments.filter((c) => c === "ping").length >= before + 2,
      2000,
      "pings",
    );
    expect(sse.events).toHaveLength(0);
  });

  test("E8: Bun's idle timeout is off for the stream (a control stream without it is closed)", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const srv = serve(bus, {
      idleTimeout: 1,
      heartbeatMs: 3_600_000,
      extra: (app) =>
        app.get("/control", () => {
          const body = new ReadableStream({
            start: (c) => c.enqueue(new TextEncoder().encode(": open\n\n")),
          });
          return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
        }),
    });
    const sse = await connect(srv.url, { lastEventId: 0 });
    const control = await connect(`${srv.base}/control`);
    await control.nextComment((c) => c === "open");
    // Bun drops the control after ~1-4 s without bytes; our stream sat just as idle.
    await control.ended;
    expect(sse.isEnded).toBe(false);
    bus.publish(item("/late.jpg"));
    expect((await sse.next()).id).toBe("1");
  }, 20_000);

  test("E9: a client that never reads is cut off at the backlog cap; a reading client gets every event", async () => {
    const bus = new EventBus({ capacity: 100, firstId: 1 });
    const srv = serve(bus, { jammedTimeoutS: 1 });
    // The stalled client: sends the request on a raw socket, then never reads.
    const sock = net.connect(srv.server.port!, "127.0.0.1");
    cleanups.push(() => sock.destroy());
    sock.pause();
    sock.write(`GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 0\r\n\r\n`);
    await waitFor(() => srv.streams.length === 1, 5000, "stalled stream");
    const stalled = srv.streams[0]!;
    const reader = await connect(srv.url, { lastEventId: 0 });
    await waitFor(() => bus.subscriberCount === 2, 5000, "reader subscribed");

    const notes = "x".repeat(2000);
    let maxBytes = 0;
    let maxEvents = 0;
    let published = 0;
    while (!stalled.ended && published < 50_000) {
      for (let i = 0; i < 50; i++, published++) bus.publish(item(`/${published}.jpg`, notes));
      maxBytes = Math.max(maxBytes, stalled.backlogBytes);
      maxEvents = Math.max(maxEvents, stalled.backlogEvents);
      await new Promise((r) => setImmediate(r));
    }
    expect(stalled.endedBecause).toBe("backlog");
    expect(maxBytes).toBeLessThanOrEqual(MAX_BACKLOG_BYTES + 4096);
    expect(maxEvents).toBeLessThanOrEqual(MAX_BACKLOG_EVENTS + 1);
    expect(stalled.backlogBytes).toBe(0);
    expect(bus.subscriberCount).toBe(1);
    expect(bus.stats().backlogDropsTotal).toBe(1);

    bus.publish(item("/final.jpg"));
    const last = bus.lastId;
    await reader.next((e) => Number(e.id) === last, 10_000);
    expect(ids(reader.events)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // The jammed request itself is given up by the server (idle timeout given back), freeing its buffers.
    expect(srv.server.pendingRequests).toBe(2);
    await waitFor(() => srv.server.pendingRequests === 1, 15_000, "jammed request released");
    expect(reader.isEnded).toBe(false);
  }, 30_000);

  test("E9: a closed client is unsubscribed from the bus", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const srv = serve(bus);
    const sse = await connect(srv.url, { lastEventId: 0 });
    await waitFor(() => bus.subscriberCount === 1, 2000, "subscribed");
    sse.close();
    await waitFor(() => bus.subscriberCount === 0, 3000, "unsubscribed");
    expect(srv.streams[0]!.endedBecause).toBe("client");
  });

  test("E10: 100,000 metric changes reach a client as a few metrics-updated events", async () => {
    const bus = new EventBus({ capacity: 100, firstId: 1 });
    const co = new MetricsCoalescer({ bus });
    cleanups.push(() => co.stop());
    const srv = serve(bus);
    const sse = await connect(srv.url, { lastEventId: 0 });
    await waitFor(() => bus.subscriberCount === 1, 2000, "subscribed");
    for (let i = 0; i < 100_000; i++) {
      co.add(`/img${i}.jpg`, 2, { score: i / 100_000 });
      if (i % 20_000 === 0) await new Promise((r) => setImmediate(r));
    }
    let total = 0;
    while (total < 100_000) {
      const ev = await sse.next((e) => e.event === EventName.metricsUpdated, 5000);
      total += (ev.json as { count: number }).count;
    }
    expect(total).toBe(100_000);
    expect(sse.events.length).toBeLessThanOrEqual(5);
  });

  test("bus shutdown ends every stream cleanly", async () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const srv = serve(bus);
    const a = await connect(srv.url, { lastEventId: 0 });
    const b = await connect(srv.url, { lastEventId: 0 });
    await waitFor(() => bus.subscriberCount === 2, 2000, "subscribed");
    bus.close();
    await Promise.all([a.ended, b.ended]);
    expect(srv.streams.map((s) => s.endedBecause)).toEqual(["shutdown", "shutdown"]);
  });
});
