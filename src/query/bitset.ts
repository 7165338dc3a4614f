/**
 * A fixed-size set of row numbers as bits in Uint32Array words: filters are
 * evaluated into one of these and combined with AND, so a filter over a
 * million rows is 31,250 words, not a million booleans.
 */
export class Bitset {
  readonly words: Uint32Array;

  constructor(
    readonly size: number,
    words?: Uint32Array,
  ) {
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  /** Every row of [0, size). */
  static full(size: number): Bitset {
    return Bitset.range(size, 0, size);
  }

  /** Rows [start, end) of a set of `size`. */
  static range(size: number, start: number, end: number): Bitset {
    const b = new Bitset(size);
    const lo = Math.max(0, start);
    const hi = Math.min(size, end);
    if (hi <= lo) return b;
    const first = lo >>> 5;
    const last = (hi - 1) >>> 5;
    b.words.fill(0xffffffff, first, last + 1);
    b.words[first]! &= (0xffffffff << (lo & 31)) >>> 0;
    const tail = hi & 31;
    if (tail) b.words[last]! &= 0xffffffff >>> (32 - tail);
    return b;
  }

  static of(size: number, rows: Iterable<number>): Bitset {
    const b = new Bitset(size);
    for (const r of rows) b.add(r);
    return b;
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  clone(): Bitset {
    return new Bitset(this.size, this.words.slice());
  }

  /** In place: keeps the rows also in `other`. */
  and(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let w = 0; w < a.length; w++) a[w]! &= b[w]!;
    return this;
  }

  /** In place: drops the rows that are in `other`. */
  andNot(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let w = 0; w < a.length; w++) a[w]! &= ~b[w]!;
    return this;
  }

  /** The first `k` rows in ascending order (fewer when the set is smaller). */
  firstRows(k: number): Uint32Array {
    const out = new Uint32Array(k);
    let n = 0;
    const a = this.words;
    for (let w = 0; w < a.length && n < k; w++) {
      let v = a[w]!;
      while (v !== 0 && n < k) {
        const t = v & -v;
        out[n++] = (w << 5) + (31 - Math.clz32(t));
        v ^= t;
      }
    }
    return n === k ? out : out.slice(0, n);
  }

  count(): number {
    let n = 0;
    const a = this.words;
    for (let w = 0; w < a.length; w++) {
      let v = a[w]!;
      if (v === 0) continue;
      v -= (v >>> 1) & 0x55555555;
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
    }
    return n;
  }

  /** The rows in ascending order. */
  toRows(): Uint32Array {
    const out = new Uint32Array(this.count());
    let k = 0;
    const a = this.words;
    for (let w = 0; w < a.length; w++) {
      let v = a[w]!;
      while (v !== 0) {
        const t = v & -v;
        out[k++] = (w << 5) + (31 - Math.clz32(t));
        v ^= t;
      }
    }
    return out;
  }
}
