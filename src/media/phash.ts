/**
 * Perceptual hashes (spec M2): a 64-bit dHash, made from the thumbnail when it
 * is made (thumbnails.ts calls `fromThumbnail`), cached in `hashes.json` in the
 * workspace (keyed by the image's size and mtime, like dimensions). The dHash
 * shrinks the image to 9×8 greyscale and sets one bit per pixel pair: is the
 * left pixel brighter than its right neighbour. Re-encoded, resized or
 * slightly edited copies keep almost every bit; different pictures differ in
 * about half. A background job (`fillAll`) hashes the images that have none,
 * through the thumbnailer (which reads through the root check), with progress
 * in /health.hashes.
 */
import sharp from "sharp";
import type { ImageEntry } from "../gallery/types.ts";
import { FactCache } from "./fact-cache.ts";

/** 16 hex digits. */
export type Hash = string;

export async function dHash(image: Uint8Array): Promise<Hash> {
  const px = await sharp(image, { failOn: "none" })
    .greyscale()
    .resize(9, 8, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
  let hi = 0;
  let lo = 0;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const bit = (px[y * 9 + x] as number) > (px[y * 9 + x + 1] as number) ? 1 : 0;
      const i = y * 8 + x;
      if (i < 32) hi = (hi << 1) | bit;
      else lo = (lo << 1) | bit;
    }
  }
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

/** The two 32-bit halves of a hash. */
export function halves(h: Hash): [number, number] {
  return [Number.parseInt(h.slice(0, 8), 16) >>> 0, Number.parseInt(h.slice(8), 16) >>> 0];
}

export function popcount32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hamming(a: Hash, b: Hash): number {
  const [a1, a2] = halves(a);
  const [b1, b2] = halves(b);
  return popcount32((a1 ^ b1) >>> 0) + popcount32((a2 ^ b2) >>> 0);
}

export interface HashJobHealth {
  /** Images with a hash / in the gallery. */
  hashed: number;
  total: number;
  running: boolean;
  failed: number;
}

const isHash = (v: unknown): v is Hash => typeof v === "string" && /^[0-9a-f]{16}$/.test(v);

export class PerceptualHashes {
  private readonly cache: FactCache<Hash>;
  private running = false;
  private failed = 0;
  private stopped = false;
  private job: Promise<void> | null = null;

  constructor(opts: { cacheDir: string | null; log?: { warn(m: string): void } }) {
    this.cache = new FactCache<Hash>({
      dir: opts.cacheDir,
      file: "hashes.json",
      format: 1,
      valid: isHash,
      log: opts.log,
      // Hashes come from thumbnails (put), never from reading here.
      read: async () => null,
    });
  }

  peek(entry: ImageEntry): Hash | null | undefined {
    return this.cache.peek(entry);
  }

  get revision(): number {
    return this.cache.revision;
  }

  /** Thumbnailer hook: hash the thumbnail just made (off the request path). */
  fromThumbnail(entry: ImageEntry, thumbnail: Uint8Array): void {
    if (this.cache.peek(entry)) return;
    dHash(thumbnail).then(
      (h) => this.cache.put(entry, h),
      () => this.failed++,
    );
  }

  /**
   * Starts (once; later calls join it) the background job hashing every image
   * without a hash, one thumbnail at a time (made, or taken from its cache).
   * Started by the first request that needs hashes (GET /groups?kind=duplicate).
   */
  start(
    images: () => readonly ImageEntry[],
    thumbnail: (e: ImageEntry) => Promise<Uint8Array | null>,
  ): Promise<void> {
    this.job ??= this.fillAll(images(), thumbnail).finally(() => {
      this.job = null;
    });
    return this.job;
  }

  /** Resolves when no job runs (shutdown). */
  async idle(): Promise<void> {
    await this.job;
  }

  async fillAll(
    images: readonly ImageEntry[],
    thumbnail: (e: ImageEntry) => Promise<Uint8Array | null>,
  ): Promise<void> {
    this.running = true;
    try {
      for (const img of images) {
        if (this.stopped) return;
        if (this.cache.peek(img)) continue;
        try {
          const bytes = await thumbnail(img);
          if (bytes) this.cache.put(img, await dHash(bytes));
          else this.failed++;
        } catch {
          this.failed++;
        }
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Progress of the job: hashes kept (of images now or before) against the gallery's images. */
  health(totalImages: number): HashJobHealth {
    return {
      hashed: Math.min(this.cache.size, totalImages),
      total: totalImages,
      running: this.running,
      failed: this.failed,
    };
  }

  flush(): Promise<void> {
    return this.cache.flush();
  }
}
