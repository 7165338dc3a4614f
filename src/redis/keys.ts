/**
 * The keys of one gallery in Redis. All share one hash tag (`{…}`), so a
 * Redis Cluster keeps them in one slot and a script may touch them together.
 */
export interface GalleryKeys {
  /** The gallery's name in Redis (what `--redis-gallery` sets). */
  readonly gallery: string;
  /** HASH path → record JSON. */
  readonly records: string;
  /** HASH path → version (what a compare-and-set reads without parsing a record). */
  readonly versions: string;
  /** HASH idempotency key → stored answer; ZSET key → acceptance time; STRING bytes kept. */
  readonly idemAnswers: string;
  readonly idemTimes: string;
  readonly idemBytes: string;
  /** STRING: the last event id issued (INCR, inside the script that appends the event). */
  readonly seq: string;
  /** STREAM: the gallery's events, bounded (MAXLEN ~ the replay ring). */
  readonly stream: string;
  /** STRING: a random name of this history; a new one means Redis lost or replaced it. */
  readonly epoch: string;
  /** Presence: HASH per tab (prefix + client id), ZSET client → last seen per scope (prefix + scope). */
  readonly presenceSession: string;
  readonly presenceScope: string;
  /** ZSET client → last seen, all tabs (for the session bound and the prune). */
  readonly presenceAll: string;
  /** HASH scope → counts last announced. */
  readonly presencePublished: string;
  /** STRING counter ordering renames (a person is named by its latest). */
  readonly presenceNames: string;
  /** HASH process id → last beat (who serves this gallery, for /health). */
  readonly processes: string;
}

export function galleryKeys(gallery: string): GalleryKeys {
  const p = `lenslet:{${gallery}}:`;
  return {
    gallery,
    records: `${p}rec`,
    versions: `${p}ver`,
    idemAnswers: `${p}idem:a`,
    idemTimes: `${p}idem:t`,
    idemBytes: `${p}idem:bytes`,
    seq: `${p}seq`,
    stream: `${p}events`,
    epoch: `${p}epoch`,
    presenceSession: `${p}pr:s:`,
    presenceScope: `${p}pr:scope:`,
    presenceAll: `${p}pr:all`,
    presencePublished: `${p}pr:pub`,
    presenceNames: `${p}pr:names`,
    processes: `${p}procs`,
  };
}

/** Every key of the gallery but the per-tab and per-scope ones (for `lenslet migrate`, tests). */
export function fixedKeys(k: GalleryKeys): string[] {
  return [
    k.records,
    k.versions,
    k.idemAnswers,
    k.idemTimes,
    k.idemBytes,
    k.seq,
    k.stream,
    k.epoch,
    k.presenceAll,
    k.presencePublished,
    k.presenceNames,
    k.processes,
  ];
}
