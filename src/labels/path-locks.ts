/**
 * Per-item mutual exclusion: a write holds the items it touches from "check
 * version" until it is durable and published, so every other request sees it
 * as one step. Writes to different items do not wait for each other.
 *
 * A waiter takes all its paths at once, queued FIFO per path. Because a waiter
 * joins every one of its queues in the same synchronous step, all queues agree
 * on the order of any two waiters, so multi-item batches cannot deadlock.
 */
export type Release = () => void;

interface Waiter {
  paths: readonly string[];
  missing: number;
  grant: (() => void) | null;
}

export class PathLocks {
  private readonly queues = new Map<string, Waiter[]>();

  /** `paths` must be distinct. */
  acquire(paths: readonly string[]): Promise<Release> {
    const w: Waiter = { paths, missing: 0, grant: null };
    for (const p of paths) {
      const q = this.queues.get(p);
      if (q) {
        q.push(w);
        w.missing++;
      } else {
        this.queues.set(p, [w]);
      }
    }
    const release = () => this.release(w);
    if (w.missing === 0) return Promise.resolve(release);
    return new Promise((resolve) => {
      w.grant = () => resolve(release);
    });
  }

  /** Paths currently held or waited for (for tests). */
  get size(): number {
    return this.queues.size;
  }

  private release(w: Waiter): void {
    for (const p of w.paths) {
      const q = this.queues.get(p);
      if (!q || q[0] !== w)
        throw new Error(`lock on ${p} released by a waiter that does not hold it`);
      q.shift();
      if (q.length === 0) {
        this.queues.delete(p);
        continue;
      }
      const next = q[0];
      next.missing--;
      if (next.missing === 0) next.grant?.();
    }
  }
}
