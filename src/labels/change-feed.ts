/**
 * The change feed of a label store: which paths each revision wrote, so derived data (the
 * query engine's label columns, src/gallery/gallery-table.ts) updates only those rows. Both
 * stores keep one (the local journal and Redis) with the same contract: `since(r)` lists the
 * paths written after revision r, each once, or null when the feed no longer reaches back that
 * far (the reader then reads every record again).
 */

/** Writes a feed keeps by default (twice this before it is trimmed). */
export const CHANGE_FEED = 50_000;

export class ChangeFeed {
  private revs: number[] = [];
  private paths: string[] = [];
  /** The first revision whose writes are all in the feed (a trim may cut one in half). */
  private from = 1;

  constructor(private readonly keep = CHANGE_FEED) {}

  /** Revision `rev` wrote `paths` (revisions only rise). */
  record(rev: number, paths: Iterable<string>): void {
    for (const p of paths) {
      this.revs.push(rev);
      this.paths.push(p);
    }
    if (this.revs.length > this.keep * 2) {
      this.revs = this.revs.slice(-this.keep);
      this.paths = this.paths.slice(-this.keep);
      this.from = this.revs[0]! + 1;
    }
  }

  /** Paths written after `revision` up to `current` (each once), or null when the feed cannot say. */
  since(revision: number, current: number): string[] | null {
    if (revision >= current) return [];
    if (revision + 1 < this.from) return null;
    const revs = this.revs;
    let lo = 0;
    let hi = revs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (revs[mid]! <= revision) lo = mid + 1;
      else hi = mid;
    }
    return [...new Set(this.paths.slice(lo))];
  }
}
