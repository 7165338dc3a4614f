/**
 * Shared by the presence tests: a tracker on a hand-driven clock whose prune
 * calls can be awaited, and a waiter for bus events.
 */
import { EventBus } from "../../src/live/bus.ts";
import type { Envelope, PresenceCounts } from "../../src/live/protocol.ts";
import { PresenceTracker, type TrackerOptions } from "../../src/presence/tracker.ts";

export class FakeClock {
  constructor(public t = 1_000_000) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A real tracker that also lets a test wait for the prune loop's next pass. */
export class ObservedTracker extends PresenceTracker {
  private waiters: (() => void)[] = [];
  pruneCalls = 0;

  override prune(now?: number): PresenceCounts[] {
    const changed = super.prune(now);
    this.pruneCalls++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    return changed;
  }

  /** Resolves after the next complete prune pass. */
  nextPrune(timeoutMs = 2000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no prune pass")), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export function observedTracker(clock: FakeClock, opts: TrackerOptions = {}): ObservedTracker {
  let n = 0;
  return new ObservedTracker({ now: clock.now, newLeaseId: () => `lease-${++n}`, ...opts });
}

export function newBus(): EventBus {
  return new EventBus({ capacity: 1000, firstId: 1 });
}

/** Every presence event the bus delivers, and a way to wait for one. */
export function presenceEvents(bus: EventBus) {
  const seen: { id: number; counts: PresenceCounts }[] = [];
  const waiters = new Set<() => void>();
  const stop = bus.onEvent((env: Envelope) => {
    if (env.event.type !== "presence") return;
    seen.push({ id: env.id, counts: env.event.data });
    for (const w of [...waiters]) w();
  });
  let cursor = 0;
  return {
    seen,
    stop,
    /** The next presence event (after earlier `next` results) matching `pred`. */
    next(
      pred: (c: PresenceCounts) => boolean = () => true,
      timeoutMs = 2000,
    ): Promise<PresenceCounts> {
      return new Promise((resolve, reject) => {
        const check = () => {
          while (cursor < seen.length) {
            const c = seen[cursor++].counts;
            if (pred(c)) {
              done();
              resolve(c);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching presence event within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        if (!check()) waiters.add(check);
      });
    },
  };
}
