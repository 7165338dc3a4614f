/**
 * Turns a flood of metric-only changes into a few `metrics-updated` events:
 * changes collect for one window, then go out as one event holding up to
 * `maxItems` items (latest version per path) and the total count. A script
 * pushing 100,000 scores makes a handful of events, not 100,000.
 *
 * The label store calls `add` (its `onMetricsChanged` hook) after a metric-only
 * write is durable (its journal id is abandoned on the bus); everything else is
 * published as `item-updated` by the store itself.
 */
import { realTimers, type Timers } from "../core/timers.ts";
import type { EventBus } from "./bus.ts";
import { type Envelope, EventName, type LiveEvent, type MetricsUpdated } from "./protocol.ts";

export const METRICS_WINDOW_MS = 250;
export const METRICS_MAX_ITEMS = 200;

export interface MetricsCoalescerOptions {
  /** Where events go; its item-updated events supersede pending metric changes. */
  bus: Pick<EventBus, "publish" | "onEvent">;
  windowMs?: number;
  maxItems?: number;
  timers?: Timers;
}

type Item = MetricsUpdated["items"][number];

export class MetricsCoalescer {
  private readonly windowMs: number;
  private readonly maxItems: number;
  private readonly timers: Timers;
  /** Latest pending change per path, in first-changed order. */
  private readonly pending = new Map<string, Item>();
  /** Cancels the pending window, while one is open. */
  private timer: (() => void) | null = null;
  private stopped = false;
  private readonly bus: Pick<EventBus, "publish">;
  private readonly stopListening: () => void;

  constructor(opts: MetricsCoalescerOptions) {
    this.bus = opts.bus;
    this.windowMs = opts.windowMs ?? METRICS_WINDOW_MS;
    this.maxItems = opts.maxItems ?? METRICS_MAX_ITEMS;
    this.timers = opts.timers ?? realTimers;
    // A later item-updated carries the full record: drop the pending metrics it
    // supersedes, so clients never get an older version after a newer one.
    this.stopListening = opts.bus.onEvent((env) => {
      if (env.event.type !== EventName.itemUpdated) return;
      const { path, version } = env.event.data;
      const item = this.pending.get(path);
      if (item && item.version <= version) this.pending.delete(path);
    });
  }

  /**
   * The label store's `onMetricsChanged(path, version, metrics)` hook, called
   * after a metric-only write is durable. Bound, so it can be passed as is.
   */
  readonly add = (path: string, version: number, metrics: Record<string, number>): void => {
    if (this.stopped) return;
    const prev = this.pending.get(path);
    if (prev && prev.version > version) return;
    this.pending.set(path, { path, version, metrics: { ...metrics } });
    if (this.timer === null) {
      this.timer = this.timers.after(this.windowMs, () => {
        this.timer = null;
        this.flush();
      });
    }
  };

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Publishes what is pending now (one event), or nothing. Returns the event id. */
  flush(): number | null {
    if (this.timer !== null) {
      this.timer();
      this.timer = null;
    }
    if (this.pending.size === 0) return null;
    const count = this.pending.size;
    const items: Item[] = [];
    for (const item of this.pending.values()) {
      if (items.length >= this.maxItems) break;
      items.push(item);
    }
    this.pending.clear();
    const event: LiveEvent = {
      type: EventName.metricsUpdated,
      data: { items, count, truncated: count > items.length },
    };
    return this.bus.publish(event);
  }

  /**
   * At boot: queues the metric-only changes of the seed's last window, which a
   * crash may have kept from being announced (see `unannouncedMetrics`).
   */
  reannounce(seed: Envelope[]): number {
    const items = unannouncedMetrics(seed, this.windowMs);
    for (const item of items) this.add(item.path, item.version, item.metrics);
    return items.length;
  }

  /** Flushes and stops: call on shutdown before closing the bus. */
  stop(): void {
    this.flush();
    this.stopped = true;
    this.stopListening();
  }
}

/**
 * Metric-only changes from the journal tail that may not have been announced
 * before a crash: the last window's worth (plus `slackMs`) before the newest
 * seeded change. Feed them to a fresh coalescer at boot, so a client replaying
 * across the restart sees them. Over-inclusive on purpose: a repeat is harmless
 * (same version), a miss is not.
 */
export function unannouncedMetrics(
  seed: Envelope[],
  windowMs = METRICS_WINDOW_MS,
  slackMs = 2_000,
): Item[] {
  let newest = Number.NEGATIVE_INFINITY;
  for (const env of seed) {
    if (env.event.type !== EventName.itemUpdated) continue;
    const t = Date.parse(env.event.data.updated_at ?? "");
    if (Number.isFinite(t) && t > newest) newest = t;
  }
  if (!Number.isFinite(newest)) return [];
  const since = newest - windowMs - slackMs;
  // Latest seeded record per path: a later full item-updated already announced its metrics.
  const latest = new Map<string, Envelope>();
  for (const env of seed) {
    if (env.event.type !== EventName.itemUpdated) continue;
    const prev = latest.get(env.event.data.path);
    if (!prev || prev.id < env.id) latest.set(env.event.data.path, env);
  }
  const items: Item[] = [];
  for (const env of latest.values()) {
    if (env.event.type !== EventName.itemUpdated) continue;
    const d = env.event.data;
    const metricsOnly = d.changed_fields.length === 1 && d.changed_fields[0] === "metrics";
    if (metricsOnly && Date.parse(d.updated_at ?? "") >= since) {
      items.push({ path: d.path, version: d.version, metrics: d.metrics });
    }
  }
  return items;
}
