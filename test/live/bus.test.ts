import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { EventBus, type Subscriber } from "../../src/live/bus.ts";
import { type Envelope, EventName, type LiveEvent } from "../../src/live/protocol.ts";

function item(path: string, version = 1): LiveEvent {
  return {
    type: EventName.itemUpdated,
    data: {
      path,
      version,
      star: null,
      tags: [],
      notes: "",
      metrics: {},
      flag: null,
      color: null,
      updated_at: "2026-11-22T00:00:00.000Z",
      updated_by: "test",
      client_id: null,
      changed_fields: ["star"],
    },
  };
}

function presence(viewing: number): LiveEvent {
  return {
    type: EventName.presence,
    data: { gallery_id: "/", viewing, editing: 0, names: [], sessions: viewing },
  };
}

/** Records what a subscriber is sent; can refuse after `limit` events. */
function recorder(limit = Number.POSITIVE_INFINITY) {
  const got: Envelope[] = [];
  const closed: string[] = [];
  const sub: Subscriber = {
    send(env) {
      if (got.length >= limit) return false;
      got.push(env);
      return true;
    },
    close(reason) {
      closed.push(reason);
    },
  };
  return { sub, got, closed, ids: () => got.map((e) => e.id) };
}

describe("event bus", () => {
  test("E1: ids increase by one per published event", () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    expect([bus.publish(item("/a")), bus.publish(item("/b")), bus.publish(item("/c"))]).toEqual([
      1, 2, 3,
    ]);
    expect(bus.lastId).toBe(3);
  });

  test("E3: a committed event waits for every lower reserved id, holes are skipped", () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const r = recorder();
    bus.subscribe(0, r.sub);
    const a = bus.reserve();
    const b = bus.reserve();
    const c = bus.reserve();
    bus.commit(c, item("/c"));
    bus.commit(b, item("/b"));
    expect(r.ids()).toEqual([]);
    expect(bus.lastId).toBe(0);
    bus.abandon(a);
    expect(r.ids()).toEqual([b, c]);
    expect(bus.lastId).toBe(c);
    expect(bus.replaySince(0)).toEqual({ kind: "replay", events: r.got });
  });

  test("E3: commit twice, commit unreserved and abandon after commit are refused or ignored", () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const id = bus.reserve();
    expect(() => bus.commit(id + 5, item("/x"))).toThrow();
    const blocker = bus.reserve();
    bus.commit(blocker, item("/b"));
    bus.abandon(blocker); // committed already: must not turn into a hole
    bus.commit(id, item("/a"));
    expect(() => bus.commit(id, item("/a"))).toThrow();
    expect(bus.replaySince(0)).toMatchObject({ kind: "replay", events: [{ id }, { id: blocker }] });
  });

  test("E3: a listener that publishes while delivering keeps every subscriber in id order", () => {
    const bus = new EventBus({ capacity: 10, firstId: 1 });
    const r = recorder();
    bus.subscribe(0, r.sub);
    bus.onEvent((env) => {
      if (env.event.type === EventName.itemUpdated) bus.publish(presence(env.id));
    });
    bus.publish(item("/a"));
    bus.publish(item("/b"));
    expect(r.ids()).toEqual([1, 2, 3, 4]);
    expect(r.got.map((e) => e.event.type)).toEqual([
      "item-updated",
      "presence",
      "item-updated",
      "presence",
    ]);
  });

  test("E12: a throwing listener or subscriber does not stop delivery to the others", () => {
    const errors: unknown[] = [];
    const bus = new EventBus({ capacity: 10, firstId: 1, onListenerError: (e) => errors.push(e) });
    bus.onEvent(() => {
      throw new Error("boom");
    });
    const bad: Subscriber = {
      send() {
        throw new Error("bad");
      },
      close() {},
    };
    const good = recorder();
    bus.subscribe(0, bad);
    bus.subscribe(0, good.sub);
    bus.publish(item("/a"));
    bus.publish(item("/b"));
    expect(good.ids()).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
    expect(bus.subscriberCount).toBe(1);
  });

  test("E4: replay returns exactly the ring's events after the id, across abandoned ids", () => {
    const bus = new EventBus({ capacity: 4, firstId: 1 });
    for (let i = 0; i < 6; i++) {
      const id = bus.reserve();
      if (i % 2) bus.abandon(id);
      else bus.commit(id, item(`/p${i}`));
    }
    // committed 1, 3, 5 then more: 7, 9, 11 -> ring (cap 4) after more publishes
    bus.publish(item("/q")); // 7
    bus.publish(item("/r")); // 8
    expect(bus.replaySince(8)).toEqual({ kind: "replay", events: [] });
    const ids = (r: ReturnType<EventBus["replaySince"]>) =>
      r.kind === "replay" ? r.events.map((e) => e.id) : r.reason;
    expect(ids(bus.replaySince(5))).toEqual([7, 8]);
    expect(ids(bus.replaySince(4))).toEqual([5, 7, 8]);
    // Ring holds 3, 5, 7, 8; event 1 was evicted, so ids 1 and 2 are covered, 0 is not.
    expect(ids(bus.replaySince(2))).toEqual([3, 5, 7, 8]);
    expect(ids(bus.replaySince(1))).toEqual([3, 5, 7, 8]);
    expect(ids(bus.replaySince(0))).toBe("too_old");
    expect(ids(bus.replaySince(9))).toBe("future");
    expect(ids(bus.replaySince(Number.NaN))).toBe("invalid");
    expect(ids(bus.replaySince(-1))).toBe("invalid");
  });

  test("E4: replay + live never gaps or repeats (model check over random schedules)", () => {
    type Op =
      | { kind: "reserve" }
      | { kind: "commit"; pick: number }
      | { kind: "abandon"; pick: number }
      | { kind: "subscribe"; back: number };
    const op = fc.oneof(
      fc.constant<Op>({ kind: "reserve" }),
      fc.nat(20).map<Op>((pick) => ({ kind: "commit", pick })),
      fc.nat(20).map<Op>((pick) => ({ kind: "abandon", pick })),
      fc.nat(12).map<Op>((back) => ({ kind: "subscribe", back })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 16 }), (ops, cap) => {
        const bus = new EventBus({ capacity: cap, firstId: 1 });
        const open: number[] = [];
        const committed: number[] = [];
        const clients: { from: number; got: number[] }[] = [];
        for (const o of ops) {
          if (o.kind === "reserve") open.push(bus.reserve());
          else if (o.kind === "commit" && open.length) {
            const [id] = open.splice(o.pick % open.length, 1);
            bus.commit(id, item(`/${id}`));
            committed.push(id);
          } else if (o.kind === "abandon" && open.length) {
            const [id] = open.splice(o.pick % open.length, 1);
            bus.abandon(id);
          } else if (o.kind === "subscribe") {
            const from = Math.max(0, bus.lastId - o.back);
            const got: number[] = [];
            const { replay } = bus.subscribe(from, {
              send: (env) => {
                got.push(env.id);
                return true;
              },
              close() {},
            });
            if (replay.kind === "resync") {
              expect(replay.reason).toBe("too_old");
              // Resync only when something after `from` really left the ring.
              const oldest = bus.oldestId ?? Number.POSITIVE_INFINITY;
              expect(committed.some((id) => id > from && id < oldest)).toBe(true);
              continue;
            }
            got.push(...replay.events.map((e) => e.id));
            clients.push({ from, got });
          }
        }
        for (const id of open) bus.abandon(id);
        const all = [...committed].sort((a, b) => a - b);
        for (const c of clients) expect(c.got).toEqual(all.filter((id) => id > c.from));
      }),
      { numRuns: 300 },
    );
  });

  test("E2/E6: a bus seeded at restart continues ids and replays only what the seed covers", () => {
    const before = new EventBus({ capacity: 100, firstId: 1 });
    for (let i = 0; i < 50; i++) before.publish(item(`/p${i}`, i + 1));
    const journalTail = before.replaySince(0);
    if (journalTail.kind !== "replay") throw new Error("unexpected");
    // As the server seeds it: ids resume after a persisted high-water mark, ring seeded from the journal tail.
    const seed = journalTail.events.slice(20); // ids 21..50 survive in the journal
    const after = new EventBus({ capacity: 100, firstId: 1001, seed });
    expect(after.lastId).toBe(1000);
    expect(after.bootId).toBe(1001);
    expect(after.publish(item("/new"))).toBe(1001);
    const r = after.replaySince(30);
    expect(r.kind === "replay" && r.events.map((e) => e.id)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => 31 + i),
      1001,
    ]);
    expect(after.replaySince(20)).toMatchObject({ kind: "replay" });
    expect(after.replaySince(19)).toEqual({ kind: "resync", reason: "restart" });
    expect(after.replaySince(1000)).toMatchObject({ kind: "replay", events: [{ id: 1001 }] });
    expect(after.replaySince(1002)).toEqual({ kind: "resync", reason: "future" });
  });

  test("E6: seed order and duplicates do not matter; seeded ids at or past firstId are ignored", () => {
    const env = (id: number): Envelope => ({ id, event: item(`/${id}`) });
    const bus = new EventBus({
      capacity: 3,
      firstId: 10,
      seed: [env(9), env(5), env(7), env(7), env(12)],
    });
    expect(bus.size).toBe(3);
    expect(bus.oldestId).toBe(5);
    const r = bus.replaySince(4);
    expect(r.kind === "replay" && r.events.map((e) => e.id)).toEqual([5, 7, 9]);
    expect(bus.replaySince(3)).toEqual({ kind: "resync", reason: "restart" });
    // A seed larger than the ring keeps the newest and knows the rest is gone.
    const big = new EventBus({ capacity: 2, firstId: 10, seed: [env(5), env(7), env(9)] });
    expect(big.replaySince(4)).toEqual({ kind: "resync", reason: "restart" });
    const kept = big.replaySince(5);
    expect(kept.kind === "replay" && kept.events.map((e) => e.id)).toEqual([7, 9]);
  });

  test("E6: after a restart, evicting the seed turns pre-restart ids into restart resyncs", () => {
    const seed: Envelope[] = [1, 2, 3].map((id) => ({ id, event: item(`/${id}`) }));
    const bus = new EventBus({ capacity: 3, firstId: 4, seed });
    bus.publish(item("/x"));
    bus.publish(item("/y"));
    expect(bus.replaySince(2)).toMatchObject({ kind: "replay" });
    bus.publish(item("/z"));
    expect(bus.replaySince(2)).toEqual({ kind: "resync", reason: "restart" });
    bus.publish(item("/w"));
    // The client had everything from before the restart; what it lacks now is this process's.
    expect(bus.replaySince(3)).toEqual({ kind: "resync", reason: "too_old" });
    expect(bus.replaySince(4)).toMatchObject({ kind: "replay" });
    bus.publish(item("/v"));
    expect(bus.replaySince(4)).toEqual({ kind: "resync", reason: "too_old" });
  });

  test("E9/E11: a subscriber that cannot keep up is dropped and counted; stats count misses", () => {
    const bus = new EventBus({ capacity: 2, firstId: 1 });
    const slow = recorder(1);
    const fast = recorder();
    bus.subscribe(null, slow.sub);
    bus.subscribe(null, fast.sub);
    for (let i = 0; i < 5; i++) bus.publish(item(`/${i}`));
    expect(slow.closed).toEqual(["backlog"]);
    expect(fast.ids()).toEqual([1, 2, 3, 4, 5]);
    bus.subscribe(1, recorder().sub); // too old
    bus.subscribe(99, recorder().sub); // future
    expect(bus.stats()).toMatchObject({
      subscribers: 3,
      capacity: 2,
      size: 2,
      oldestId: 4,
      lastId: 5,
      replayMissTotal: 1,
      backlogDropsTotal: 1,
      resyncTotal: { too_old: 1, future: 1, restart: 0, invalid: 0 },
    });
  });

  test("close() ends every subscriber once and refuses new ones", () => {
    const bus = new EventBus({ capacity: 2, firstId: 1 });
    const a = recorder();
    bus.subscribe(null, a.sub);
    bus.close();
    expect(a.closed).toEqual(["shutdown"]);
    const b = recorder();
    bus.subscribe(null, b.sub);
    expect(b.closed).toEqual(["shutdown"]);
    expect(bus.subscriberCount).toBe(0);
  });
});
