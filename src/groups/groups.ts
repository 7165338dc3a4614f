/**
 * Bursts and near-duplicates (spec M3), pure: facts in, groups out.
 *
 * - A burst is a run of frames from one camera whose capture times are at most
 *   BURST_GAP_MS apart, frame to frame (a run of 2 or more).
 * - Near-duplicates are images whose dHashes differ in at most
 *   DUPLICATE_MAX_DISTANCE bits (measured on the demo: bench/culling.ts),
 *   joined transitively (union–find). Pairs are found by multi-index hashing:
 *   split into ⌊T/2⌋ + 1 bands, two hashes at most T apart agree on some band
 *   but for at most one bit (pigeonhole), so each image is compared only with
 *   those whose band value is its own or one bit away.
 */

export const BURST_GAP_MS = 2000;
/**
 * Hamming distance (of 64 bits) up to which two images count as near-duplicates.
 * Measured on 100 demo JPEGs (bench/culling.ts): copies of the same picture
 * resized to half, re-encoded at q40, brightened 10 % or cropped 2 % are within
 * 8 bits in 91.5 % of cases (p99 12); pairs of different demo pictures within 8
 * bits: 0.5 % (26 of 4,950, mostly near-identical generated scenes).
 */
export const DUPLICATE_MAX_DISTANCE = 8;

export interface Framed {
  path: string;
  takenMs: number;
  camera: string | null;
}

export interface Hashed {
  path: string;
  /** The two 32-bit halves of the 64-bit hash. */
  hi: number;
  lo: number;
}

export function bursts(frames: readonly Framed[], gapMs = BURST_GAP_MS): string[][] {
  const byCamera = new Map<string, Framed[]>();
  for (const f of frames) {
    const k = f.camera ?? "";
    let list = byCamera.get(k);
    if (!list) {
      list = [];
      byCamera.set(k, list);
    }
    list.push(f);
  }
  const out: { first: number; paths: string[] }[] = [];
  for (const list of byCamera.values()) {
    list.sort((a, b) => a.takenMs - b.takenMs || (a.path < b.path ? -1 : 1));
    let run: Framed[] = [];
    const close = () => {
      if (run.length >= 2) out.push({ first: run[0]!.takenMs, paths: run.map((f) => f.path) });
      run = [];
    };
    for (const f of list) {
      const last = run[run.length - 1];
      if (last && f.takenMs - last.takenMs > gapMs) close();
      run.push(f);
    }
    close();
  }
  out.sort((a, b) => a.first - b.first);
  return out.map((g) => g.paths);
}

function popcount32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits [from, to) of the 64-bit value hi:lo, as a number (to − from ≤ 32). */
function band(hi: number, lo: number, from: number, to: number): number {
  let v = 0;
  for (let b = from; b < to; b++) {
    const bit = b < 32 ? (hi >>> (31 - b)) & 1 : (lo >>> (63 - b)) & 1;
    v = v * 2 + bit;
  }
  return v;
}

export function duplicates(
  items: readonly Hashed[],
  maxDistance = DUPLICATE_MAX_DISTANCE,
): string[][] {
  const n = items.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  items.forEach((it, i) => {
    hi[i] = it.hi;
    lo[i] = it.lo;
  });
  // floor(T/2)+1 bands: two hashes at most T apart differ in at most one bit of some band
  // (pigeonhole), so probing each band's value and its one-bit neighbours finds every pair.
  const bands = Math.floor(maxDistance / 2) + 1;
  for (let b = 0; b < bands; b++) {
    const from = Math.floor((b * 64) / bands);
    const to = Math.floor(((b + 1) * 64) / bands);
    const width = to - from;
    // Counting sort by band value: `order` lists the images by value, `start[v]` where value v begins.
    const size = 2 ** width;
    if (width > 20) throw new RangeError("maxDistance too small for banded search (use ≥ 4)");
    const keys = new Uint32Array(n);
    const start = new Uint32Array(size + 1);
    for (let i = 0; i < n; i++) {
      const key = band(hi[i]!, lo[i]!, from, to);
      keys[i] = key;
      start[key + 1]!++;
    }
    for (let v = 0; v < size; v++) start[v + 1]! += start[v]!;
    const order = new Uint32Array(n);
    const fill = start.slice(0, size);
    for (let i = 0; i < n; i++) order[fill[keys[i]!]!++] = i;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      for (let t = -1; t < width; t++) {
        // t = -1: the band's own value; else that value with bit t flipped.
        const probe = t < 0 ? key : (key ^ (1 << t)) >>> 0;
        for (let at = start[probe]!, end = start[probe + 1]!; at < end; at++) {
          const j = order[at]!;
          if (j <= i) continue;
          const d = popcount32((hi[i]! ^ hi[j]!) >>> 0) + popcount32((lo[i]! ^ lo[j]!) >>> 0);
          if (d > maxDistance) continue;
          const ri = find(i);
          const rj = find(j);
          if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
        }
      }
    }
  }
  const groups = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let g = groups.get(r);
    if (!g) {
      g = [];
      groups.set(r, g);
    }
    g.push(items[i]!.path);
  }
  return [...groups.values()].filter((g) => g.length >= 2);
}
