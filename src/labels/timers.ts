/**
 * The clock and timers the label store uses, behind one small interface so
 * tests drive snapshot scheduling and the relaxed-mode fsync deterministically
 * (see ManualTimers in test/labels/helpers.ts).
 */
export interface Timers {
  /** Runs `fn` every `ms` until the returned function is called; never keeps the process alive. */
  every(ms: number, fn: () => void): () => void;
}

export const realTimers: Timers = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref?.();
    return () => clearInterval(t);
  },
};
