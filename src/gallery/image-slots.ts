/**
 * The index's images as columns: one slot per image, its facts in typed arrays
 * (and one string, its name), so a million images are a few arrays rather than
 * a million objects (~570 B each with their path strings and Map entries).
 * Slots are stable while the image is indexed; a freed slot is reused.
 */
export class ImageSlots {
  /** Canonical file name; undefined = free slot. */
  names: (string | undefined)[] = [];
  /** The name as it is on disk, only where it differs from `names` (Unicode spellings). */
  readonly raw = new Map<number, string>();
  /** Folder id (GalleryIndex's folder nodes); -1 = free. */
  folder = new Int32Array(0);
  /** Bytes and mtime (ms); -1 until stat'ed. */
  size = new Float64Array(0);
  mtime = new Float64Array(0);
  /** Pixel dimensions once known; 0 = unknown. */
  width = new Uint32Array(0);
  height = new Uint32Array(0);
  /** Table row a slot came from (`lenslet TABLE`); -1 for files found by a walk. */
  source = new Int32Array(0);
  private readonly free: number[] = [];
  /** Slots in use. */
  live = 0;

  /** Slots ever allocated (live or free): the length of every column that matters. */
  get length(): number {
    return this.names.length;
  }

  alloc(name: string, folder: number, raw: string | null, source = -1): number {
    let s = this.free.pop();
    if (s === undefined) {
      s = this.names.length;
      if (s >= this.folder.length) this.grow(Math.max(1024, this.folder.length * 2));
      this.names.push(name);
    } else this.names[s] = name;
    if (raw !== null && raw !== name) this.raw.set(s, raw);
    else if (this.raw.size > 0) this.raw.delete(s);
    this.folder[s] = folder;
    this.size[s] = -1;
    this.mtime[s] = -1;
    this.width[s] = 0;
    this.height[s] = 0;
    this.source[s] = source;
    this.live++;
    return s;
  }

  release(s: number): void {
    this.names[s] = undefined;
    this.raw.delete(s);
    this.folder[s] = -1;
    this.free.push(s);
    this.live--;
  }

  /** Room for `n` slots without growing again (a walk or a table knows its size). */
  reserve(n: number): void {
    if (n > this.folder.length) this.grow(n);
  }

  rawName(s: number): string {
    return this.raw.get(s) ?? this.names[s]!;
  }

  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Int32Array | Uint32Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.folder = widen(this.folder, (n) => new Int32Array(n).fill(-1));
    this.size = widen(this.size, (n) => new Float64Array(n));
    this.mtime = widen(this.mtime, (n) => new Float64Array(n));
    this.width = widen(this.width, (n) => new Uint32Array(n));
    this.height = widen(this.height, (n) => new Uint32Array(n));
    this.source = widen(this.source, (n) => new Int32Array(n).fill(-1));
  }
}
