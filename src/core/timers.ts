/**
 * The timers modules schedule with, behind one small interface, so tests drive
 * snapshot scheduling, the relaxed-mode fsync, the metrics window and the
 * presence prune loop deterministically (ManualTimers in test/helpers/timers.ts).
 * Real timers never keep the process alive.
 */
export interface Timers {
  /** Runs `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
  /** Runs `fn` once after `ms` unless the returned function is called first. */
  after(ms: number, fn: () => void): () => void;
}

export const realTimers: Timers = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref?.();
    return () => clearInterval(t);
  },
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};
