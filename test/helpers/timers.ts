/** Timers driven by the test: `advance(ms)` runs what falls due, in time order (src/core/timers.ts). */
import type { Timers } from "../../src/core/timers.ts";

interface Job {
  next: number;
  /** 0 for a one-shot timer. */
  every: number;
  fn: () => void;
}

export class ManualTimers implements Timers {
  now = 0;
  private readonly jobs = new Set<Job>();

  every(ms: number, fn: () => void): () => void {
    return this.add({ every: ms, next: this.now + ms, fn });
  }

  after(ms: number, fn: () => void): () => void {
    return this.add({ every: 0, next: this.now + ms, fn });
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.jobs].filter((j) => j.next <= until).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.now = due.next;
      if (due.every > 0) due.next += due.every;
      else this.jobs.delete(due);
      due.fn();
    }
    this.now = until;
  }

  /** Timers scheduled and not yet run or cancelled. */
  get size(): number {
    return this.jobs.size;
  }

  private add(job: Job): () => void {
    this.jobs.add(job);
    return () => this.jobs.delete(job);
  }
}
