import { describe, expect, test } from "bun:test";
import { EventBus } from "../../src/live/bus.ts";
import {
  METRICS_MAX_ITEMS,
  METRICS_WINDOW_MS,
  MetricsCoalescer,
  unannouncedMetrics,
} from "../../src/live/metrics-coalescer.ts";
import { type Envelope, EventName, type MetricsUpdated } from "../../src/live/protocol.ts";
import { ManualTimers } from "../helpers/timers.ts";

function setup(opts: { maxItems?: number } = {}) {
  const bus = new EventBus({ capacity: 1000, firstId: 1 });
  const timers = new ManualTimers();
  const clock = { timers, advance: (ms: number) => timers.advance(ms), pending: () => timers.size };
  const events: Envelope[] = [];
  bus.onEvent((env) => events.push(env));
  const co = new MetricsCoalescer({ bus, timers: clock.timers, ...opts });
  const metrics = () =>
    events
      .filter((e) => e.event.type === EventName.metricsUpdated)
      .map((e) => e.event.data as MetricsUpdated);
  return { bus, clock, co, events, metrics };
}

describe("metrics coalescer", () => {
  test("E10: changes within one window go out as one metrics-updated event, after the window", () => {
    const { clock, co, metrics } = setup();
    co.add("/a.jpg", 2, { score: 0.5 });
    co.add("/b.jpg", 2, { score: 0.7 });
    co.add("/a.jpg", 3, { score: 0.9 });
    clock.advance(METRICS_WINDOW_MS - 1);
    expect(metrics()).toHaveLength(0);
    clock.advance(1);
    expect(metrics()).toEqual([
      {
        items: [
          { path: "/a.jpg", version: 3, metrics: { score: 0.9 } },
          { path: "/b.jpg", version: 2, metrics: { score: 0.7 } },
        ],
        count: 2,
        truncated: false,
      },
    ]);
    expect(clock.pending()).toBe(0);
  });

  test("E10: 100,000 scores pushed across a few windows make a few events, capped and marked truncated", () => {
    const { clock, co, metrics } = setup();
    for (let i = 0; i < 100_000; i++) {
      co.add(`/img${i}.jpg`, 2, { score: i });
      if (i % 25_000 === 24_999) clock.advance(METRICS_WINDOW_MS);
    }
    clock.advance(METRICS_WINDOW_MS);
    const evs = metrics();
    expect(evs).toHaveLength(4);
    for (const ev of evs) {
      expect(ev.count).toBe(25_000);
      expect(ev.truncated).toBe(true);
      expect(ev.items).toHaveLength(METRICS_MAX_ITEMS);
    }
  });

  test("E10: an older version never replaces a newer pending one", () => {
    const { clock, co, metrics } = setup();
    co.add("/a.jpg", 5, { s: 5 });
    co.add("/a.jpg", 4, { s: 4 });
    clock.advance(METRICS_WINDOW_MS);
    expect(metrics()[0]!.items).toEqual([{ path: "/a.jpg", version: 5, metrics: { s: 5 } }]);
  });

  test("E10: a later item-updated for the same item supersedes its pending metrics", () => {
    const { bus, clock, co, metrics } = setup();
    co.add("/a.jpg", 2, { s: 1 });
    co.add("/b.jpg", 2, { s: 1 });
    bus.publish({
      type: EventName.itemUpdated,
      data: {
        path: "/a.jpg",
        version: 3,
        star: 4,
        tags: [],
        notes: "",
        metrics: { s: 1 },
        flag: null,
        color: null,
        updated_at: null,
        updated_by: null,
        client_id: null,
        changed_fields: ["star"],
      },
    });
    clock.advance(METRICS_WINDOW_MS);
    expect(metrics()[0]!.items.map((i) => i.path)).toEqual(["/b.jpg"]);
  });

  test("E10: flush() publishes now, stop() flushes and ignores later changes", () => {
    const { clock, co, metrics } = setup({ maxItems: 1 });
    expect(co.flush()).toBeNull();
    co.add("/a.jpg", 2, { s: 1 });
    co.add("/b.jpg", 2, { s: 1 });
    expect(co.flush()).toBe(1);
    expect(metrics()[0]).toMatchObject({ count: 2, truncated: true });
    expect(clock.pending()).toBe(0);
    co.add("/c.jpg", 2, { s: 1 });
    co.stop();
    co.add("/d.jpg", 2, { s: 1 });
    clock.advance(10 * METRICS_WINDOW_MS);
    expect(metrics().map((m) => m.items.map((i) => i.path))).toEqual([["/a.jpg"], ["/c.jpg"]]);
  });

  test("E6: metric-only changes from the last window before a crash are found for re-announcing", () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 22) + ms).toISOString();
    const env = (
      id: number,
      path: string,
      ms: number,
      fields: ("metrics" | "star")[],
    ): Envelope => ({
      id,
      event: {
        type: EventName.itemUpdated,
        data: {
          path,
          version: id,
          star: null,
          tags: [],
          notes: "",
          metrics: { s: id },
          flag: null,
          color: null,
          updated_at: at(ms),
          updated_by: null,
          client_id: null,
          changed_fields: fields,
        },
      },
    });
    const seed = [
      env(1, "/old.jpg", 0, ["metrics"]), // long before the end: announced for sure
      env(2, "/a.jpg", 60_000, ["metrics"]),
      env(3, "/b.jpg", 60_100, ["metrics"]),
      env(4, "/b.jpg", 60_200, ["star"]), // supersedes /b.jpg's metric change
      env(5, "/c.jpg", 60_300, ["metrics"]),
    ];
    expect(unannouncedMetrics(seed).map((i) => [i.path, i.version])).toEqual([
      ["/a.jpg", 2],
      ["/c.jpg", 5],
    ]);
    expect(unannouncedMetrics([])).toEqual([]);

    const { clock, co, metrics } = setup();
    expect(co.reannounce(seed)).toBe(2);
    clock.advance(METRICS_WINDOW_MS);
    expect(metrics()[0]!.items.map((i) => i.path)).toEqual(["/a.jpg", "/c.jpg"]);
  });
});
