/**
 * Failed credential attempts per address. After `maxFailures` within
 * `windowMs`, the address is refused until the window that holds them has
 * passed. Memory is bounded: at most `maxAddresses` are tracked (the oldest
 * are forgotten first). Clock injectable for tests.
 */

export interface FailureLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  maxAddresses?: number;
  now?: () => number;
}

export type LimitVerdict = { ok: true } | { ok: false; retryAfterS: number };

interface Entry {
  /** Times of the failures still inside the window, oldest first. */
  times: number[];
}

export class FailureLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: FailureLimiterOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 20;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxAddresses = opts.maxAddresses ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** May this address present a credential now? */
  check(address: string): LimitVerdict {
    const e = this.entries.get(address);
    if (!e) return { ok: true };
    const t = this.now();
    this.expire(e, t);
    if (e.times.length === 0) {
      this.entries.delete(address);
      return { ok: true };
    }
    if (e.times.length < this.maxFailures) return { ok: true };
    const freeAt = e.times[e.times.length - this.maxFailures] + this.windowMs;
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((freeAt - t) / 1000)) };
  }

  fail(address: string): void {
    const t = this.now();
    let e = this.entries.get(address);
    if (e) {
      this.entries.delete(address); // re-insert: Map order is age order
      this.expire(e, t);
    } else {
      e = { times: [] };
      if (this.entries.size >= this.maxAddresses) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    e.times.push(t);
    // Keep no more than needed to decide.
    if (e.times.length > this.maxFailures) e.times.splice(0, e.times.length - this.maxFailures);
    this.entries.set(address, e);
  }

  get tracked(): number {
    return this.entries.size;
  }

  private expire(e: Entry, t: number): void {
    let drop = 0;
    while (drop < e.times.length && e.times[drop] + this.windowMs <= t) drop++;
    if (drop > 0) e.times.splice(0, drop);
  }
}
