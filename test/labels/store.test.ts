/**
 * LabelStore on a real temp workspace: fault injection for append and fsync,
 * per-item atomicity under concurrency, group commit across items, memory mode.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { type FaultOp, type FaultSource, FaultSwitch } from "../../src/labels/faults.ts";
import { PersistenceError } from "../../src/labels/journal-writer.ts";
import { JOURNAL_FILE } from "../../src/labels/recovery.ts";
import { LabelStore, type LabelStoreOptions } from "../../src/labels/store.ts";
import { EventBus } from "../../src/live/bus.ts";
import type { Envelope } from "../../src/live/protocol.ts";
import { CapturingLog, cleanupTempDirs, ctx, tempDir, until } from "./helpers.ts";

afterAll(cleanupTempDirs);

/** Counts the disk operations the store asks for (each asks the fault source once), optionally failing some. */
class CountingFaults implements FaultSource {
  readonly counts: Record<FaultOp, number> = { append: 0, fsync: 0, snapshot: 0 };
  readonly sw = new FaultSwitch();
  check(op: FaultOp): string | null {
    this.counts[op]++;
    return this.sw.check(op);
  }
}

async function open(opts: Partial<LabelStoreOptions> = {}) {
  const dir = opts.dir === undefined ? tempDir() : opts.dir;
  const log = new CapturingLog();
  const store = await LabelStore.open({
    mode: "strict",
    log,
    snapshotOnClose: false,
    ...opts,
    dir,
  });
  const bus = new EventBus({ capacity: 1000, firstId: store.firstEventId() });
  const events: Envelope[] = [];
  bus.onEvent((e) => events.push(e));
  store.attach(bus);
  return { dir, store, bus, log, events };
}

const star = (path: string, value: number, base: number | null) =>
  ({ path, fields: { set_star: value }, baseVersion: base }) as const;

describe("failure of the disk", () => {
  for (const op of ["append", "fsync"] as const) {
    test(`J4: ${op} failure → PersistenceError, memory unchanged, no event, state failed; heals by itself`, async () => {
      const faults = new CountingFaults();
      const { dir, store, events, log } = await open({ faults });
      await store.patch(star("/a.jpg", 2, 1), ctx());
      const before = store.get("/a.jpg");
      const rev = store.revision;
      const eventsBefore = events.length;

      faults.sw.fail(op, "ENOSPC");
      const key = `k-${op}`;
      await expect(store.patch(star("/a.jpg", 5, 2), ctx(key))).rejects.toBeInstanceOf(
        PersistenceError,
      );
      expect(store.get("/a.jpg")).toEqual(before);
      expect(store.revision).toBe(rev);
      expect(store.health().state).toBe("failed");
      expect(store.health().last_error).toContain("ENOSPC");
      expect(log.has(/error labels: cannot write the journal/)).toBe(true);
      // The only new event says persistence failed; the write itself published nothing.
      const newEvents = events.slice(eventsBefore);
      expect(newEvents.map((e) => e.event.type)).toEqual(["persistence"]);
      expect(newEvents[0].event.data).toMatchObject({ state: "failed", durability: "strict" });
      // Writes to other items fail too while the disk is broken.
      await expect(store.patch(star("/b.jpg", 1, 1), ctx())).rejects.toBeInstanceOf(
        PersistenceError,
      );

      faults.sw.clear();
      // The probe notices by itself that the disk works again.
      await until(() => store.health().state === "saved", 5000, "state saved");
      expect(events.at(-1)?.event).toMatchObject({ type: "persistence", data: { state: "saved" } });
      // The retry with the same key is applied now, once.
      const retry = await store.patch(star("/a.jpg", 5, 2), ctx(key));
      expect(retry.outcome.kind).toBe("applied");
      expect(store.get("/a.jpg").version).toBe(3);
      await store.close();

      // On disk: exactly the acknowledged writes, no torn garbage from the failed append.
      const again = await open({ dir });
      expect(again.store.get("/a.jpg")).toMatchObject({ star: 5, version: 3 });
      expect(again.store.get("/b.jpg").version).toBe(1);
      expect(again.log.has(/torn/)).toBe(false);
      await again.store.close();
    });
  }

  test("J4: writes succeed again at once when the disk comes back, without waiting for the probe", async () => {
    const faults = new CountingFaults();
    const { store } = await open({ faults });
    faults.sw.fail("append", "EIO");
    await expect(store.patch(star("/a.jpg", 1, 1), ctx())).rejects.toBeInstanceOf(PersistenceError);
    faults.sw.clear();
    const ok = await store.patch(star("/a.jpg", 1, 1), ctx());
    expect(ok.outcome.kind).toBe("applied");
    expect(store.health().state).toBe("saved");
    await store.close();
  });
});

describe("concurrency", () => {
  test("L15: concurrent writes with the same base on one item: exactly one wins", async () => {
    const { store } = await open();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.patch(star("/x.jpg", i % 6, 1), ctx())),
    );
    const kinds = results.map((r) => r.outcome.kind);
    const applied = kinds.filter((k) => k === "applied").length;
    const noop = kinds.filter((k) => k === "noop").length;
    expect(applied).toBe(1);
    expect(applied + noop + kinds.filter((k) => k === "conflict").length).toBe(30);
    // A no-op can only come from a later patch seeing the same star... at base 1 it would be a conflict.
    expect(noop).toBe(0);
    expect(store.get("/x.jpg").version).toBe(2);
    await store.close();
  });

  test("L15: concurrent commuting patches on one item all land, each bumping the version once", async () => {
    const { store, dir } = await open();
    const n = 50;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.patch({ path: "/x.jpg", fields: { add_tags: [`t${i}`] }, baseVersion: 1 }, ctx()),
      ),
    );
    const s = store.get("/x.jpg");
    expect(s.version).toBe(n + 1);
    expect(new Set(s.tags)).toEqual(new Set(Array.from({ length: n }, (_, i) => `t${i}`)));
    await store.close();
    const again = await open({ dir });
    expect(again.store.get("/x.jpg")).toEqual(s);
    await again.store.close();
  });

  test("J2: writes to different items proceed in parallel and share fsyncs", async () => {
    const faults = new CountingFaults();
    const { store } = await open({ faults });
    await store.patch(star("/warm.jpg", 1, 1), ctx());
    const before = faults.counts.fsync;
    const n = 200;
    await Promise.all(
      Array.from({ length: n }, (_, i) => store.patch(star(`/p${i}.jpg`, 3, 1), ctx())),
    );
    const used = faults.counts.fsync - before;
    expect(used).toBeLessThan(n / 4);
    for (let i = 0; i < n; i++) expect(store.get(`/p${i}.jpg`).version).toBe(2);
    await store.close();
  });

  test("L14: events come out in id order, each after its write is visible", async () => {
    const { store, events } = await open();
    const seen: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.patch(
          { path: `/q${i % 5}.jpg`, fields: { add_tags: [`t${i}`] }, baseVersion: null },
          ctx(),
        ),
      ),
    );
    const ids = events.filter((e) => e.event.type === "item-updated").map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const e of events) {
      if (e.event.type !== "item-updated") continue;
      seen.push(e.event.data.path);
      expect(store.get(e.event.data.path).version).toBeGreaterThanOrEqual(e.event.data.version);
    }
    expect(seen.length).toBe(40);
    await store.close();
  });
});

describe("snapshots under load", () => {
  test("J5: snapshots and compaction while writers keep writing lose nothing and apply nothing twice", async () => {
    const { store, dir } = await open({ snapshotEvery: 40 });
    const writers = 16;
    const perWriter = 60;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const path = `/s${(w + i) % 7}.jpg`;
          await store.patch(
            { path, fields: { add_tags: [`w${w}-${i}`] }, baseVersion: null },
            ctx(),
          );
          if (i % 20 === 0) void store.snapshot();
        }
      }),
    );
    const before = new Map([...store.entries()]);
    expect(store.health().last_snapshot_at).not.toBeNull();
    await store.close();
    const again = await open({ dir });
    let tags = 0;
    for (const [path, rec] of before) {
      const got = again.store.get(path);
      expect(got).toEqual(rec);
      expect(got.version).toBe(got.tags.length + 1);
      tags += got.tags.length;
    }
    expect(tags).toBe(writers * perWriter);
    await again.store.close();
  });
});

describe("modes", () => {
  test("W2: memory mode writes no files and says so", async () => {
    const dir = tempDir();
    const log = new CapturingLog();
    const store = await LabelStore.open({ dir: null, mode: "memory", log });
    const bus = new EventBus({ capacity: 10, firstId: store.firstEventId() });
    store.attach(bus);
    const r = await store.patch(star("/a.jpg", 4, 1), ctx());
    expect(r.outcome.kind === "applied" && r.outcome.persistence).toBe("memory");
    expect(store.get("/a.jpg").star).toBe(4);
    expect(store.health()).toMatchObject({
      durability: "memory",
      state: "disabled",
      journal: { path: null, bytes: 0 },
      snapshot: { path: null, bytes: 0 },
    });
    expect(fs.readdirSync(dir)).toEqual([]);
    await store.close();
  });

  test("J3: relaxed mode answers 'relaxed' and its writes survive a clean restart", async () => {
    const { store, dir } = await open({ mode: "relaxed" });
    const r = await store.patch(star("/a.jpg", 4, 1), ctx());
    expect(r.outcome.kind === "applied" && r.outcome.persistence).toBe("relaxed");
    expect(store.health().durability).toBe("relaxed");
    await store.close();
    expect(fs.readFileSync(`${dir}/${JOURNAL_FILE}`, "utf8")).toContain('"ps":"relaxed"');
    const again = await open({ dir });
    expect(again.store.get("/a.jpg").star).toBe(4);
    await again.store.close();
  });

  test("L14: metric-only writes go to onMetricsChanged, not item-updated", async () => {
    const dir = tempDir();
    const store = await LabelStore.open({ dir, mode: "strict", log: new CapturingLog() });
    const bus = new EventBus({ capacity: 10, firstId: store.firstEventId() });
    const events: Envelope[] = [];
    bus.onEvent((e) => events.push(e));
    const changed: [string, number, Record<string, number>][] = [];
    store.attach(bus, { onMetricsChanged: (p, v, m) => changed.push([p, v, m]) });
    const m = await store.patch(
      { path: "/a.jpg", fields: { set_metrics: { s: 0.5 } }, baseVersion: null },
      ctx(),
    );
    await store.patch({ path: "/a.jpg", fields: { set_star: 2 }, baseVersion: 2 }, ctx());
    expect(changed).toEqual([["/a.jpg", 2, { s: 0.5 }]]);
    expect(events.map((e) => e.event.type)).toEqual(["item-updated"]);
    // The metric-only write reserved (and journaled) an id that became a hole on the bus.
    const metricsId = m.outcome.kind === "applied" ? m.outcome.event_id : -1;
    expect(metricsId).toBeGreaterThan(0);
    expect(events[0].id).toBeGreaterThan(metricsId);
    expect(bus.lastId).toBe(events[0].id);
    await store.close();
  });
});
