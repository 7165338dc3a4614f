/**
 * Wires a PresenceTracker to the event bus: every change of a scope's numbers
 * becomes one `presence` event at once, and a prune loop ages out tabs that
 * vanished without leaving even when nobody else touches their scope.
 */
import { realTimers, type Timers } from "../core/timers.ts";
import type { EventBus } from "../live/bus.ts";
import { EventName } from "../live/protocol.ts";
import { PresenceTracker } from "./tracker.ts";

/** The presence settings of the runtime Config (src/config.ts), by shape. */
export interface PresenceConfig {
  viewTtlMs: number;
  editTtlMs: number;
  presenceLifecycleV2: boolean;
  maxSessions: number;
}

export interface PresenceService {
  /** Stop the prune loop and the publishing; idempotent. */
  stop(): void;
}

export interface PresenceServiceOptions {
  tracker: PresenceTracker;
  bus: Pick<EventBus, "publish">;
  pruneIntervalMs: number;
  /** For tests: drive the prune loop by hand. */
  timers?: Timers;
}

export function startPresenceService(opts: PresenceServiceOptions): PresenceService {
  const { tracker, bus } = opts;
  const unlisten = tracker.onChange((changed) => {
    for (const counts of changed) bus.publish({ type: EventName.presence, data: counts });
  });
  // Real timers never keep the process alive.
  const stopPruning = (opts.timers ?? realTimers).every(opts.pruneIntervalMs, () =>
    tracker.prune(),
  );
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      stopPruning();
      unlisten();
    },
  };
}

/** The tracker as the CLI configures it; `now` is for tests. */
export function createPresenceTracker(config: PresenceConfig, now?: () => number): PresenceTracker {
  return new PresenceTracker({
    viewTtlMs: config.viewTtlMs,
    editTtlMs: config.editTtlMs,
    lifecycleV2: config.presenceLifecycleV2,
    maxSessions: config.maxSessions,
    now,
  });
}

/** With --redis: prune the shared sessions (any process may; each change is announced once, by Redis). */
export function startSharedPresenceService(opts: {
  presence: { prune(): Promise<void> };
  pruneIntervalMs: number;
  log: { warn(m: string): void };
}): PresenceService {
  let failures = 0;
  const stop = realTimers.every(opts.pruneIntervalMs, () => {
    opts.presence.prune().then(
      () => {
        failures = 0;
      },
      (err: Error) => {
        if (failures++ === 0) opts.log.warn(`presence: prune failed: ${err.message}`);
      },
    );
  });
  return { stop };
}
