import { afterEach, describe, expect, test } from "bun:test";
import { Config } from "../../src/config.ts";
import {
  createPresenceTracker,
  type PresenceService,
  startPresenceService,
} from "../../src/presence/service.ts";
import { ManualTimers } from "../helpers/timers.ts";
import { FakeClock, newBus, observedTracker, presenceEvents } from "./helpers.ts";

const VIEW = 75_000;
const EDIT = 60_000;
/** Between prune passes; the manual timers run them as the test moves time. */
const LOOP_MS = 1_000;

let service: PresenceService | null = null;
afterEach(() => {
  service?.stop();
  service = null;
});

function setup() {
  // One time for the tracker's clock and the prune loop: advancing it runs the passes that fall due.
  const timers = new ManualTimers();
  timers.now = 1_000_000;
  const clock = new FakeClock(timers.now);
  clock.now = () => timers.now;
  const tracker = observedTracker(clock, { viewTtlMs: VIEW, editTtlMs: EDIT });
  const bus = newBus();
  const events = presenceEvents(bus);
  service = startPresenceService({ tracker, bus, pruneIntervalMs: LOOP_MS, timers });
  return { timers, tracker, bus, events };
}

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("prune loop", () => {
  test("P7: a tab that vanished is removed after view_ttl by the loop alone, and published", async () => {
    const { timers, tracker, events } = setup();
    ok(tracker.join("/a", "gone"));
    ok(tracker.join("/a", "stays"));
    await events.next((c) => c.viewing === 2);
    const joinedAt = timers.now;
    for (;;) {
      // Keep the live tab alive, as its heartbeat would.
      if ((timers.now - joinedAt) % 30_000 === 0) ok(tracker.join("/a", "stays", null, "lease-2"));
      timers.advance(5_000);
      if (tracker.counts("/a").viewing === 1) break;
      expect(timers.now - joinedAt).toBeLessThan(VIEW);
    }
    // Gone exactly when view_ttl is reached: within view_ttl + one prune interval.
    expect(timers.now - joinedAt).toBe(VIEW);
    const published = await events.next();
    expect(published).toEqual({ gallery_id: "/a", viewing: 1, editing: 0, names: [], sessions: 1 });
    expect(tracker.diagnostics().stale_pruned_total).toBe(1);
  });

  test("P7: nothing is published by a prune pass that changes nothing", async () => {
    const { timers, tracker, events } = setup();
    ok(tracker.join("/a", "t1"));
    await events.next();
    const before = events.seen.length;
    const passes = tracker.pruneCalls;
    timers.advance(5_000);
    expect(tracker.pruneCalls - passes).toBe(5);
    expect(events.seen.length).toBe(before);
  });

  test("P8: an edit expiring after edit_ttl is published by the loop", async () => {
    const { timers, tracker, events } = setup();
    ok(tracker.join("/a", "t1"));
    tracker.touchEdit("t1", "/a");
    await events.next((c) => c.editing === 1);
    timers.advance(EDIT - 1);
    expect(tracker.counts("/a").editing).toBe(1);
    timers.advance(1);
    const after = await events.next();
    expect(after).toEqual({ gallery_id: "/a", viewing: 1, editing: 0, names: [], sessions: 1 });
  });

  test("P9: an explicit leave is published before the call returns", () => {
    const { tracker, events } = setup();
    const { leaseId } = ok(tracker.join("/a", "t1"));
    ok(tracker.leave("/a", "t1", leaseId));
    expect(events.seen.map((e) => e.counts.viewing)).toEqual([1, 0]);
  });

  test("P9: stop() ends the publishing; a second stop is harmless", () => {
    const { tracker, events } = setup();
    ok(tracker.join("/a", "t1"));
    service?.stop();
    service?.stop();
    ok(tracker.join("/b", "t2"));
    expect(events.seen.map((e) => e.counts.gallery_id)).toEqual(["/a"]);
  });
});

test("P12: createPresenceTracker takes the CLI's settings", () => {
  const config = Config.parse({
    root: "/tmp",
    workspace: "/tmp",
    canWrite: false,
    viewTtlMs: 9_000,
    editTtlMs: 4_000,
    presenceLifecycleV2: false,
  });
  const tracker = createPresenceTracker(config);
  expect(tracker.viewTtlMs).toBe(9_000);
  expect(tracker.editTtlMs).toBe(4_000);
  expect(tracker.lifecycleV2).toBe(false);
});
